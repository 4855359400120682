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

import multiprocessing
import signal
import time
from collections import deque
from collections.abc import Callable, Generator, Iterator, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from multiprocessing import forkserver
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

from .interrupts import ctrl_c_held, on_main_thread
from .jobs import Job
from .pool_worker import Reply, result_of, serve
from .scheduling import estimated_cost, largest_first
from .worker import ConversionResult, Options, convert_one

__all__ = [
    "Engine",
    "InProcessEngine",
    "LocalPoolEngine",
    "OnStart",
]

OnStart = Callable[[Job], None]


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
    queue: deque[Job] = field(default_factory=deque)  # sent, not answered; the first is running
    started: float = 0.0  # when the first job of ``queue`` began

    @property
    def job(self) -> Job | None:
        """The job this worker is converting now."""
        return self.queue[0] if self.queue else None


class LocalPoolEngine:
    """Up to ``workers`` processes on this machine, each converting one job at a time.

    Jobs are handed out largest first (``scheduling``), results yielded as they finish. A worker
    busy with small documents is sent the next few small ones ahead (``_ahead``), so it never waits
    for a round trip; each document still has its own time limit and its own failure.
    """

    def __init__(self, workers: int, *, write_on_workers: bool = False) -> None:
        self.workers = max(1, workers)
        self.write_on_workers = write_on_workers  # each worker writes its outputs (same disk)
        _forkserver()
        forkserver.ensure_running()  # its imports overlap the caller's work until results()

    def results(
        self, jobs: Sequence[Job], options: Options, on_start: OnStart | None = None
    ) -> Generator[ConversionResult, None, None]:
        pending = deque(largest_first(jobs))
        costs = {job: estimated_cost(job) for job in jobs}
        pool: list[_Worker] = []
        try:
            while pending or any(worker.queue for worker in pool):
                size = min(self.workers, len(jobs))
                handout = _Handout(size, costs, options, on_start, self.write_on_workers)
                _assign(pool, pending, handout)
                yield from _collect(pool, pending, options, on_start)
        except KeyboardInterrupt:
            yield from _stop_and_drain(pool)  # what was finished counts, and is reported
            raise
        finally:
            _stop_all(pool)


@dataclass(frozen=True, slots=True)
class _Handout:
    size: int  # workers wanted
    costs: dict[Job, int]
    options: Options
    on_start: OnStart | None
    write_on_workers: bool


# Documents estimated below this cost (text-byte equivalents, ``scheduling``) are "small": a busy
# worker is sent up to _AHEAD of them ahead. A large one is only ever given to an idle worker, so
# no document waits behind a long one while another worker idles.
_SMALL_COST = 16 * 1024
_AHEAD = 8
# A busy worker is topped up to _AHEAD once it holds this many or fewer: one message of several
# jobs rather than one per result, so the parent wakes less often on a batch of small files.
_REFILL_AT = _AHEAD // 2
# When every busy worker has small documents queued, the parent waits this long after the first
# result before taking them, so it wakes once per few results (half its CPU on a batch of small
# files, CPU the workers then have); a large document is never queued, so never waits.
_COALESCE = 0.002


def _assign(pool: list[_Worker], pending: deque[Job], handout: _Handout) -> None:
    """Hand ``pending`` out one job a round to the workers holding least (starting workers up to
    ``size``), so a short batch is shared out rather than sent ahead to the first worker."""
    for dead in [w for w in pool if not w.queue and not w.process.is_alive()]:
        _retire(pool, dead)  # died while idle (the OOM killer): no job of its to blame
    idle = sum(1 for w in pool if not w.queue)
    for _ in range(min(handout.size - len(pool), len(pending) - idle)):
        pool.append(_start_worker(handout.options, handout.write_on_workers))
    batches: dict[_Worker, list[Job]] = {w: [] for w in pool}
    handed = True
    while pending and handed:
        handed = False
        for worker in sorted(pool, key=lambda w: len(w.queue) + len(batches[w])):
            if len(worker.queue) > _REFILL_AT:
                continue  # enough ahead: topped up later, several at a time
            held = [*worker.queue, *batches[worker]]
            if pending and _takes(held, pending[0], handout.costs):
                batches[worker].append(pending.popleft())
                handed = True
    for worker, batch in batches.items():
        _send(worker, batch, handout.on_start)


def _takes(held: list[Job], job: Job, costs: dict[Job, int]) -> bool:
    """Whether a worker holding ``held`` is given ``job`` now: always when idle; ahead of its
    current work only when everything it would hold is small."""
    if not held:
        return True
    small = all(costs.get(j, 0) < _SMALL_COST for j in (*held, job))
    return small and len(held) < _AHEAD


def _send(worker: _Worker, batch: list[Job], on_start: OnStart | None) -> None:
    """Send ``batch`` to ``worker`` in one message; an idle worker starts its first job now."""
    if not batch:
        return
    if not worker.queue:
        worker.started = time.monotonic()
        if on_start:
            on_start(batch[0])
    worker.queue.extend(batch)
    with suppress(OSError):  # a worker already dead is reported by its sentinel
        worker.connection.send(batch)


