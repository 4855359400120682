"""Batch speed: local pool scheduling and the Dask engine, as ratios taken in the same run.

    .venv/bin/python benchmarks/batch_bench.py [--small N] [--many N] [--skip-dask] [--repeat N]

Prints:
- the machine's own ceiling: two processes of pure Python work over one (shared cores, caches);
- ``--jobs 2`` over ``--jobs 1`` wall time on the real PDFs (../shared/corpus/real) and on N small
  Markdown files, with jobs handed out in folder order (before) and largest first (now); with
  ``--repeat N`` the runs are interleaved (jobs 1, jobs 2, jobs 1, ...) and the median ratio is
  given, with the parent's CPU seconds and the in-process ``--jobs 1`` the CLI uses;
- the local pool (2 workers) against a 2-worker Dask ``LocalCluster`` on the same batches: the
  ratio, and Dask's overhead per document (cluster start-up reported apart);
- with ``--many N``: N copies through a 2-worker ``LocalCluster``, with the client's and the
  workers' resident memory at each tenth of the way (steady memory means no leak per document).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "corpus" / "real"
sys.path.insert(0, str(ROOT / "tests"))

from policy_extract.batch import (  # noqa: E402
    DaskEngine,
    Engine,
    InProcessEngine,
    Job,
    LocalPoolEngine,
    Options,
    collect_jobs,
    engines,
    write_outputs,
)


def small_policies(folder: Path, count: int) -> Path:
    """``tests/test_batch_scale.small_policies``, imported only when called: a pool worker runs
    this script again as it starts, and should not import pytest with it (the command line's
    workers do not)."""
    from test_batch_scale import small_policies as write_small_policies

    return write_small_policies(folder, count)


def run(engine: Engine, jobs: Sequence[Job], every: Callable[[int], None] | None = None) -> float:
    """Seconds to convert and write every job; ``every(done)`` after each result."""
    started = time.perf_counter()
    for done, result in enumerate(engine.results(jobs, Options()), start=1):
        write_outputs(result)
        assert result.error is None, result.error
        if every:
            every(done)
    return time.perf_counter() - started


def jobs_of(source: Path, out: Path) -> list[Job]:
    shutil.rmtree(out, ignore_errors=True)
    return collect_jobs([source], out).jobs


def in_folder_order(jobs: Sequence[Job]) -> list[Job]:
    return list(jobs)


WORKER_CPU: list[float] = []  # CPU seconds of each worker stopped, read just before its end
_stop_workers = engines._stop


def _stop_and_count(*workers: Any) -> None:
    for worker in workers:
        with contextlib.suppress(OSError, IndexError):
            fields = Path(f"/proc/{worker.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
            WORKER_CPU.append((int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK"))
    _stop_workers(*workers)


engines._stop = _stop_and_count


def timed(engine: Engine, source: Path, out: Path) -> tuple[float, float]:
    """Wall seconds of one run, and the CPU seconds this (parent) process spent in it."""
    jobs = jobs_of(source, out)
    cpu = time.process_time()
    WORKER_CPU.clear()
    wall = run(engine, jobs)
    if WORKER_CPU:
        print(
            f"    {type(engine).__name__}({getattr(engine, 'workers', 1)}): wall {wall:.1f} s,"
            f" parent CPU {time.process_time() - cpu:.2f} s, worker CPU"
            f" {' + '.join(f'{c:.1f}' for c in WORKER_CPU)} s"
        )
    return wall, time.process_time() - cpu


# How the pool ran at each step: (label, order, documents a busy worker holds, workers write).
VARIANTS = (
    ("folder order", in_folder_order, 1, False),
    ("largest first", engines.largest_first, 1, False),
    ("largest first, small sent ahead, workers write", engines.largest_first, engines._AHEAD, True),
)


def jobs_ratio(name: str, source: Path, out: Path, repeat: int = 1, steps: str = "") -> None:
    """--jobs 2 over --jobs 1 for each step of VARIANTS (``steps``: "0,2" some), median of runs."""
    largest_first, ahead = engines.largest_first, engines._AHEAD
    chosen = [VARIANTS[int(n)] for n in steps.split(",")] if steps else VARIANTS
    for label, order, holds, write in chosen:
        engines.largest_first, engines._AHEAD = order, holds  # how the pool hands jobs out
        ones, twos, ratios = [], [], []
        for _ in range(repeat):  # interleaved, so a busy spell on a shared machine hits both
            ones.append(timed(LocalPoolEngine(1, write_on_workers=write), source, out))
            twos.append(timed(LocalPoolEngine(2, write_on_workers=write), source, out))
            ratios.append(ones[-1][0] / twos[-1][0])
        one, two = statistics.median(w for w, _ in ones), statistics.median(w for w, _ in twos)
        cpu_one, cpu_two = (statistics.median(c for _, c in runs) for runs in (ones, twos))
        print(
            f"{name}: --jobs 1 {one:.1f} s, --jobs 2 {two:.1f} s: x{statistics.median(ratios):.2f}"
            f" ({label}; median of {repeat}: {', '.join(f'x{r:.2f}' for r in ratios)}; parent CPU"
            f" {cpu_one:.2f} s / {cpu_two:.2f} s)"
        )
    engines.largest_first, engines._AHEAD = largest_first, ahead
    if steps:
        return
    in_process = statistics.median(timed(InProcessEngine(), source, out)[0] for _ in range(repeat))
    print(f"{name}: --jobs 1 in this process (as the CLI runs it) {in_process:.1f} s")
    print(f"  load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def dask_against_pool(name: str, source: Path, out: Path, address: str) -> None:
    pool = run(LocalPoolEngine(2), jobs_of(source, out))
    jobs = jobs_of(source, out)
    dask = run(DaskEngine(address), jobs)
    per_doc = (dask - pool) / len(jobs) * 1000
    print(
        f"{name}: local pool {pool:.1f} s, Dask LocalCluster {dask:.1f} s: x{dask / pool:.2f} "
        f"({per_doc:+.1f} ms per document, {len(jobs)} documents)"
    )


def resident_bytes() -> int:
    import psutil  # a dependency of distributed

    return int(psutil.Process().memory_info().rss)


def memory_mb(client: Any) -> tuple[float, float]:
    """Resident memory of this process (the client) and of the largest worker, in MB."""
    workers = client.run(resident_bytes)
    return resident_bytes() / 2**20, max(workers.values()) / 2**20


def many_copies(count: int, workdir: Path, cluster: Any) -> None:
    from distributed import Client

    source = small_policies(workdir / "many", count)
    jobs = jobs_of(source, workdir / "many-out")
    client = Client(cluster)
    samples: list[str] = []

    def sample(done: int) -> None:
        if done % max(1, count // 10) == 0:
            here, worker = memory_mb(client)
            samples.append(f"{done}: client {here:.0f} MB, worker {worker:.0f} MB")

    seconds = run(DaskEngine(cluster.scheduler_address), jobs, sample)
    print(f"{count} copies on a 2-worker LocalCluster: {seconds:.0f} s ({count / seconds:.0f}/s)")
    print("  resident memory: " + "; ".join(samples))
    client.close()


def _spin(count: int) -> int:
    total = 0
    for number in range(count):
        total += number * number
    return total


def machine_ceiling(repeat: int, count: int = 10_000_000) -> None:
    """What two processes gain over one on this machine for pure Python work (no I/O, no
    sharing): the most any --jobs 2 ratio can reach here, measured in the same run."""
    import multiprocessing

    context = multiprocessing.get_context("fork")
    ratios = []
    for _ in range(repeat):
        started = time.perf_counter()
        _spin(count), _spin(count)
        one = time.perf_counter() - started
        started = time.perf_counter()
        processes = [context.Process(target=_spin, args=(count,)) for _ in range(2)]
        for process in processes:
            process.start()
        for process in processes:
            process.join()
        ratios.append(one / (time.perf_counter() - started))
    print(
        f"machine: two processes of pure Python over one: x{statistics.median(ratios):.2f}"
        f" (median of {repeat}: {', '.join(f'x{r:.2f}' for r in ratios)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1000, help="small Markdown files")
    parser.add_argument("--many", type=int, default=0, help="copies for the long Dask run")
    parser.add_argument("--skip-dask", action="store_true")
    parser.add_argument("--only-many", action="store_true", help="only the --many run")
    parser.add_argument("--repeat", type=int, default=1, help="interleaved runs per ratio")
    parser.add_argument("--steps", default="", help='steps of VARIANTS to run ("0,2"), else all')
    parser.add_argument("--skip-real", action="store_true", help="not the real PDFs")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        workdir = Path(temporary)
        small = small_policies(workdir / "small", args.small)
        batches = [(f"{args.small} small Markdown files", small)] if args.small else []
        if REAL.is_dir() and not args.skip_real:
            batches.insert(0, (f"{len(list(REAL.glob('*.pdf')))} real PDFs", REAL))
        if not args.only_many:
            machine_ceiling(max(3, args.repeat))
        for name, source in [] if args.only_many else batches:
            jobs_ratio(name, source, workdir / "out", args.repeat, args.steps)
        if args.skip_dask:
            return
        import distributed

        started = time.perf_counter()
        with distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
        ) as cluster:
            print(f"LocalCluster start-up (2 workers): {time.perf_counter() - started:.1f} s")
            for name, source in [] if args.only_many else batches:
                dask_against_pool(name, source, workdir / "out", cluster.scheduler_address)
            if args.many:
                many_copies(args.many, workdir, cluster)


if __name__ == "__main__":
    main()
