"""What a batch tells its user: one line per document in input order, and a summary.

Results arrive in completion order; ``BatchReport`` holds each until those before it are in,
so the lines (and so a log of the run) never depend on ``--jobs`` or timing. It returns lines;
the command line prints them.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .jobs import Job
from .worker import ConversionResult

__all__ = ["BatchReport", "Line"]


@dataclass(frozen=True, slots=True)
class Line:
    """One line for the user; ``error_stream`` lines go to stderr."""

    text: str
    error_stream: bool = True


class BatchReport:
    """Counts and lines of a batch: converted, with warnings, failed, not reached."""

    def __init__(self, jobs: list[Job], output: Path, *, quiet: bool) -> None:
        self.position = {job: index for index, job in enumerate(jobs)}
        self.waiting: dict[int, ConversionResult] = {}
        self.next = 0
        self.output, self.quiet = output, quiet
        self.converted = self.with_warnings = self.failed = self.shown = 0

    def fail(self, line: str) -> Line:
        """Count a failure outside any job (an unusable SRC) and return its line."""
        self.failed += 1
        return Line(f"error: {line}")

    def add(self, result: ConversionResult) -> list[Line]:
        """Take a finished result; lines of every result now due in input order."""
        self.waiting[self.position[result.job]] = result
        lines: list[Line] = []
        while self.next in self.waiting:
            lines += self._lines(self.waiting.pop(self.next))
            self.next += 1
        return lines

    def finish(self, *, skipped: int = 0, interrupted: bool = False) -> list[Line]:
        """Lines still held (after Ctrl-C, results that finished out of order) and the summary."""
        lines: list[Line] = []
        for index in sorted(self.waiting):
            lines += self._lines(self.waiting.pop(index))
        if self.quiet and not self.failed and not interrupted:
            return lines
        clean = self.converted - self.with_warnings
        summary = (
            f"{self.converted} converted ({clean} clean, {self.with_warnings} with warnings), "
            f"{self.failed} failed"
        )
        if skipped:
            summary += f", {skipped} skipped (outputs exist)"
        if interrupted:
            summary = f"interrupted: {summary}, {len(self.position) - self.shown} not converted"
        return [*lines, Line(f"{summary}; outputs in {self.output}")]

    def _lines(self, result: ConversionResult) -> list[Line]:
        self.shown += 1
        label = result.job.label
        lines = [] if self.quiet else [Line(f"warning: {label}: {w}") for w in result.warnings]
        if result.error is not None:
            return [*lines, self.fail(result.error)]
        self.converted += 1
        self.with_warnings += bool(result.warnings)
        if self.quiet:
            return lines
        note = f" ({len(result.warnings)} warning(s))" if result.warnings else ""
        target = result.job.target.relative_to(self.output)
        return [Line(f"{label} -> {target}.json{note}", error_stream=False), *lines]
