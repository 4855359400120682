"""A local pool worker's side: convert the jobs the parent sends, in order, and reply to each.

A reply is the result without its job (the parent holds the job), so no paths are pickled and
parsed again for every document. Outputs are written before the reply when the worker writes
them, and a stop (SIGTERM) waits until the reply is sent: what is on disk is always reported.
"""

from __future__ import annotations

import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection

from .faults import inject_test_fault
from .jobs import Job
from .worker import ConversionResult, Options, convert_one
from .writing import write_outputs

__all__ = ["Reply", "result_of", "serve"]

# What a worker sends back for each job, in the order it was sent them.
Reply = tuple[dict[str, str], list[str], str | None, bool]  # outputs, warnings, error, written


def _reply_of(result: ConversionResult) -> Reply:
    return result.outputs, result.warnings, result.error, result.written


def result_of(job: Job, reply: Reply) -> ConversionResult:
    outputs, warnings, error, written = reply
    return ConversionResult(job, outputs, warnings, error, written)


def serve(connection: Connection, options: Options, write: bool = False) -> None:
    """A worker's life: convert the jobs it is sent, in order, until the parent closes the pipe."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGTERM, _exit_on_terminate)  # unwind: no temporary file left behind
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    while True:
        try:
            batch: list[Job] = connection.recv()
        except (EOFError, OSError, KeyboardInterrupt):
            return
        for job in batch:
            if not _convert_and_send(connection, job, options, write):
                return


def _exit_on_terminate(signum: int, frame: object) -> None:
    raise SystemExit(128 + signum)


def _convert_and_send(connection: Connection, job: Job, options: Options, write: bool) -> bool:
    """Convert ``job`` (and write its outputs when asked) and send its result; False once the
    parent is gone."""
    inject_test_fault(job)
    result = convert_one(job, options)
    with _stop_deferred():  # outputs on disk are always reported: the stop waits for the send
        if write:
            result = write_outputs(result)  # a failure to write is the document's one-line error
        inject_test_fault(job, after_writing=True)
        try:
            connection.send(_reply_of(result))
        except (OSError, ValueError):
            return False
        except Exception as exc:  # a result that cannot be pickled: still one line, no traceback
            reason = f"internal error (result not sent: {type(exc).__name__}); please report"
            connection.send(({}, [], f"{job.label}: {reason}", False))
    return True


@contextmanager
def _stop_deferred() -> Iterator[None]:
    """SIGTERM held back until the block ends (then it stops the worker as usual)."""
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
