"""Engines: where conversions run. One small interface; the Dask engine is in ``dask_engine``.

An engine takes jobs and yields one ``ConversionResult`` per job as each finishes (completion
order; callers that need input order sort by job). ``InProcessEngine`` converts in this process.
``LocalPoolEngine`` runs worker processes it manages itself, one job per worker at a time, so it
always knows which file a worker holds:

- a worker that dies (``kill -9``, the OOM killer, a crash in C code) fails that file only,
  "worker died (signal 9) while converting X", and a fresh worker takes its place;
- a worker stuck past the time limit in code the alarm cannot interrupt is killed;
- closing the result iterator (Ctrl-C included) terminates every worker: no orphans.

Workers are started by a fork server, so they are clean whatever threads this process runs (a
progress bar), ignore Ctrl-C (the parent decides), and silence pdfminer's log.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass
from fnmatch import fnmatch
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from .jobs import Job
from .scheduling import largest_first
from .worker import ConversionResult, Options, convert_one

__all__ = [
    "FAULT_HOOK",
    "Engine",
    "InProcessEngine",
    "LocalPoolEngine",
    "OnStart",
    "inject_test_fault",
]

OnStart = Callable[[Job], None]

# Test-only fault injection, read in workers only: "kill:GLOB" makes a worker converting a file
# whose name matches GLOB kill itself with SIGKILL (as the OOM killer would); "hang:GLOB" makes it
# block the alarm and sleep (as code stuck in a C library would).
FAULT_HOOK = "POLICY_EXTRACT_TEST_WORKER_FAULT"


class Engine(Protocol):
    """Runs conversions: one result per job, yielded as each finishes."""

    def results(
        self, jobs: Sequence[Job], options: Options, on_start: OnStart | None = None
    ) -> Generator[ConversionResult, None, None]: ...


class InProcessEngine:
    """Converts one job after the other in this process (no isolation, no start-up cost)."""

    def results(
        self, jobs: Sequence[Job], options: Options, on_start: OnStart | None = None
    ) -> Generator[ConversionResult, None, None]:
        for job in jobs:
            if on_start:
                on_start(job)
            yield convert_one(job, options)


@dataclass(slots=True, eq=False)  # identity: a worker is one process
class _Worker:
    process: BaseProcess
    connection: Connection
    job: Job | None = None
    started: float = 0.0


class LocalPoolEngine:
    """Up to ``workers`` processes on this machine, each converting one job at a time.

    Jobs are handed out largest first (``scheduling``), results yielded as they finish.
    """

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)

    def results(
        self, jobs: Sequence[Job], options: Options, on_start: OnStart | None = None
    ) -> Generator[ConversionResult, None, None]:
        pending = deque(largest_first(jobs))
        pool: list[_Worker] = []
        try:
            while pending or any(worker.job for worker in pool):
                _assign(pool, pending, min(self.workers, len(jobs)), options, on_start)
                yield from _collect(pool, options)
        finally:
            _stop_all(pool)


def _assign(
    pool: list[_Worker],
    pending: deque[Job],
    size: int,
    options: Options,
    on_start: OnStart | None,
) -> None:
    """Give each idle worker (starting workers up to ``size``) the next pending job."""
    for dead in [w for w in pool if w.job is None and not w.process.is_alive()]:
        _retire(pool, dead)  # died while idle (the OOM killer): no job of its to blame
    while pending:
        idle = next((w for w in pool if w.job is None), None)
        if idle is None:
            if len(pool) >= size:
                return
            idle = _start_worker(options)
            pool.append(idle)
        idle.job, idle.started = pending.popleft(), time.monotonic()
        with suppress(OSError):  # a worker already dead is reported by its sentinel
            idle.connection.send(idle.job)
        if on_start:
            on_start(idle.job)


def _collect(pool: list[_Worker], options: Options) -> Iterator[ConversionResult]:
    """Wait for the next finished, dead or overdue worker and yield what it gave."""
    busy = [w for w in pool if w.job is not None]
    handles: dict[Any, _Worker] = {w.connection: w for w in busy}
    handles.update({w.process.sentinel: w for w in busy})
    ready = wait(list(handles), timeout=_seconds_to_deadline(busy, options))
    for worker in dict.fromkeys(handles[h] for h in ready):
        job = worker.job
        assert job is not None
        result = _receive(worker)
        if result is None:  # the worker died: fail its job only, and replace it
            reason = f"worker died ({_exit_status(worker.process)}) while converting this file"
            result = ConversionResult(job, error=f"{job.label}: {reason}")
            _retire(pool, worker)
        worker.job = None
        yield result
    for worker in [w for w in busy if w.job is not None and _overdue(w, options)]:
        job, worker.job = worker.job, None
        _retire(pool, worker)
        assert job is not None and options.timeout
        yield ConversionResult(job, error=f"{job.label}: timed out after {options.timeout:g} s")


def _exit_status(process: BaseProcess) -> str:
    code = process.exitcode
    if code is None or code >= 0:
        return f"exit code {code}"
    try:
        return f"signal {-code}, {signal.Signals(-code).name}"
    except ValueError:
        return f"signal {-code}"


def _receive(worker: _Worker) -> ConversionResult | None:
    try:
        if worker.connection.poll():
            result: ConversionResult = worker.connection.recv()
            return result
    except (EOFError, OSError):
        pass
    worker.process.join(timeout=1)
    return None


def _seconds_to_deadline(busy: list[_Worker], options: Options) -> float | None:
    if not options.timeout:
        return None
    limit = options.timeout + _grace(options.timeout)
    return max(0.0, min(w.started + limit for w in busy) - time.monotonic())


def _overdue(worker: _Worker, options: Options) -> bool:
    if not options.timeout:
        return False
    return time.monotonic() - worker.started > options.timeout + _grace(options.timeout)


def _grace(timeout: float) -> float:
    """How long past its time limit a worker the alarm cannot stop is given before the kill."""
    return min(5.0, max(1.0, timeout))


def _start_worker(options: Options) -> _Worker:
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["policy_extract.pipeline", "policy_extract.render.json"])
    parent_end, child_end = context.Pipe()
    process = context.Process(target=_serve, args=(child_end, options), daemon=True)
    process.start()
    child_end.close()
    return _Worker(process, parent_end)


def _retire(pool: list[_Worker], worker: _Worker) -> None:
    """Stop ``worker`` and drop it from ``pool``; a new one is started when work needs it."""
    _stop(worker)
    pool.remove(worker)


def _stop_all(pool: list[_Worker]) -> None:
    """Terminate every worker; a second Ctrl-C meanwhile must not leave any behind."""
    previous = signal.getsignal(signal.SIGINT)
    main = _is_main_thread()
    if main:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _stop(*pool)
        pool.clear()
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)


def _stop(*workers: _Worker) -> None:
    """Terminate the workers together; any still alive two seconds later is killed."""
    for worker in workers:
        worker.connection.close()
        if worker.process.is_alive():
            worker.process.terminate()
    deadline = time.monotonic() + 2
    for worker in workers:
        worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()


def _is_main_thread() -> bool:
    import threading

    return threading.current_thread() is threading.main_thread()


def _serve(connection: Connection, options: Options) -> None:
    """A worker's life: convert each job it is sent until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    while True:
        try:
            job: Job = connection.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        inject_test_fault(job)
        result = convert_one(job, options)
        try:
            connection.send(result)
        except (OSError, ValueError):
            return  # the parent is gone
        except Exception as exc:  # a result that cannot be pickled: still one line, no traceback
            reason = f"internal error (result not sent: {type(exc).__name__}); please report"
            connection.send(ConversionResult(job, error=f"{job.label}: {reason}"))


def inject_test_fault(job: Job) -> None:
    """In a worker, the fault ``FAULT_HOOK`` asks for when ``job`` is converted (tests only)."""
    fault, _, fault_glob = os.environ.get(FAULT_HOOK, "").partition(":")
    if not fault_glob or not fnmatch(job.source.name, fault_glob):
        return
    if fault == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    if fault == "hang":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(3600)
