"""Reading a source file's bytes and text, with the one-line errors every loader shares.

Reads are bounded: a file larger than the input size limit (``input_size_limit``) is refused
without reading it whole, so a symlink to ``/dev/zero`` or a runaway file cannot exhaust memory.
"""

from __future__ import annotations

import codecs
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

from ..errors import LoadError

__all__ = [
    "DEFAULT_MAX_INPUT_BYTES",
    "decode_text",
    "input_size_limit",
    "provided_source",
    "read_source_bytes",
]

DEFAULT_MAX_INPUT_BYTES = 200 * 1024 * 1024

# The limit is ambient rather than a parameter, so every command (convert, verify, lint, diff)
# applies the same cap without threading it through each loader and profile.
_max_input_bytes: ContextVar[int | None] = ContextVar(
    "max_input_bytes", default=DEFAULT_MAX_INPUT_BYTES
)

# A source's bytes already read elsewhere (a cluster worker receives them, having no access to
# the client's files): ``read_source_bytes`` returns them for that path instead of opening it.
_provided: ContextVar[tuple[Path, bytes] | None] = ContextVar("provided_source", default=None)

# Longest first: the UTF-32 LE mark starts with the UTF-16 LE one.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32-be", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16-be", "UTF-16"),
)


@contextmanager
def input_size_limit(max_bytes: int | None) -> Iterator[None]:
    """Within the block, refuse input files larger than ``max_bytes`` (None: no limit)."""
    token = _max_input_bytes.set(max_bytes)
    try:
        yield
    finally:
        _max_input_bytes.reset(token)


@contextmanager
def provided_source(path: Path, data: bytes) -> Iterator[None]:
    """Within the block, reading ``path`` gives ``data`` (the same checks apply) without opening it.

    The document keeps ``path`` as its name, so its output is the same bytes as when read here.
    """
    token = _provided.set((Path(path), data))
    try:
        yield
    finally:
        _provided.reset(token)


def read_source_bytes(path: Path) -> bytes:
    """The file's bytes; LoadError for a folder, a device, an unreadable, huge or empty file."""
    limit = _max_input_bytes.get()
    provided = _provided.get()
    if provided is not None and provided[0] == Path(path):
        return _checked(path, provided[1], limit)
    try:
        mode = Path(path).stat().st_mode  # before opening: opening a FIFO would block
        if stat.S_ISDIR(mode):
            raise LoadError(path, "is a directory, not a file")
        if not stat.S_ISREG(mode):
            raise LoadError(path, "not a regular file (a device, pipe or socket)")
        with Path(path).open("rb") as stream:
            data = stream.read() if limit is None else stream.read(limit + 1)
    except OSError as exc:
        raise LoadError(path, f"cannot read file: {exc.strerror or exc}") from None
    return _checked(path, data, limit)


def _checked(path: Path, data: bytes, limit: int | None) -> bytes:
    if limit is not None and len(data) > limit:
        raise LoadError(path, f"file is larger than the input limit ({_megabytes(limit)})")
    if not data.strip():
        raise LoadError(path, "file is empty")
    return data


def decode_text(path: Path, data: bytes) -> str:
    """Text of ``data``: UTF-8 (BOM allowed), or UTF-16/32 when a byte-order mark says so."""
    encoding, name, body = "utf-8", "UTF-8", data
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            encoding, name, body = codec, label, data[len(bom) :]
            break
    if name == "UTF-8" and b"\x00" in body:
        raise LoadError(path, "file is binary, not text (it contains NUL bytes)")
    try:
        text = body.decode(encoding)
    except UnicodeDecodeError as exc:
        offset = exc.start + len(data) - len(body)
        raise LoadError(
            path, f"file is not valid {name} (byte 0x{data[offset]:02x} at offset {offset})"
        ) from None
    if "\x00" in text:
        raise LoadError(path, "file is binary, not text (it contains NUL characters)")
    return text


def _megabytes(count: int) -> str:
    return f"{count / (1024 * 1024):g} MB" if count >= 1024 * 1024 else f"{count} bytes"
