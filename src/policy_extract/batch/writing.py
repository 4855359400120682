"""Writing outputs: atomically (never a partial file), and every failure a one-line WriteError."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from ..errors import PolicyExtractError, WriteError
from .worker import ConversionResult

__all__ = ["prepare_output_folder", "write_atomically", "write_outputs"]


def write_outputs(result: ConversionResult) -> ConversionResult:
    """Write a converted document's files; a write failure fails the document, leaving none.

    The outputs' text is dropped once written, so a long batch holds no document in memory.
    A result already written (by a cluster worker) is returned as it is.
    """
    if result.written:
        return result
    written: list[Path] = []
    try:
        for suffix, text in sorted(result.outputs.items()) if result.error is None else []:
            path = result.job.target.with_name(result.job.target.name + suffix)
            write_atomically(path, text)
            written.append(path)
    except PolicyExtractError as exc:
        _remove(written)
        result.error = exc.one_line()
    except BaseException:  # Ctrl-C, a terminated worker: no document half written either
        _remove(written)
        raise
    result.outputs = dict.fromkeys(result.outputs, "")
    result.written = True
    return result


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)


def prepare_output_folder(folder: Path) -> None:
    """Create ``folder`` (and its parents); WriteError when it cannot be a folder of outputs."""
    if str(folder) == "-":
        raise WriteError(folder, "convert writes files into a folder; '-' (stdout) is not one")
    if folder.exists() and not folder.is_dir():
        raise WriteError(folder, "is a file, not a folder")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise WriteError(folder, f"cannot create folder: {_reason(exc)}") from None


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file in the same folder and rename: never a partial file.

    Raises WriteError (naming ``path``) for a folder in the way, a full disk, a file size limit,
    a read-only or unwritable folder.
    """
    if path.is_dir():
        raise WriteError(path, "is a folder; give a file name")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(
            dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
        )
    except OSError as exc:
        raise WriteError(path, f"cannot write: {_reason(exc)}") from None
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.chmod(temporary, 0o666 & ~_umask())  # mkstemp makes 0600; outputs are ordinary files
        os.replace(temporary, path)
    except OSError as exc:
        Path(temporary).unlink(missing_ok=True)
        raise WriteError(path, f"cannot write: {_reason(exc)}") from None
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _reason(exc: OSError) -> str:
    return exc.strerror or str(exc)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask
