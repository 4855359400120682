"""Batches that never hang or lose work: many files, a killed worker, Ctrl-C in the middle."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

SMALL_POLICY = """# Examplumab {n} (Brandix)

Medical Benefit Drug Policy

## Policy

Examplumab requires Prior Authorization for the condition listed below.

### Plaque psoriasis

Meets medical necessity if all of the following are met:

1. Age {n} years or older
2. Prescribed by a dermatologist
"""


def small_policies(folder: Path, count: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        (folder / f"policy{n:04d}.md").write_text(SMALL_POLICY.format(n=n), encoding="utf-8")
    return folder


def convert_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "policy_extract", "convert", *args]


def run_convert(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        convert_command(*args),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def test_a_thousand_files_with_two_workers_finish(tmp_path: Path) -> None:
    """More than 25 files per worker used to deadlock (CPython gh-115634)."""
    source = small_policies(tmp_path / "in", 1000)
    started = time.monotonic()
    result = run_convert(str(source), "-o", str(tmp_path / "out"), "--jobs", "2", "-q")
    elapsed = time.monotonic() - started
    assert result.returncode == 0, result.stderr[-2000:]
    assert len(list((tmp_path / "out").glob("*.json"))) == 1000
    assert result.stderr == ""  # --quiet: nothing to say when every file converted cleanly
    print(f"1000 files, --jobs 2: {elapsed:.1f} s")


def test_a_killed_worker_fails_its_file_only(tmp_path: Path) -> None:
    source = small_policies(tmp_path / "in", 30)
    (source / "policy0007.md").rename(source / "doomed.md")
    result = run_convert(
        str(source),
        "-o",
        str(tmp_path / "out"),
        "--jobs",
        "2",
        env={"POLICY_EXTRACT_TEST_WORKER_FAULT": "kill:doomed.md"},
    )
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1, errors
    assert "doomed.md: worker died (signal 9, SIGKILL) while converting this file" in errors[0]
    written = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert written == sorted(f"{p.stem}.json" for p in source.iterdir() if p.name != "doomed.md")
    assert "29 converted" in result.stderr


def test_a_worker_stuck_past_its_time_limit_is_killed_and_named(tmp_path: Path) -> None:
    """Code the alarm cannot interrupt (a C library) must not hold the batch forever."""
    source = small_policies(tmp_path / "in", 6)
    (source / "policy0002.md").rename(source / "stuck.md")
    started = time.monotonic()
    result = run_convert(
        str(source),
        "-o",
        str(tmp_path / "out"),
        "--jobs",
        "2",
        "--timeout",
        "0.5",
        env={"POLICY_EXTRACT_TEST_WORKER_FAULT": "hang:stuck.md"},
    )
    assert time.monotonic() - started < 60
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "stuck.md: timed out after 0.5 s" in errors[0], errors
    assert len(list((tmp_path / "out").glob("*.json"))) == 5


def _processes_carrying(marker: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
        except OSError:
            continue
        if marker.encode() in environment:
            found.append(int(entry.name))
    return found


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc to find workers")
def test_ctrl_c_keeps_written_files_prints_the_summary_and_leaves_no_worker(
    tmp_path: Path,
) -> None:
    source = small_policies(tmp_path / "in", 1000)
    out = tmp_path / "out"
    marker = f"policy-extract-test-{uuid.uuid4()}"
    process = subprocess.Popen(
        convert_command(str(source), "-o", str(out), "--jobs", "2", "-q"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "POLICY_EXTRACT_TEST_MARKER": marker},
    )
    deadline = time.monotonic() + 60
    while len(list(out.glob("*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.01)
    process.send_signal(signal.SIGINT)
    _stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr
    assert "interrupted:" in stderr and "not converted" in stderr
    written = list(out.iterdir())
    assert 3 <= len(written) < 1000
    reported = re.search(r"interrupted: (\d+) converted", stderr)
    assert reported and int(reported[1]) == len(written), stderr[-500:]  # none left uncounted
    for path in written:
        assert path.suffix == ".json", path  # no temporary file left behind
        json.loads(path.read_text(encoding="utf-8"))  # every file written is whole
    time.sleep(0.5)
    assert _processes_carrying(marker) == []


def test_ctrl_c_counts_a_document_written_but_not_yet_reported(tmp_path: Path) -> None:
    """A worker has written policy0005.json and lingers before reporting it when Ctrl-C lands:
    the summary counts it, so "N converted" is the number of files on disk."""
    source = small_policies(tmp_path / "in", 300)
    out = tmp_path / "out"
    process = subprocess.Popen(
        convert_command(str(source), "-o", str(out), "--jobs", "2", "-q"),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "POLICY_EXTRACT_TEST_WORKER_FAULT": "linger:policy0005.md"},
    )
    deadline = time.monotonic() + 60
    while not (out / "policy0005.json").exists() and time.monotonic() < deadline:
        time.sleep(0.005)
    process.send_signal(signal.SIGINT)
    _stdout, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr[-2000:]
    reported = re.search(r"interrupted: (\d+) converted", stderr)
    assert reported, stderr[-500:]
    assert int(reported[1]) == len(list(out.glob("*.json")))
