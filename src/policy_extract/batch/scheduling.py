"""The order work is handed out: the longest documents first, so no long one runs last, alone.

With N workers a batch ends when its last document does. Handed out in folder order, a 200-page
PDF that comes late keeps one worker busy while the others idle; handed out first, it runs while
the others drain the short documents (longest-processing-time-first scheduling). The cost of a
document is estimated without reading it: its size, with a PDF byte counted as several bytes of
text (laying out a PDF page costs far more than parsing the same bytes of Markdown).

The order of the *report* does not change: lines are still printed in input order.
"""

from __future__ import annotations

from collections.abc import Sequence

from .jobs import Job

__all__ = ["estimated_cost", "largest_first"]

# A rough ratio (not fitted): a PDF byte costs several times a byte of Markdown or text.
_PDF_WEIGHT = 8


def estimated_cost(job: Job) -> int:
    """How long ``job`` should take, in text-byte equivalents (0 when it cannot be sized)."""
    try:
        size = job.source.stat().st_size
    except OSError:
        return 0  # it will fail fast when read, and say why
    return size * _PDF_WEIGHT if job.source.suffix.lower() == ".pdf" else size


def largest_first(jobs: Sequence[Job]) -> list[Job]:
    """``jobs`` by estimated cost, most expensive first; ties keep their input order."""
    costs = {job: estimated_cost(job) for job in jobs}
    return sorted(jobs, key=lambda job: -costs[job])
