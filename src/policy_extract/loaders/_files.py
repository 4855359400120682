"""Reading a source file's bytes, with the one-line errors every loader shares."""

from __future__ import annotations

from pathlib import Path

from ..errors import LoadError

__all__ = ["read_source_bytes"]


def read_source_bytes(path: Path) -> bytes:
    """The file's bytes; LoadError for a folder, an unreadable file or an empty one."""
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise LoadError(path, "is a directory, not a file") from None
    except OSError as exc:
        raise LoadError(path, f"cannot read file: {exc.strerror or exc}") from None
    if not data.strip():
        raise LoadError(path, "file is empty")
    return data
