"""`changes`: new, retired and revised policies between two folders, or in the library."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from conftest import FIXTURES, REAL_CORPUS, fixture_documents, run_cli
from library_fixture import build_library, invoke


def _json_copy(source: Path, target: Path, **changes: object) -> Path:
    """Our JSON of ``source`` with top-level fields changed (another sha256 when changed)."""
    from policy_extract.pipeline import extract
    from policy_extract.render.json import policy_to_json

    data = json.loads(policy_to_json(extract(source)))
    data.update(changes)
    if changes:
        data["source"]["sha256"] = "e" * 64
    target.write_text(json.dumps(data), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def folders(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    old = tmp_path_factory.mktemp("old")
    new = tmp_path_factory.mktemp("new")
    shutil.copy(FIXTURES / "infliximab.md", old)  # unchanged
    shutil.copy(FIXTURES / "tocilizumab.md", old)  # retired
    shutil.copy(FIXTURES / "infliximab.md", new)
    shutil.copy(FIXTURES / "rituximab_iv.md", new)  # new
    _json_copy(FIXTURES / "cigna_zorvimab.md", old / "cigna_zorvimab.json")
    _json_copy(
        FIXTURES / "cigna_zorvimab.md",
        new / "cigna_zorvimab.json",
        places_of_service=["Office Administration"],
        effective_date="2026-09-01",
    )
    return old, new


def test_changes_between_folders(folders: tuple[Path, Path]) -> None:
    old, new = folders
    result = invoke("changes", str(old), str(new))
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert "1 new, 1 retired, 1 revised, 1 unchanged" in text
    new_part = text.split("## New")[1].split("##")[0]
    retired_part = text.split("## Retired")[1].split("##")[0]
    assert "rituximab_iv.md" in new_part and "tocilizumab.md" in retired_part
    revised = text.split("## Revised")[1]
    assert "cigna_zorvimab.json" in revised and "-> 2026-09-01" in revised
    assert "Changes: " in revised and "Office Administration" in revised
    assert invoke("changes", str(old), str(new)).stdout == text  # deterministic


def test_changes_in_every_format(folders: tuple[Path, Path]) -> None:
    old, new = folders
    data = json.loads(invoke("changes", str(old), str(new), "--format", "json").stdout)
    statuses = {record["status"]: record for record in data["changes"]}
    assert set(statuses) == {"new", "retired", "revised"} and data["unchanged"] == 1
    revised = statuses["revised"]
    assert revised["effective_date"] == "2026-09-01" and revised["top"]
    assert set(revised["counts"]) == {"narrows", "broadens", "editorial", "unclassified"}
    rows = invoke("changes", str(old), str(new), "-f", "csv").stdout.splitlines()
    assert rows[0].startswith("status,policy,") and len(rows) == 4
    page = invoke("changes", str(old), str(new), "-f", "html").stdout
    assert page.startswith("<!DOCTYPE html>") and page.count("<tr>") == 4
    assert "Office Administration" in page
    bad = invoke("changes", str(old), str(new), "-f", "xml")
    assert bad.returncode == 2 and "unknown format" in bad.stderr


def test_changes_since_in_the_library(folders: tuple[Path, Path], tmp_path: Path) -> None:
    old, new = folders
    db = build_library(tmp_path / "library.sqlite", [fixture_documents()[0]])
    build_library(db, [old / "cigna_zorvimab.json", new / "cigna_zorvimab.json"])
    result = invoke("changes", "--db", str(db), "--since", "2026-06-01")
    assert result.returncode == 0, result.stderr
    assert "0 new, 0 retired, 1 revised, 0 unchanged" in result.stdout
    assert "Office Administration" in result.stdout
    everything = invoke("changes", "--db", str(db), "--since", "1900-01-01")
    assert "2 new, 0 retired, 1 revised" in everything.stdout


@pytest.mark.parametrize(
    "args",
    [
        ("changes",),
        ("changes", "--db", "x.sqlite"),
        ("changes", "--db", "x.sqlite", "--since", "June 2025"),
    ],
)
def test_bad_arguments_are_one_line(args: tuple[str, ...]) -> None:
    result = run_cli(*args)
    assert result.returncode == 2
    assert result.stderr.startswith("error: ") and result.stderr.count("\n") == 1


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="real corpus not available")
def test_fep_2024_to_2025_lists_both_revised_policies(tmp_path: Path) -> None:
    olds = sorted(REAL_CORPUS.glob("*fep*_2024.pdf"))
    news = sorted(REAL_CORPUS.glob("*fep*_2025.pdf"))
    if len(olds) < 2 or len(news) < 2:
        pytest.skip("the FEP 2024/2025 pairs are not in the real corpus")
    old, new = tmp_path / "old", tmp_path / "new"
    for folder, files in ((old, olds), (new, news)):
        folder.mkdir()
        for path in files:
            shutil.copy(path, folder)
    result = invoke("changes", str(old), str(new))
    assert result.returncode == 0, result.stderr
    assert f"0 new, 0 retired, {len(olds)} revised" in result.stdout
    assert result.stdout.count("### ") == len(olds)
