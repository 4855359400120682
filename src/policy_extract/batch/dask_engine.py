"""The Dask engine: the same batch on a Dask cluster (``pip install "policy-extract[dask]"``).

One task per document. The client reads each source and sends its bytes; the worker converts
them under the source's own name (so the output is the same bytes as on this machine) and returns
the JSON text, which the client writes as results arrive: workers need no shared filesystem.
With ``write_on_workers`` the worker writes the outputs itself (to the same absolute paths, on a
filesystem the workers share) and returns only the lines to report.

A poisonous document must not take the batch down with it:

- tasks are submitted with ``retries=0`` and a ``LocalCluster`` we start has
  ``allowed-failures`` 0, so a worker that dies (or that Dask's memory monitor restarts) fails
  the document it held, once, with a one-line reason; the batch goes on;
- only as many tasks as the cluster has threads are in flight, largest documents first
  (``scheduling``), so a dying worker holds no other document, and memory stays flat however
  long the batch;
- the time limit runs in the worker's task thread (Dask runs tasks off the main thread, where
  no alarm can reach): the timer raises ``DocumentTimeout`` in that thread.

``distributed`` is imported only when this engine runs.
"""

from __future__ import annotations

import ctypes
import logging
import signal
import threading
import time
import warnings
from collections.abc import Generator, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import replace
from typing import Any

from ..errors import PolicyExtractError
from ..loaders import input_size_limit, provided_source, read_source_bytes
from .engines import OnStart
from .faults import inject_test_fault
from .jobs import Job
from .scheduling import largest_first
from .worker import ConversionResult, DocumentTimeout, Options, convert_one, failed_to_read
from .writing import write_outputs

# ``distributed`` is optional and only partly typed: its objects are ``Any`` here.
Client = Any
Future = Any

__all__ = ["ClusterError", "DaskEngine", "convert_on_worker"]

LOCAL = "local"


class ClusterError(PolicyExtractError):
    """The cluster cannot be used (dask missing, scheduler unreachable); ``path`` is its address."""


