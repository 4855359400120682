"""The policy library's cost and speed, on the real payer PDFs.

    .venv/bin/python benchmarks/library_bench.py [--policies 10000] [--keep DIR]

1. Index overhead: each PDF of ``../shared/corpus/real`` is converted (extract + JSON, as
   ``convert`` does) and then indexed into a fresh library, in the same run; prints the time
   per document of each and the index time as a share of the conversion time (goal <= 10%).
2. Query speed: a synthetic library of ``--policies`` policies is generated from those JSONs
   (payer, policy number, effective date and sha256 varied; every tenth with two versions),
   inserted through ``index_policy``, and the key queries are timed: who covers a drug by name,
   by HCPCS code, a full-text search and one policy's versions (goal < 100 ms each).
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "corpus" / "real"
sys.path.insert(0, str(ROOT / "src"))

from policy_extract.library import index_policy, open_library  # noqa: E402
from policy_extract.model import Policy  # noqa: E402

QUERIES: dict[str, str] = {
    "covers drug by name": (
        "SELECT p.payer, p.policy_number, v.title, (SELECT group_concat(c.name, '; ')"
        " FROM conditions c WHERE c.version_id = v.id) AS indications"
        " FROM current_versions v JOIN policies p ON p.id = v.policy_id"
        " WHERE v.id IN (SELECT version_id FROM drug_names"
        " WHERE name_norm = :name OR drug_key = :name)"
    ),
    "covers HCPCS code": (
        "SELECT DISTINCT p.payer, p.policy_number, v.title FROM hcpcs h"
        " JOIN current_versions v ON v.id = h.version_id JOIN policies p ON p.id = v.policy_id"
        " WHERE h.code = :code"
    ),
    "full-text search": (
        "SELECT s.kind, s.row_id, s.version_id FROM search s WHERE search MATCH :words"
        " ORDER BY rank LIMIT 50"
    ),
    "a policy's versions": (
        "SELECT v.effective_date, v.source_path, v.sha256 FROM versions v"
        " JOIN policies p ON p.id = v.policy_id WHERE p.identity = :identity"
        " ORDER BY v.effective_date"
    ),
}


def convert_and_index(pdfs: list[Path], db: Path) -> list[tuple[str, float, float]]:
    """(name, convert seconds, index seconds) per PDF; the JSON texts are kept beside db."""
    from policy_extract.library.normalize import drug_key, indication_key
    from policy_extract.pipeline import extract
    from policy_extract.render.json import policy_to_json

    start = time.perf_counter()
    drug_key("infliximab")  # the drug dictionary and the ICD-10 eponyms load once per process
    indication_key("Crohn's disease")
    print(f"name dictionaries loaded in {time.perf_counter() - start:.1f} s (once per run)")
    rows = []
    connection = open_library(db)
    for pdf in pdfs:
        start = time.perf_counter()
        text = policy_to_json(extract(pdf))
        converted = time.perf_counter()
        index_policy(connection, Policy.model_validate_json(text), text, source_path=str(pdf))
        rows.append((pdf.name, converted - start, time.perf_counter() - converted))
        (db.parent / f"{pdf.stem}.json").write_text(text, encoding="utf-8")
    connection.close()
    return rows


def connection_count(db: Path) -> int:
    connection = open_library(db)
    try:
        return int(connection.execute("SELECT COUNT(*) FROM versions").fetchone()[0])
    finally:
        connection.close()


def synthetic_library(jsons: list[str], policies: int, db: Path) -> float:
    """Insert ``policies`` policies made from ``jsons`` (every tenth with a second, later
    version); seconds taken."""
    connection = open_library(db)
    start = time.perf_counter()
    for number in range(policies):
        data = json.loads(jsons[number % len(jsons)])
        data["payer"] = f"Synthetic Plan {number % 97:02d}"
        data["policy_number"] = f"SYN-{number:05d}"
        for version in (0, 1) if number % 10 == 0 else (0,):
            data["effective_date"] = f"{2020 + version + number % 5}-{number % 12 + 1:02d}-01"
            data["source"]["sha256"] = f"{number:032x}{version:032x}"
            text = json.dumps(data)
            index_policy(connection, Policy.model_validate(data), text)
    connection.close()
    return time.perf_counter() - start


_COPIED_TABLES = (
    "policies",
    "versions",
    "products",
    "hcpcs",
    "drug_names",
    "conditions",
    "criteria",
    "step_therapy",
    "icd10",
    "not_covered",
)
_UNIQUE = {("policies", "identity"), ("versions", "sha256")}


def replicate_library(db: Path, times: int) -> None:
    """``times`` more copies of every policy, by SQL: ids shifted past the originals, the
    unique identity and sha256 suffixed, foreign keys (read from the schema) shifted alike, the
    full-text rows too. Scales a library built through ``index_policy`` in seconds."""
    connection = sqlite3.connect(db)
    top = {
        t: connection.execute(f"SELECT COALESCE(MAX(id), 0) FROM {t}").fetchone()[0]
        for t in _COPIED_TABLES
        if t != "drug_names"
    }
    with connection:
        for k in range(1, times + 1):
            for table in _COPIED_TABLES:
                columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
                refs = {
                    row[3]: row[2]
                    for row in connection.execute(f"PRAGMA foreign_key_list({table})")
                }
                values = [
                    f"id + {k * top[table]}"
                    if column == "id"
                    else f"{column} + {k * top[refs[column]]}"
                    if column in refs
                    else f"{column} || '#{k}'"
                    if (table, column) in _UNIQUE
                    else column
                    for column in columns
                ]
                limit = "id" if "id" in columns else "version_id"
                bound = top[table] if "id" in columns else top["versions"]
                connection.execute(
                    f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(values)}"
                    f" FROM {table} WHERE {limit} <= {bound}"
                )
            shift = {"title": top["versions"], "condition": top["conditions"]}
            connection.execute(
                "INSERT INTO search (text, kind, row_id, version_id) SELECT text, kind,"
                f" row_id + CASE kind WHEN 'title' THEN {k * shift['title']}"
                f" WHEN 'condition' THEN {k * shift['condition']}"
                f" ELSE {k * top['criteria']} END, version_id + {k * top['versions']}"
                f" FROM search WHERE version_id <= {top['versions']}"
            )
    connection.close()


def time_query(run: Callable[[], object], repeats: int = 20) -> tuple[float, int]:
    """Median milliseconds of ``run`` over ``repeats`` calls, and its result's row count."""
    times, found = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        found = len(run())  # type: ignore[arg-type]
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times), found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policies", type=int, default=10_000)
    parser.add_argument(
        "--indexed",
        type=int,
        help="Index only this many policies, then copy them by SQL up to --policies (fast).",
    )
    parser.add_argument("--keep", type=Path, help="Folder to keep the libraries in.")
    args = parser.parse_args()
    pdfs = sorted(REAL.glob("*.pdf"))
    if not pdfs:
        sys.exit(f"no PDFs in {REAL}")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="library-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    rows = convert_and_index(pdfs, folder / "real.sqlite")
    for name, convert_s, index_s in rows:
        print(f"{name:60} convert {convert_s * 1000:8.0f} ms  index {index_s * 1000:6.1f} ms")
    total_convert = sum(r[1] for r in rows)
    total_index = sum(r[2] for r in rows)
    print(
        f"per document: convert {total_convert / len(rows) * 1000:.0f} ms, index "
        f"{total_index / len(rows) * 1000:.1f} ms (+{total_index / total_convert:.1%})"
    )
    jsons = [(folder / f"{pdf.stem}.json").read_text(encoding="utf-8") for pdf in pdfs]
    db = folder / "synthetic.sqlite"
    indexed = min(args.indexed or args.policies, args.policies)
    seconds = synthetic_library(jsons, indexed, db)
    if indexed < args.policies:
        copies = -(-args.policies // indexed) - 1
        started = time.perf_counter()
        replicate_library(db, copies)
        print(
            f"indexed {indexed} policies, copied {copies} times by SQL "
            f"in {time.perf_counter() - started:.0f} s"
        )
        args.policies = indexed * (copies + 1)
    versions = connection_count(db)
    print(f"synthetic library: {args.policies} policies, {versions} versions in {seconds:.0f} s")
    connection = open_library(db)
    parameters = {
        "name": "infliximab",
        "code": "J1745",
        "words": "methotrexate",
        "identity": "synthetic plan 07|number:syn 00007",
    }
    for label, sql in QUERIES.items():
        ms, found = time_query(lambda sql=sql: connection.execute(sql, parameters).fetchall())
        print(f"{label:22} {ms:7.2f} ms  ({found} rows)")
    connection.close()


if __name__ == "__main__":
    main()
