"""The project's exceptions.

Every error a caller can see is a ``PolicyExtractError`` carrying the file (and, where known, the
span) it concerns::

    PolicyExtractError
    ├── LoadError        the file cannot be read as the format it claims (empty, not UTF-8,
    │                    encrypted or image-only PDF, truncated, not a PDF at all)
    ├── ParseError       the file was read but is not a drug policy the tool can extract
    └── WriteError       an output file could not be written (disk full, read-only, a folder
                         where the file should go, ...)

Non-fatal problems never raise: they become ``warnings`` entries in the Policy.
"""

from __future__ import annotations

from pathlib import Path

__all__ = ["LoadError", "ParseError", "PolicyExtractError", "WriteError"]


class PolicyExtractError(Exception):
    """Base class: a problem with one input file, with the reason in words."""

    def __init__(self, path: str | Path | None, reason: str, *, line: int | None = None) -> None:
        self.path = str(path) if path is not None else None
        self.reason = reason
        self.line = line
        super().__init__(self.one_line())

    def __reduce__(self) -> tuple[object, ...]:
        # Rebuild from the real arguments, so errors survive a trip through a worker process.
        return (_rebuild, (type(self), self.path, self.reason, self.line))

    def one_line(self) -> str:
        """The message shown to a user: ``file[:line]: reason``."""
        where = self.path or "<input>"
        if self.line is not None:
            where = f"{where}:{self.line}"
        return f"{where}: {self.reason}"


class LoadError(PolicyExtractError):
    """The file could not be read as the format it claims to be."""


class ParseError(PolicyExtractError):
    """The file was read but is not a drug policy this tool can extract."""


class WriteError(PolicyExtractError):
    """An output file could not be written; ``path`` is the output, not the source."""


def _rebuild(
    cls: type[PolicyExtractError], path: str | None, reason: str, line: int | None
) -> PolicyExtractError:
    return cls(path, reason, line=line)