class DaskEngine:
    """Conversions on a Dask cluster: ``cluster`` is a scheduler address or ``"local"``.

    ``"local"`` starts a ``LocalCluster`` of ``workers`` single-threaded processes, each with a
    memory limit of ``Options.max_memory`` (Dask restarts a worker over it).
    """

    def __init__(
        self,
        cluster: str,
        workers: int = 1,
        *,
        write_on_workers: bool = False,
        connect_timeout: float = 20.0,
    ) -> None:
        self.cluster = cluster
        self.workers = max(1, workers)
        self.write_on_workers = write_on_workers
        self.connect_timeout = connect_timeout

    def results(
        self, jobs: Sequence[Job], options: Options, on_start: OnStart | None = None
    ) -> Generator[ConversionResult, None, None]:
        with self._client(options) as client:
            yield from _stream(client, largest_first(jobs), options, on_start, self)

    @contextmanager
    def _client(self, options: Options) -> Iterator[Client]:
        distributed = _import_distributed(self.cluster)
        cluster = None
        try:
            if self.cluster == LOCAL:
                cluster = _start_local_cluster(distributed, self.workers, options)
            client = distributed.Client(cluster or self.cluster, timeout=self.connect_timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            if cluster is not None:
                cluster.close()
            raise ClusterError(self.cluster, f"cannot reach the Dask cluster: {exc}") from None
        try:
            client.wait_for_workers(1, timeout=60)
        except TimeoutError:
            client.close()
            raise ClusterError(self.cluster, "no Dask worker joined within 60 s") from None
        try:
            yield client
        finally:
            client.close()
            if cluster is not None:
                cluster.close()


def _import_distributed(address: str) -> Any:
    try:
        import distributed
    except ImportError:
        reason = "--cluster needs Dask: pip install 'policy-extract[dask]'"
        raise ClusterError(address, reason) from None
    # Dask's own log lines (worker restarts, "unmanaged memory") are not the user's concern:
    # what matters reaches the user as one line per document.
    for name in ("distributed", "bokeh", "tornado"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    return distributed


def _start_local_cluster(distributed: Any, workers: int, options: Options) -> Any:
    import dask

    settings = {
        "distributed.scheduler.allowed-failures": 0,  # a dead worker's task is not retried
        "distributed.scheduler.worker-saturation": 1.0,  # no task waits on a worker that dies
    }
    with dask.config.set(settings), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "port 8787 in use: dashboard elsewhere" and the like
        return distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            memory_limit=options.max_memory or 0,
            silence_logs=logging.CRITICAL,
            preload=[__name__],  # runs ``dask_setup`` in each worker process
        )


def dask_setup(worker: Any) -> None:
    """In each worker process of a LocalCluster we start: Ctrl-C is the client's to handle.

    The terminal sends it to every process of the batch; a worker must not print a traceback.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _stream(
    client: Client,
    jobs: Sequence[Job],
    options: Options,
    on_start: OnStart | None,
    engine: DaskEngine,
) -> Iterator[ConversionResult]:
    """Keep the cluster's threads busy with the next jobs; yield each result as it arrives."""
    in_flight = max(1, sum(client.nthreads().values()))
    pending = iter(jobs)
    running: dict[Future, tuple[Job, float]] = {}  # the job and when it was sent
    try:
        while True:
            while len(running) < in_flight and (job := next(pending, None)) is not None:
                if on_start:
                    on_start(job)
                future_or_failure = _submit(client, job, options, engine.write_on_workers)
                if isinstance(future_or_failure, ConversionResult):
                    yield future_or_failure
                else:
                    running[future_or_failure] = (job, time.monotonic())
            if not running:
                return
            for future in _finished(running, options):
                yield _result_of(future, running.pop(future)[0])
            for future in _overdue(running, options):
                yield _time_out(client, future, running.pop(future)[0], options)
    finally:
        client.cancel(list(running))


def _finished(running: dict[Future, tuple[Job, float]], options: Options) -> list[Future]:
    """Futures done, waiting at most until the first running job passes its time limit."""
    import distributed

    timeout = None
    if options.timeout:
        first = min(sent for _, sent in running.values())
        timeout = max(0.0, first + options.timeout + _grace(options.timeout) - time.monotonic())
    wait: Any = distributed.wait
    try:
        done, _ = wait(list(running), timeout=timeout, return_when="FIRST_COMPLETED")
    except TimeoutError:
        return []
    return [future for future in running if future in done]  # in submission order


def _overdue(running: dict[Future, tuple[Job, float]], options: Options) -> list[Future]:
    if not options.timeout:
        return []
    limit = options.timeout + _grace(options.timeout)
    now = time.monotonic()
    return [future for future, (_, sent) in running.items() if now - sent > limit]


def _grace(timeout: float) -> float:
    """How long past its limit a task (stuck where the timer cannot reach) runs before restart."""
    return min(5.0, max(1.0, timeout))


def _time_out(client: Client, future: Future, job: Job, options: Options) -> ConversionResult:
    """Fail a job stuck past its limit, and restart the worker holding it (when Dask can)."""
    # A worker without a nanny cannot be restarted: the job has failed all the same.
    with suppress(Exception):
        holders = [w for w, keys in client.processing().items() if future.key in keys]
        future.cancel()
        if holders:
            client.restart_workers(holders, raise_for_error=False)
    assert options.timeout
    return ConversionResult(job, error=f"{job.label}: timed out after {options.timeout:g} s")


def _submit(
    client: Client, job: Job, options: Options, write_on_workers: bool
) -> Future | ConversionResult:
    """Send ``job`` with its bytes; a source that cannot be read fails here, as it would locally."""
    try:
        with input_size_limit(options.max_size):
            data = read_source_bytes(job.source)
    except PolicyExtractError as exc:
        return failed_to_read(job, exc)
    shipped = replace(job, shown_as=job.label)
    if write_on_workers:
        shipped = replace(shipped, target=job.target.absolute())
    return client.submit(
        convert_on_worker, shipped, data, options, write_on_workers, pure=False, retries=0
    )


def _result_of(future: Future, job: Job) -> ConversionResult:
    """The worker's result under the client's own ``job``; a dead worker fails this job only."""
    if future.status == "finished":
        result: ConversionResult = future.result()
        result.job = job
        return result
    if future.status != "error":
        reason = f"task {future.status} on the cluster (scheduler lost?)"
    elif type(error := future.exception()).__name__ == "KilledWorker":
        reason = "worker died (or was restarted by Dask) while converting this file"
    else:
        reason = f"internal error on the cluster ({type(error).__name__}: {error}); please report"
    return ConversionResult(job, error=f"{job.label}: {reason}")


def convert_on_worker(
    job: Job, data: bytes, options: Options, write_on_workers: bool
) -> ConversionResult:
    """The task: convert ``data`` as ``job.source``; write the outputs here when asked."""
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    inject_test_fault(job)
    # The memory limit is the worker's (Dask's monitor); an address-space cap would be shared by
    # every thread of the worker process, Dask's own included.
    local_options = replace(options, timeout=None, max_memory=None)
    try:
        with thread_time_limit(options.timeout), provided_source(job.source, data):
            result = convert_one(job, local_options)
    except DocumentTimeout as exc:  # delivered just as the conversion ended
        result = ConversionResult(job, error=f"{job.label}: {exc.reason()}")
    return write_outputs(result) if write_on_workers else result


@contextmanager
def thread_time_limit(seconds: float | None) -> Iterator[None]:
    """Raise ``DocumentTimeout`` in this thread after ``seconds``, whichever thread it is.

    The exception is delivered between two Python bytecodes (the parser and pdfminer are
    Python), and never after the block: leaving it cancels one still pending.
    """
    if not seconds:
        yield
        return
    thread = ctypes.c_ulong(threading.get_ident())
    timeout_type = type("DocumentTimeout", (DocumentTimeout,), {"__init__": _init_for(seconds)})
    lock, state = threading.Lock(), {"inside": True, "fired": False}

    def on_time_up() -> None:
        with lock:
            if state["inside"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(thread, ctypes.py_object(timeout_type))

    timer = threading.Timer(seconds, on_time_up)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        timer.cancel()
        with lock:
            state["inside"] = False
            if state["fired"]:  # raised already, or pending: clear what is still pending
                ctypes.pythonapi.PyThreadState_SetAsyncExc(thread, None)


def _init_for(seconds: float) -> Any:
    def __init__(self: DocumentTimeout) -> None:
        DocumentTimeout.__init__(self, seconds)

    return __init__
