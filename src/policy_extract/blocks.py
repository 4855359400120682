"""The flat block stream every loader produces, and the provenance each block carries.

A loader turns a document into ``list[Block]`` in reading order. Blocks are data only: the outline
(sections, list trees) is built from them in a later stage (``outline.py``).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

__all__ = [
    "MAX_LIST_DEPTH",
    "PAGE_NUMBER",
    "Block",
    "BlockKind",
    "Cell",
    "Document",
    "Furniture",
    "Notice",
    "SourceFormat",
    "Span",
    "split_list_label",
    "table_text",
]

BlockKind = Literal["heading", "paragraph", "list_item", "table"]
SourceFormat = Literal["pdf", "markdown", "text"]

# The deepest list nesting any stage builds or reads back: deeper items are kept, one level up,
# with a warning. Every later walk of a tree (criteria, outline, JSON) is bounded by it.
MAX_LIST_DEPTH = 20


class Span(BaseModel):
    """Where a piece of content came from: 1-based source lines, and page/bbox for PDF."""

    model_config = ConfigDict(frozen=True)

    page: int | None = None
    line_start: int | None = None
    line_end: int | None = None
    bbox: tuple[float, float, float, float] | None = None

    def merge(self, other: Span) -> Span:
        """The smallest span covering both (page and bbox from the first)."""
        starts = [n for n in (self.line_start, other.line_start) if n is not None]
        ends = [n for n in (self.line_end, other.line_end) if n is not None]
        return Span(
            page=self.page if self.page is not None else other.page,
            line_start=min(starts) if starts else None,
            line_end=max(ends) if ends else None,
            bbox=self.bbox,
        )

    @staticmethod
    def covering(spans: Sequence[Span]) -> Span:
        """``spans[0].merge(spans[1]).merge(...)``, built once (a long table row has many)."""
        starts = [s.line_start for s in spans if s.line_start is not None]
        ends = [s.line_end for s in spans if s.line_end is not None]
        return Span(
            page=next((s.page for s in spans if s.page is not None), None),
            line_start=min(starts) if starts else None,
            line_end=max(ends) if ends else None,
            bbox=spans[0].bbox,
        )

    def describe(self) -> str:
        """Human wording: ``line 12``, ``lines 12-14``, ``page 2, line 40``."""
        parts = []
        if self.page is not None:
            parts.append(f"page {self.page}")
        if self.line_start is not None:
            if self.line_end is not None and self.line_end != self.line_start:
                parts.append(f"lines {self.line_start}-{self.line_end}")
            else:
                parts.append(f"line {self.line_start}")
        return ", ".join(parts) or "unknown location"


@dataclass(slots=True)
class Cell:
    """A table cell: its text (wrapped lines joined) and its span (the row's line, its bbox)."""

    text: str
    span: Span


@dataclass(slots=True)
class Block:
    """One unit of content in reading order.

    ``marker`` is a list item's own label with its punctuation (``"1."``, ``"a."``, ``"ii."``) or
    ``"-"`` for an unlabelled bullet; ``indent`` is the loader's nesting depth or indentation
    (only compared between items, never interpreted alone). ``label`` is an inline bold lead-in
    such as ``"USP Category:"`` that is not repeated in ``text``. ``level`` is a heading's level
    where the source states it (Markdown ``#``/``##``), else None. A ``table`` block keeps its
    ``rows`` of cells (header row first); its ``text`` is the rows joined by newlines, each row's
    non-empty cells joined by `` | ``.
    """

    kind: BlockKind
    text: str
    span: Span
    bold: bool = False
    marker: str | None = None
    indent: float = 0
    label: str | None = None
    italic: bool = False
    urls: list[str] = field(default_factory=list)
    level: int | None = None
    rows: list[list[Cell]] | None = None

    @property
    def full_text(self) -> str:
        """The block's text with its inline label, as it reads in the source."""
        return f"{self.label} {self.text}".strip() if self.label else self.text


@dataclass(slots=True)
class Furniture:
    """A line recognised as page furniture (running header/footer, page number) and removed."""

    text: str
    reason: str  # "running-header", "running-footer", "page-number", "template-footer"
    span: Span


@dataclass(frozen=True, slots=True)
class Notice:
    """Something a loader had to do that the user should hear of: it becomes a Policy warning."""

    code: str
    message: str
    span: Span | None = None


@dataclass(slots=True)
class Document:
    """What a loader hands on: the block stream plus the facts ``verify`` and ``source`` need.

    ``lines`` are the source's text lines that spans number (1-based): the file's lines for
    Markdown and text, the extracted text lines in reading order for PDF.
    """

    path: str
    format: SourceFormat
    sha256: str
    blocks: list[Block]
    lines: list[str]
    pages: int | None = None
    furniture: list[Furniture] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)


# A page-number line: "Page 2 of 4", "Page: 2", "2 of 4", "2/4", "- 3 -", "– 3 –", "7". Possessive
# space runs: "page" and a long run of spaces must fail in one pass, not quadratically.
PAGE_NUMBER = re.compile(
    r"^(?:page\s*+(?::\s*+)?)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.I
)

# A list label at the start of an item's text: "1.", "a.", "ii.", "10)", "(b)".
_LABEL = re.compile(r"^(?:\(([0-9]{1,3}|[a-zA-Z]{1,5})\)|([0-9]{1,3}|[a-zA-Z]{1,5})[.)])\s+(?=\S)")


def table_text(rows: list[list[Cell]]) -> str:
    """A table as text: one line per row, its non-empty cells joined by `` | ``."""
    return "\n".join(" | ".join(cell.text for cell in row if cell.text) for row in rows)


def split_list_label(text: str) -> tuple[str | None, str]:
    """Split ``"a. For graft..."`` into ``("a.", "For graft...")``; no label gives ``(None, text)``.

    Letters longer than one character are accepted only when they read as a roman numeral or a
    doubled letter (``aa.``), so words such as ``"Dr. Smith"`` are not mistaken for labels.
    """
    match = _LABEL.match(text)
    if not match:
        return None, text
    core = match.group(1) or match.group(2)
    if core.isalpha() and len(core) > 1 and not (_is_roman(core) or len(set(core)) == 1):
        return None, text
    return match.group(0).strip(), text[match.end() :]


_ROMAN = re.compile(r"^(?=[ivxlc]+$)c{0,3}(xc|xl|l?x{0,3})(ix|iv|v?i{0,3})$", re.IGNORECASE)


def _is_roman(letters: str) -> bool:
    return bool(letters) and bool(_ROMAN.match(letters))
