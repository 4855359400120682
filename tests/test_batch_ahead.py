"""Small documents sent ahead to a busy worker: faster batches, the same per-document guarantees."""

from __future__ import annotations

from pathlib import Path

import pytest

from policy_extract.batch import Job
from policy_extract.batch.engines import _AHEAD, _SMALL_COST, _takes
from test_batch_scale import run_convert, small_policies

SMALL, LARGE = _SMALL_COST - 1, _SMALL_COST


def _jobs(*costs: int) -> tuple[list[Job], dict[Job, int]]:
    jobs = [Job(Path(f"doc{n}.md"), Path(f"out/doc{n}")) for n in range(len(costs))]
    return jobs, dict(zip(jobs, costs, strict=True))


@pytest.mark.parametrize(
    ("held", "next_cost", "taken"),
    [
        ([], LARGE, True),  # an idle worker takes whatever comes next
        ([], SMALL, True),
        ([SMALL], SMALL, True),  # small work is sent ahead of small work
        ([SMALL] * (_AHEAD - 1), SMALL, True),
        ([SMALL] * _AHEAD, SMALL, False),  # up to a limit
        ([SMALL], LARGE, False),  # a large document waits for an idle worker
        ([LARGE], SMALL, False),  # nothing waits behind a large document
    ],
)
def test_only_small_documents_wait_in_a_busy_workers_queue(
    held: list[int], next_cost: int, taken: bool
) -> None:
    jobs, costs = _jobs(*held, next_cost)
    assert _takes(jobs[:-1], jobs[-1], costs) is taken


def _converted_lines(stdout: str) -> list[str]:
    return sorted(line.split(" -> ")[0] for line in stdout.splitlines() if " -> " in line)


def test_documents_sent_ahead_of_a_killed_one_are_converted_once_each(tmp_path: Path) -> None:
    source = small_policies(tmp_path / "in", 20)
    (source / "policy0000.md").rename(source / "a_doomed.md")  # first: others queue behind it
    out = tmp_path / "out"
    env = {"POLICY_EXTRACT_TEST_WORKER_FAULT": "kill:a_doomed.md"}
    result = run_convert(str(source), "-o", str(out), "--jobs", "2", env=env)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "a_doomed.md: worker died" in errors[0], errors
    others = sorted(p.name for p in source.iterdir() if p.name != "a_doomed.md")
    assert [Path(label).name for label in _converted_lines(result.stdout)] == others
    assert sorted(p.name for p in out.iterdir()) == [f"{Path(n).stem}.json" for n in others]


def test_documents_sent_ahead_of_a_stuck_one_are_converted_once_each(tmp_path: Path) -> None:
    source = small_policies(tmp_path / "in", 12)
    (source / "policy0000.md").rename(source / "a_stuck.md")
    out = tmp_path / "out"
    env = {"POLICY_EXTRACT_TEST_WORKER_FAULT": "hang:a_stuck.md"}
    result = run_convert(str(source), "-o", str(out), "--jobs", "2", "--timeout", "0.5", env=env)
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "a_stuck.md: timed out after 0.5 s" in errors[0], errors
    others = sorted(p.name for p in source.iterdir() if p.name != "a_stuck.md")
    assert [Path(label).name for label in _converted_lines(result.stdout)] == others
    assert len(list(out.glob("*.json"))) == len(others)


def test_a_worker_that_cannot_write_fails_that_document_in_one_line(tmp_path: Path) -> None:
    source = small_policies(tmp_path / "in", 6)
    out = tmp_path / "out"
    (out / "policy0002.json").mkdir(parents=True)  # a folder where the output file goes
    result = run_convert(str(source), "-o", str(out), "--jobs", "2")
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1 and "policy0002.json: is a folder" in errors[0], errors
    assert "Traceback" not in result.stderr and result.returncode == 1
    written = sorted(p.name for p in out.glob("*.json") if p.is_file())
    assert written == [f"policy{n:04d}.json" for n in range(6) if n != 2]
    assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []  # no temporary file