def _collect(
    pool: list[_Worker], pending: deque[Job], options: Options, on_start: OnStart | None
) -> Iterator[ConversionResult]:
    """Wait for the next finished, dead or overdue worker and yield what it gave.

    A worker that dies or overruns fails the job it was converting; the jobs sent to it ahead go
    back to the front of ``pending``, blamed for nothing.
    """
    busy = [w for w in pool if w.queue]
    handles: dict[Any, _Worker] = {w.connection: w for w in busy}
    handles.update({w.process.sentinel: w for w in busy})
    ready = wait(list(handles), timeout=_seconds_to_deadline(busy, options))
    if all(len(w.queue) > _REFILL_AT // 2 for w in busy):
        time.sleep(_COALESCE)  # no worker can run dry meanwhile: take its results in one go
    for worker in dict.fromkeys(handles[h] for h in ready):
        yield from _take_results(worker, pool, pending, on_start)
    for worker in [w for w in busy if w in pool and w.queue and _overdue(w, options)]:
        job = worker.queue.popleft()
        pending.extendleft(reversed(worker.queue))
        worker.queue.clear()
        _retire(pool, worker)
        assert options.timeout
        yield ConversionResult(job, error=f"{job.label}: timed out after {options.timeout:g} s")


def _take_results(
    worker: _Worker, pool: list[_Worker], pending: deque[Job], on_start: OnStart | None
) -> Iterator[ConversionResult]:
    """Every result ``worker`` has sent so far (at least one: it is ready), or its death."""
    first = True
    while worker.queue and (first or _has_message(worker)):
        first = False
        with ctrl_c_held():  # from taking the result until the caller has handled it
            job = worker.queue.popleft()
            result = _receive(worker, job)
            if result is None:  # the worker died: fail its job only, and replace it
                reason = f"worker died ({_exit_status(worker.process)}) while converting this file"
                result = ConversionResult(job, error=f"{job.label}: {reason}")
                pending.extendleft(reversed(worker.queue))
                worker.queue.clear()
                _retire(pool, worker)
            elif worker.queue:
                worker.started = time.monotonic()
                if on_start:
                    on_start(worker.queue[0])
            yield result


def _has_message(worker: _Worker) -> bool:
    try:
        return worker.connection.poll()
    except (EOFError, OSError):
        return False


def _exit_status(process: BaseProcess) -> str:
    code = process.exitcode
    if code is None or code >= 0:
        return f"exit code {code}"
    try:
        return f"signal {-code}, {signal.Signals(-code).name}"
    except ValueError:
        return f"signal {-code}"


def _receive(worker: _Worker, job: Job) -> ConversionResult | None:
    """The result of ``job``, the first the worker holds; None when the worker died."""
    try:
        if worker.connection.poll():
            return result_of(job, worker.connection.recv())
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


def _forkserver() -> Any:
    context = multiprocessing.get_context("forkserver")
    # Imported once in the fork server, so a new worker starts warm: the Markdown loader and its
    # parser are ~10 ms of a worker's first document (pdfplumber stays lazy: PDF-free
    # batches should not pay for it). A worker imports its own code and runs the program's
    # script again as it starts (multiprocessing does, for a script run by path): for the
    # ``policy-extract`` command that is the command line, ~45 ms a worker unless imported here.
    context.set_forkserver_preload(
        [
            "policy_extract.cli",
            "policy_extract.batch.pool_worker",
            "policy_extract.pipeline",
            "policy_extract.render.json",
            "policy_extract.loaders.markdown",
            "policy_extract.loaders._markdown_events",
            "policy_extract.loaders.text",
        ]
    )
    return context


def _start_worker(options: Options, write: bool = False) -> _Worker:
    context = _forkserver()
    parent_end, child_end = context.Pipe()
    process = context.Process(target=serve, args=(child_end, options, write), daemon=True)
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
    main = on_main_thread()
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
    _end(workers)


def _end(workers: Sequence[_Worker]) -> None:
    for worker in workers:
        if worker.process.is_alive():
            worker.process.terminate()
    deadline = time.monotonic() + 2
    for worker in workers:
        worker.process.join(timeout=max(0.0, deadline - time.monotonic()))
        if worker.process.is_alive():
            worker.process.kill()
            worker.process.join()


def _stop_and_drain(pool: list[_Worker]) -> list[ConversionResult]:
    """On Ctrl-C: stop every worker, then take the results they sent before stopping (a worker
    finishes writing and sending a document before it obeys), so the summary counts every file
    written. A second Ctrl-C meanwhile is ignored."""
    previous = signal.getsignal(signal.SIGINT)
    main = on_main_thread()
    if main:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        _end(pool)
        finished = [result for worker in pool for result in _sent_before_stopping(worker)]
        _stop_all(pool)
    finally:
        if main:
            signal.signal(signal.SIGINT, previous)
    return finished


def _sent_before_stopping(worker: _Worker) -> Iterator[ConversionResult]:
    """The results left in a stopped worker's pipe, in the order its jobs were sent."""
    while worker.queue:
        try:
            if not worker.connection.poll():
                return
            reply: Reply = worker.connection.recv()
        except Exception:  # a message cut short by the stop: the job was not finished
            return
        yield result_of(worker.queue.popleft(), reply)
