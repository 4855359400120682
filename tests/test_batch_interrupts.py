"""Ctrl-C during a batch loses no finished document, whether it lands while the engine waits or
while the caller handles a result (``batch.consume_results``)."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Generator

from policy_extract.batch import consume_results


def engine(finished: int, drained: list[str], log: list[str]) -> Generator[str, None, None]:
    """Like ``LocalPoolEngine.results``: yields results; on Ctrl-C, what its workers finished
    before stopping, then re-raises."""
    try:
        for index in range(finished):
            yield f"doc{index}"
            time.sleep(0.001)
        while True:  # the workers keep converting until told to stop
            time.sleep(0.001)
            yield "late"
    except KeyboardInterrupt:
        log.append("stopped in order")
        yield from drained
        raise


def press_ctrl_c() -> None:
    os.kill(os.getpid(), signal.SIGINT)


def test_ctrl_c_while_a_result_is_handled_finishes_it_and_takes_what_workers_finished() -> None:
    handled: list[str] = []
    log: list[str] = []

    def handle(result: str) -> None:
        handled.append(f"{result} begun")
        if result == "doc2":
            press_ctrl_c()  # lands in the middle of handling doc2 (writing, counting)
            time.sleep(0.01)
        handled.append(f"{result} done")

    stream = engine(5, ["written-by-worker-1", "written-by-worker-2"], log)
    assert consume_results(stream, handle) is True
    assert handled == [
        "doc0 begun",
        "doc0 done",
        "doc1 begun",
        "doc1 done",
        "doc2 begun",
        "doc2 done",  # not cut short
        "written-by-worker-1 begun",
        "written-by-worker-1 done",
        "written-by-worker-2 begun",
        "written-by-worker-2 done",
    ]
    assert log == ["stopped in order"]  # the engine stopped its workers itself
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_ctrl_c_while_the_engine_waits_is_the_engines_to_handle() -> None:
    handled: list[str] = []
    log: list[str] = []

    def waiting_engine() -> Generator[str, None, None]:
        try:
            yield "doc0"
            press_ctrl_c()
            time.sleep(1)  # waiting for workers: the interrupt lands here
            yield "never"
        except KeyboardInterrupt:
            log.append("stopped in order")
            yield "written-by-worker"
            raise

    assert consume_results(waiting_engine(), handled.append) is True
    assert handled == ["doc0", "written-by-worker"]
    assert log == ["stopped in order"]


def test_a_batch_without_ctrl_c_handles_every_result() -> None:
    handled: list[str] = []

    def short() -> Generator[str, None, None]:
        yield from ["a", "b", "c"]

    assert consume_results(short(), handled.append) is False
    assert handled == ["a", "b", "c"]
