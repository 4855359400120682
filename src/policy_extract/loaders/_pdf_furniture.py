"""Page furniture for the PDF loader: running headers and footers, and page numbers.

Only lines near the top or bottom edge are candidates; the rules are listed in
``policy_extract.loaders.pdf``.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence

from ..blocks import PAGE_NUMBER
from ._pdf_lines import Line, Page

_DIGITS = re.compile(r"\d+")
_EDGE = 0.10  # the outer band of the page height where furniture lives
_CHAIN_EDGE = 0.20  # how far in a run of furniture may reach
_SAME_HEIGHT = 4.0  # points: a running header sits at the same height on every page


def find_page_furniture(pages: Sequence[Page]) -> dict[int, str]:
    """Map the number of each furniture line to its reason ("running-header", ...)."""
    seen = _edge_occurrences(pages)
    strict = 2 if len(pages) <= 6 else math.ceil(len(pages) / 2)
    found: dict[int, str] = {}
    for page in pages:
        for side, lines in (("header", page.lines), ("footer", page.lines[::-1])):
            after_furniture = True  # the outermost line follows the page edge
            for line in lines:
                offset, outer = _edge_position(page, line, side)
                if offset > _CHAIN_EDGE * (page.bottom - page.top) or line.number in found:
                    break
                reason = None
                if outer and after_furniture and PAGE_NUMBER.match(line.text):
                    reason = "page-number"
                elif outer or after_furniture:
                    needed = strict if outer else max(3, strict)
                    occurrences = seen.get((side, _furniture_key(line)), {})
                    if _recurs(occurrences, page.number, offset, needed):
                        reason = f"running-{side}"
                if reason:
                    found[line.number] = reason
                elif not outer:
                    break
                after_furniture = reason is not None
    return found


def _edge_occurrences(pages: Sequence[Page]) -> dict[tuple[str, str], dict[tuple[int, float], int]]:
    """For each side and furniture key: each occurrence (page, offset) mapped to the number of
    pages where the key sits at the same height, within ``_SAME_HEIGHT``."""
    seen: dict[tuple[str, str], list[tuple[float, int]]] = defaultdict(list)
    for page in pages:
        limit = _CHAIN_EDGE * (page.bottom - page.top)
        for line in page.lines:
            for side in ("header", "footer"):
                offset, _ = _edge_position(page, line, side)
                if offset <= limit:
                    seen[side, _furniture_key(line)].append((offset, page.number))
    return {key: _pages_at_same_height(found) for key, found in seen.items()}


def _pages_at_same_height(occurrences: list[tuple[float, int]]) -> dict[tuple[int, float], int]:
    """One sliding window over the occurrences sorted by offset: linear in pages, where asking
    each occurrence for its neighbours would be quadratic (a line repeated on every page)."""
    ordered = sorted(occurrences)
    in_window: Counter[int] = Counter()
    counts: dict[tuple[int, float], int] = {}
    low = high = 0
    for offset, page in ordered:
        while high < len(ordered) and ordered[high][0] <= offset + _SAME_HEIGHT:
            in_window[ordered[high][1]] += 1
            high += 1
        while ordered[low][0] < offset - _SAME_HEIGHT:
            _drop(in_window, ordered[low][1])
            low += 1
        counts[page, offset] = len(in_window)
    return counts


def _drop(counter: Counter[int], page: int) -> None:
    counter[page] -= 1
    if not counter[page]:
        del counter[page]


def _edge_position(page: Page, line: Line, side: str) -> tuple[float, bool]:
    """Distance of the line from its edge, and whether it lies wholly in the outer band."""
    band = _EDGE * (page.bottom - page.top)
    if side == "header":
        return line.top - page.top, line.bottom - page.top <= band
    return page.bottom - line.bottom, page.bottom - line.top <= band


def _furniture_key(line: Line) -> str:
    """The line's characters in sorted order, digits read as ``#``: where small type is
    interleaved, the order of words within a line differs from page to page."""
    return "".join(sorted(_DIGITS.sub("#", line.text).replace(" ", "").replace("|", "")))


def _recurs(
    occurrences: dict[tuple[int, float], int], page: int, offset: float, needed: int
) -> bool:
    return occurrences.get((page, offset), 0) >= needed
