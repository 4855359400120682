"""Ctrl-C during a batch without losing a finished document, whenever it lands.

An engine's ``results`` stops its workers on ``KeyboardInterrupt`` and yields what they finished
before stopping (``LocalPoolEngine``: results left in the pipes, outputs the workers wrote). That
only happens if the interrupt reaches the engine. Ctrl-C landing while the caller handles a
result (writes it, counts it, draws progress: most of the parent's time on small documents)
used to raise in the caller instead: the engine was closed without stopping in order, and files
workers had written went uncounted, or a result was counted but not written.

``consume_results`` makes the moment irrelevant. Ctrl-C raises at once only where nothing is
in hand (an engine waiting for its workers); from the moment an engine takes a result until the
caller has handled it (``ctrl_c_held``, used by the engine and by ``consume_results``), it is
noted and raised where that section ends, inside the engine, which then stops in order; every
result the engine yields while stopping is handled too.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Generator, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

__all__ = ["consume_results", "ctrl_c_held", "on_main_thread"]

_Result = TypeVar("_Result")


class _CtrlC:
    """SIGINT raises ``KeyboardInterrupt`` at once, except inside ``held`` sections: then it is
    noted, and raised where the outermost section ends (a moment that loses nothing)."""

    def __init__(self) -> None:
        self.depth = 0
        self.pending = False
        self.ignored = False  # stopping already: a second Ctrl-C changes nothing

    def on_signal(self, signum: int, frame: FrameType | None) -> None:
        if self.depth or self.ignored:
            self.pending = not self.ignored
        else:
            raise KeyboardInterrupt

    @contextmanager
    def held(self) -> Iterator[None]:
        self.depth += 1
        try:
            yield
        finally:
            self.depth -= 1
        if self.pending and not self.depth:
            self.pending = False
            raise KeyboardInterrupt


_CTRL_C = _CtrlC()
ctrl_c_held = _CTRL_C.held  # an engine holds Ctrl-C from taking a result until it is handled


def consume_results(
    stream: Generator[_Result, None, None], handle: Callable[[_Result], None]
) -> bool:
    """Handle every result of ``stream``; True when Ctrl-C cut the batch short.

    Each result is handled whole; after Ctrl-C, the results the engine yields while it stops are
    handled as well, and a second Ctrl-C meanwhile is ignored. The stream is closed on return.
    """
    main = on_main_thread()
    previous = signal.signal(signal.SIGINT, _CTRL_C.on_signal) if main else None
    _CTRL_C.pending = _CTRL_C.ignored = False
    try:
        try:
            for result in stream:
                with ctrl_c_held():
                    handle(result)
        except KeyboardInterrupt:
            _CTRL_C.ignored = True
            _handle_the_rest(stream, handle)
            return True
        return False
    finally:
        stream.close()
        _CTRL_C.pending = _CTRL_C.ignored = False
        if main:
            signal.signal(signal.SIGINT, previous)


def on_main_thread() -> bool:
    """Whether this is the main thread: the only one that may set signal handlers."""
    return threading.current_thread() is threading.main_thread()


def _handle_the_rest(
    stream: Generator[_Result, None, None], handle: Callable[[_Result], None]
) -> None:
    """Throw the interrupt into the engine (where it stops its workers) and handle what it
    yields while stopping. An engine that stopped already re-raises at once."""
    try:
        result = stream.throw(KeyboardInterrupt())
        while True:
            handle(result)
            result = next(stream)
    except (KeyboardInterrupt, StopIteration):
        return
