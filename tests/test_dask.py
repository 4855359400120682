"""The same batch on a real Dask cluster of two worker processes: same bytes, same failures."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REAL_CORPUS, fixture_documents

distributed = pytest.importorskip(
    "distributed", reason="dask[distributed] is not installed (pip install -e '.[dask]')"
)

FAULT_HOOK = "POLICY_EXTRACT_TEST_WORKER_FAULT"


@pytest.fixture(scope="module")
def scheduler() -> Iterator[str]:
    """A scheduler address with two single-threaded worker processes, as a user would run them.

    Its workers hang on files named ``stuck*`` (as code stuck in a C library would).
    """
    import dask

    settings = {"distributed.scheduler.allowed-failures": 0}
    with (
        dask.config.set(settings),
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=":0",  # any free port: 8787 may be taken
            env={FAULT_HOOK: "hang:stuck*"},
        ) as cluster,
    ):
        yield cluster.scheduler_address


def convert(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policy_extract", "convert", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def sources(tmp_path: Path) -> Path:
    """The fixture policies (Markdown and text)."""
    folder = tmp_path / "in"
    folder.mkdir()
    for source in fixture_documents():
        shutil.copy(source, folder / source.name)
    return folder


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixtures and, when the real corpus is here, its smallest PDF (a few seconds)."""
    folder = tmp_path_factory.mktemp("corpus")
    for source in fixture_documents():
        shutil.copy(source, folder / source.name)
    if REAL_CORPUS.is_dir():
        pdf = min(REAL_CORPUS.glob("*.pdf"), key=lambda p: p.stat().st_size)
        shutil.copy(pdf, folder / pdf.name)
    return folder


FORMATS = ("--format", "json,md")


@pytest.fixture(scope="module")
def local_run(
    corpus: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[subprocess.CompletedProcess[str], Path]:
    """The corpus converted by the local pool: what every engine must give."""
    out = tmp_path_factory.mktemp("local")
    result = convert(str(corpus), "-o", str(out), "--jobs", "2", *FORMATS)
    assert result.returncode == 0, result.stderr
    return result, out


def summary_lines(result: subprocess.CompletedProcess[str], out: Path) -> list[str]:
    return [line.replace(str(out), "OUT") for line in result.stderr.splitlines()]


def test_outputs_on_a_cluster_are_the_bytes_of_the_local_pool(
    scheduler: str, corpus: Path, local_run: tuple[subprocess.CompletedProcess[str], Path],
    tmp_path: Path,
) -> None:  # fmt: skip
    local, local_out = local_run
    out = tmp_path / "dask"
    on_cluster = convert(str(corpus), "-o", str(out), "--cluster", scheduler, *FORMATS)
    assert on_cluster.returncode == 0, on_cluster.stderr
    written = files_under(out)
    assert len(written) == 2 * len(list(corpus.iterdir()))
    assert written == files_under(local_out)
    assert on_cluster.stdout == local.stdout  # the lines name outputs relative to -o
    assert summary_lines(on_cluster, out) == summary_lines(local, local_out)


def test_workers_write_the_same_files_when_asked(
    scheduler: str, corpus: Path, local_run: tuple[subprocess.CompletedProcess[str], Path],
    tmp_path: Path,
) -> None:  # fmt: skip
    out = tmp_path / "dask"
    args = ("--cluster", scheduler, "--write-on-workers", *FORMATS)
    on_workers = convert(str(corpus), "-o", str(out), *args)
    assert on_workers.returncode == 0, on_workers.stderr
    assert files_under(out) == files_under(local_run[1])


def test_a_killed_worker_fails_its_document_only(sources: Path, tmp_path: Path) -> None:
    """--cluster local: a LocalCluster started for the batch; one worker dies mid-batch."""
    shutil.copy(sources / "infliximab.md", sources / "poison.md")
    out = tmp_path / "out"
    result = convert(
        str(sources), "-o", str(out), "--cluster", "local", "--jobs", "2",
        env={FAULT_HOOK: "kill:poison*"},
    )  # fmt: skip
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {sources / 'poison.md'}: worker died (or was restarted by Dask) "
                      "while converting this file"]  # fmt: skip
    others = sorted(p.stem for p in sources.iterdir() if p.name != "poison.md")
    assert sorted(p.stem for p in out.iterdir()) == others
    assert "1 failed" in result.stderr


def test_a_document_stuck_past_its_time_limit_fails_alone(
    scheduler: str, sources: Path, tmp_path: Path
) -> None:
    shutil.copy(sources / "infliximab.md", sources / "stuck.md")
    out = tmp_path / "out"
    result = convert(str(sources), "-o", str(out), "--cluster", scheduler, "--timeout", "1")
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors == [f"error: {sources / 'stuck.md'}: timed out after 1 s"]
    assert len(list(out.iterdir())) == len(list(sources.iterdir())) - 1


def test_a_cluster_out_of_reach_is_one_line(tmp_path: Path) -> None:
    from policy_extract.batch import ClusterError, DaskEngine, Job, Options

    engine = DaskEngine("tcp://127.0.0.1:9", connect_timeout=0.5)
    job = Job(fixture_documents()[0], tmp_path / "out")
    with pytest.raises(ClusterError) as caught:
        list(engine.results([job], Options()))
    assert caught.value.one_line().startswith("tcp://127.0.0.1:9: cannot reach the Dask cluster")


def test_write_on_workers_without_a_cluster_is_refused(tmp_path: Path) -> None:
    result = convert(str(fixture_documents()[0]), "-o", str(tmp_path), "--write-on-workers")
    assert result.returncode == 2
    assert result.stderr.strip() == "error: --write-on-workers needs --cluster"


def test_ctrl_c_on_a_local_cluster_stops_it_without_a_traceback(tmp_path: Path) -> None:
    """The terminal sends Ctrl-C to the client and to every worker process of the batch."""
    from test_batch_scale import small_policies

    source = small_policies(tmp_path / "in", 1000)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [sys.executable, "-m", "policy_extract", "convert", str(source), "-o", str(out),
         "--cluster", "local", "--jobs", "2", "-q"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while len(list(out.glob("*.json"))) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    os.killpg(process.pid, signal.SIGINT)
    _stdout, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr
    assert "interrupted:" in stderr and "not converted" in stderr
    assert 3 <= len(list(out.iterdir())) < 1000
