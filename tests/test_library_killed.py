"""An index run killed half-way (SIGKILL) leaves a consistent library that a rerun completes."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path

from conftest import FIXTURES
from policy_extract.library import open_library

COPIES = 40


def _copies(folder: Path) -> Path:
    """COPIES versions of one fixture policy, each another source file (sha256) and date."""
    from policy_extract.pipeline import extract
    from policy_extract.render.json import policy_to_json

    data = json.loads(policy_to_json(extract(FIXTURES / "infliximab.md")))
    folder.mkdir()
    for number in range(COPIES):
        data["source"]["sha256"] = f"{number:064x}"
        data["effective_date"] = f"{2000 + number // 12:04d}-{number % 12 + 1:02d}-01"
        (folder / f"v{number:03d}.json").write_text(json.dumps(data), encoding="utf-8")
    return folder


def test_killed_index_run_leaves_the_library_consistent(tmp_path: Path) -> None:
    folder = _copies(tmp_path / "jsons")
    db = tmp_path / "library.sqlite"
    command = [sys.executable, "-m", "policy_extract", "index", str(folder), "--db", str(db)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    for _ in range(5):  # well into the run: several documents committed, one in progress
        assert process.stdout.readline().endswith(": added\n")
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    process.stdout.close()

    with open_library(db) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        done = connection.execute("SELECT COUNT(*) FROM versions").fetchone()[0]
        assert 5 <= done < COPIES
        whole = connection.execute(
            "SELECT v.id, json_array_length(v.json, '$.coverage'), COUNT(c.id) FROM versions v"
            " LEFT JOIN conditions c ON c.version_id = v.id GROUP BY v.id"
        ).fetchall()
        assert all(expected == found for _, expected, found in whole)  # no half-written version
    connection.close()

    rerun = subprocess.run(command, capture_output=True, text=True, check=False)
    assert rerun.returncode == 0, rerun.stderr
    assert f"{COPIES - done} indexed, {done} unchanged, 0 failed" in rerun.stdout
    with sqlite3.connect(db) as check:
        assert check.execute("SELECT COUNT(*) FROM versions").fetchone()[0] == COPIES
        assert check.execute("SELECT COUNT(*) FROM policies").fetchone()[0] == 1
