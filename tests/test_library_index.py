"""The policy library index: what a user notices after `policy-extract index`."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from conftest import REAL_CORPUS, fixture_documents, run_cli
from policy_extract.library import (
    LibraryError,
    index_policy,
    open_library,
    rebuild_library,
)
from policy_extract.model import Policy

DERIVED_TABLES = ("products", "hcpcs", "drug_names", "conditions", "criteria", "icd10", "search")


@pytest.fixture(scope="module")
def fixture_jsons(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every fixture policy converted once, as our JSON files."""
    from policy_extract.pipeline import extract
    from policy_extract.render.json import policy_to_json

    folder = tmp_path_factory.mktemp("jsons")
    for path in fixture_documents():
        (folder / f"{path.stem}.json").write_text(policy_to_json(extract(path)), encoding="utf-8")
    return folder


def _counts(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        tables = ("policies", "versions", *DERIVED_TABLES)
        return {t: connection.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in tables}


def _edited(source: Path, target: Path, **changes: str) -> Path:
    """A copy of a policy JSON with top-level fields changed and, so it is another file, another
    source sha256."""
    data = json.loads(source.read_text(encoding="utf-8"))
    data.update(changes)
    data["source"]["sha256"] = "f" * 64 if changes else data["source"]["sha256"]
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


def test_index_fixtures_then_reindex_is_a_no_op(fixture_jsons: Path, tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    first = run_cli("index", str(fixture_jsons), "--db", str(db))
    assert first.returncode == 0, first.stderr
    documents = len(fixture_documents())
    assert f"{documents} indexed, 0 unchanged, 0 failed" in first.stdout
    before = _counts(db)
    assert before["policies"] == before["versions"] == documents
    assert all(before[table] > 0 for table in DERIVED_TABLES)
    second = run_cli("index", str(fixture_jsons), "--db", str(db))
    assert second.returncode == 0, second.stderr
    assert f"0 indexed, {documents} unchanged, 0 failed" in second.stdout
    assert _counts(db) == before


def test_index_converts_documents_and_skips_unchanged_ones(tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    seed = fixture_documents()[0]
    assert run_cli("index", str(seed), "--db", str(db)).returncode == 0
    again = run_cli("index", str(seed), "--db", str(db))
    assert again.returncode == 0
    assert again.stdout.startswith(f"{seed.parent.name}/{seed.name}: unchanged")
    with sqlite3.connect(db) as connection:
        (mode,) = connection.execute("PRAGMA journal_mode").fetchone()
        (fmt,) = connection.execute("SELECT format FROM versions").fetchone()
    assert (mode, fmt) == ("wal", "markdown")


def test_another_effective_date_is_a_new_version_of_the_same_policy(
    fixture_jsons: Path, tmp_path: Path
) -> None:
    original = fixture_jsons / "cigna_zorvimab.json"
    later = _edited(original, tmp_path / "later.json", effective_date="2099-01-01")
    db = tmp_path / "library.sqlite"
    with open_library(db) as connection:
        for path in (later, original):  # the later version indexed first: order must not matter
            text = path.read_text(encoding="utf-8")
            index_policy(connection, Policy.model_validate_json(text), text)
        versions = connection.execute(
            "SELECT p.id, v.effective_date FROM versions v JOIN policies p ON p.id = v.policy_id"
        ).fetchall()
        current = connection.execute("SELECT effective_date FROM current_versions").fetchall()
    assert len({policy for policy, _ in versions}) == 1 and len(versions) == 2
    assert current == [("2099-01-01",)]


def test_without_a_policy_number_payer_and_title_identify_the_policy(
    fixture_jsons: Path, tmp_path: Path
) -> None:
    original = fixture_jsons / "infliximab.json"
    assert json.loads(original.read_text(encoding="utf-8"))["policy_number"] is None
    same = _edited(original, tmp_path / "same.json", effective_date="2099-01-01")
    retitled = _edited(original, tmp_path / "other.json", title="Another Drug Policy")
    data = json.loads(retitled.read_text(encoding="utf-8"))
    data["source"]["sha256"] = "e" * 64
    retitled.write_text(json.dumps(data), encoding="utf-8")
    db = tmp_path / "library.sqlite"
    result = run_cli("index", str(original), str(same), str(retitled), "--db", str(db))
    assert result.returncode == 0, result.stderr
    assert _counts(db)["policies"] == 2 and _counts(db)["versions"] == 3


def test_full_text_search_finds_a_criterion(fixture_jsons: Path, tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    assert run_cli("index", str(fixture_jsons), "--db", str(db)).returncode == 0
    with sqlite3.connect(db) as connection:
        rows = connection.execute(
            "SELECT c.text, c.line_start FROM search s JOIN criteria c ON c.id = s.row_id"
            " WHERE s.kind = 'criterion' AND search MATCH 'inadequate response methotrexate'"
        ).fetchall()
    assert rows
    assert all("methotrexate" in text.lower() and line for text, line in rows)


def test_step_therapy_and_drug_keys_are_stored(fixture_jsons: Path, tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    assert run_cli("index", str(fixture_jsons / "infliximab.json"), "--db", str(db)).returncode == 0
    with sqlite3.connect(db) as connection:
        steps = {row[0] for row in connection.execute("SELECT drug_key FROM step_therapy")}
        brands = {
            row[0]
            for row in connection.execute("SELECT drug_key FROM drug_names WHERE kind='brand'")
        }
    assert "methotrexate" in steps
    assert brands == {"infliximab"}  # Remicade, Inflectra, ... resolve to one generic


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"this is not a database at all\n" * 20, "not an SQLite database"),
        (b"SQLite format 3\x00" + b"\x07" * 4000, "not a usable policy library"),
    ],
)
def test_corrupt_database_is_a_one_line_error(
    fixture_jsons: Path, tmp_path: Path, content: bytes, reason: str
) -> None:
    db = tmp_path / "library.sqlite"
    db.write_bytes(content)
    result = run_cli("index", str(fixture_jsons / "infliximab.json"), "--db", str(db))
    assert result.returncode == 1
    assert result.stderr.startswith(f"error: {db}: {reason}") and result.stderr.count("\n") == 1
    assert db.read_bytes() == content


def test_database_of_another_schema_version_is_refused_then_rebuilt(
    fixture_jsons: Path, tmp_path: Path
) -> None:
    db = tmp_path / "library.sqlite"
    assert run_cli("index", str(fixture_jsons), "--db", str(db)).returncode == 0
    before = _counts(db)
    with sqlite3.connect(db) as connection:
        connection.execute("UPDATE meta SET value = '0' WHERE key = 'schema_version'")
        connection.execute("DELETE FROM criteria")  # a derived table the rebuild must refill
    with pytest.raises(LibraryError, match=r"schema version .0.*--rebuild"):
        open_library(db)
    assert rebuild_library(db) == before["versions"]
    assert _counts(db) == before
    open_library(db).close()


def test_json_of_another_schema_version_fails_that_file_only(
    fixture_jsons: Path, tmp_path: Path
) -> None:
    future = tmp_path / "future.json"
    data = json.loads((fixture_jsons / "infliximab.json").read_text(encoding="utf-8"))
    future.write_text(json.dumps({**data, "schema_version": "2.0"}), encoding="utf-8")
    db = tmp_path / "library.sqlite"
    result = run_cli("index", str(future), str(fixture_jsons / "tocilizumab.json"), "--db", str(db))
    assert result.returncode == 1
    assert (
        f"error: {future}: policy JSON schema_version '2.0'; this tool reads 1.x" in result.stderr
    )
    assert "1 indexed, 0 unchanged, 1 failed" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="real payer corpus not present")
@pytest.mark.parametrize(
    "prefix",
    [
        "cigna_infliximab_iv",
        "bcbsa_fep_spinraza",
        "bcbsa_fep_breyanzi",  # its 2024 version names only the program: one payer still
    ],
)
def test_real_corpus_pairs_are_two_versions_of_one_policy(prefix: str, tmp_path: Path) -> None:
    db = tmp_path / "library.sqlite"
    pair = sorted(REAL_CORPUS.glob(f"{prefix}*.pdf"))
    assert len(pair) == 2
    result = run_cli("index", *map(str, pair), "--db", str(db), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as connection:
        policies = connection.execute("SELECT COUNT(*) FROM policies").fetchone()[0]
        current = connection.execute("SELECT source_path FROM current_versions").fetchall()
    assert policies == 1 and current == [(str(pair[1]),)]  # the later one is current
