"""Ruled tables for the PDF loader: pdfplumber's own table finder, cells filled with our words.

Rules a user can notice:

* **Where.** The finder runs only on pages that draw lines, rectangles or curves (a page of plain
  text has no ruling to find), with pdfplumber's ``lines`` strategy on both axes.
* **Cells.** Each word goes to the cell holding its centre; a cell's wrapped lines are joined into
  one text (hyphenation mended as for paragraphs; no space after a ``/``). A cell covered by a
  merged neighbour is not a cell; an empty cell narrower than 1.5 x the table's type size is a
  border drawn as a thin rectangle, not a cell. A row with no words is dropped (nothing in it).
* **What counts as a table.** At least two rows with at least two non-empty cells. Anything else
  the finder frames (shaded section-heading bars, boxed paragraphs, single-column lists) stays
  text, read as before.
* **Lines.** Each table row is one line of ``Document.lines`` (its non-empty cells joined by
  `` | ``), placed in reading order by its top; words in a table are in no other line.
* **Across pages.** A table that ends a page continues in the table that opens the next page
  when that one repeats its header rows (then the repeated rows are furniture,
  ``"repeated-table-header"``) or uses the same column edges. The two become one ``table`` block.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from operator import itemgetter
from statistics import median
from typing import Any

from ..blocks import Block, Cell, Furniture, Span, table_text
from ._pdf_blocks import join_lines
from ._pdf_lines import Line, Word, group_rows, join_words, make_line, span_of_lines

__all__ = [
    "TABLE_SETTINGS",
    "FoundTable",
    "build_blocks_around_tables",
    "find_page_tables",
    "merge_table_rows",
]

TABLE_SETTINGS: dict[str, Any] = {
    "vertical_strategy": "lines",
    "horizontal_strategy": "lines",
    "snap_tolerance": 3,
    "join_tolerance": 3,
    "intersection_tolerance": 3,
}
_SLIVER = 1.5  # x type size: an empty cell narrower than this is a border, not a cell
_HEADER_ROWS = 3  # at most this many leading rows are compared as a repeated header
_SAME_EDGE = 2.0  # points: column edges this close are the same edge

BBox = tuple[float, float, float, float]


@dataclass(slots=True)
class FoundCell:
    bbox: BBox
    words: list[Word] = field(default_factory=list)
    text: str = ""


@dataclass(slots=True)
class FoundTable:
    """A table on one page: rows of cells; ``lines`` are its rows as numbered ``Line`` entries."""

    page: int
    bbox: BBox
    rows: list[list[FoundCell]]
    lines: list[Line] = field(default_factory=list)


def find_page_tables(
    page: Any, number: int, words: list[Word]
) -> tuple[list[Word], list[FoundTable]]:
    """Split a pdfplumber page's words into those outside tables and the tables found."""
    objects = page.objects
    if not (objects.get("line") or objects.get("rect") or objects.get("curve")):
        return words, []
    candidates = [
        FoundTable(number, _bbox(table.bbox), _found_rows(table))
        for table in page.find_tables(TABLE_SETTINGS)
    ]
    if not candidates:
        return words, []
    outside = _assign_words(words, candidates)
    tables: list[FoundTable] = []
    for table in candidates:
        if _clean(table):
            tables.append(table)
        else:  # not a table after all: its words are read as text
            outside.extend(w for row in table.rows for cell in row for w in cell.words)
    return outside, tables


def _bbox(values: Sequence[float]) -> BBox:
    x0, top, x1, bottom = (float(v) for v in values)
    return (x0, top, x1, bottom)


def _found_rows(table: Any) -> list[list[FoundCell]]:
    return [
        [FoundCell(_bbox(cell)) for cell in row.cells if cell is not None] for row in table.rows
    ]


def _assign_words(words: list[Word], tables: list[FoundTable]) -> list[Word]:
    """Put each word in the cell holding its centre; return the words in no cell."""
    tops = [[min(c.bbox[1] for c in row) if row else 0.0 for row in t.rows] for t in tables]
    outside: list[Word] = []
    for word in words:
        x = (word["x0"] + word["x1"]) / 2
        y = (word["top"] + word["bottom"]) / 2
        cell = None
        for table, row_tops in zip(tables, tops, strict=True):
            x0, top, x1, bottom = table.bbox
            if x0 <= x <= x1 and top <= y <= bottom:
                cell = _cell_at(table, row_tops, x, y)
                break
        if cell is None:
            outside.append(word)
        else:
            cell.words.append(word)
    return outside


def _cell_at(table: FoundTable, row_tops: list[float], x: float, y: float) -> FoundCell | None:
    index = bisect_right(row_tops, y) - 1
    near = table.rows[index] if 0 <= index < len(table.rows) else []
    # A cell merged down over several rows sits in the first of them: look there last.
    for cells in (near, *table.rows):
        for cell in cells:
            x0, top, x1, bottom = cell.bbox
            if x0 <= x <= x1 and top <= y <= bottom:
                return cell
    return None


def _clean(table: FoundTable) -> bool:
    """Fill cell texts, drop border slivers and empty rows; whether it is still a table."""
    sizes = [w["size"] for row in table.rows for cell in row for w in cell.words]
    if not sizes:
        return False
    sliver = _SLIVER * median(sizes)
    rows = []
    for row in table.rows:
        for cell in row:
            cell.text = _cell_text(cell.words)
        kept = [c for c in row if c.words or c.bbox[2] - c.bbox[0] >= sliver]
        if any(c.words for c in kept):
            rows.append(kept)
    table.rows = rows
    return sum(1 for row in rows if sum(1 for c in row if c.text) >= 2) >= 2


def _cell_text(words: list[Word]) -> str:
    text = ""
    for row in group_rows(words):
        line = join_words(row, max(w["size"] for w in row))
        text = text + line if text.endswith("/") else join_lines(text, line)
    return text


def merge_table_rows(
    page: int, first: int, lines: list[Line], tables: Sequence[FoundTable]
) -> list[Line]:
    """The page's lines with one line per table row, in reading order, numbered from ``first``
    (the page's first line number)."""
    if not tables:
        return lines
    entries: list[tuple[float, Line | tuple[FoundTable, int]]] = [(ln.top, ln) for ln in lines]
    for table in tables:
        for index, row in enumerate(table.rows):
            entries.append((min(c.bbox[1] for c in row), (table, index)))
    entries.sort(key=itemgetter(0))  # stable: lines at the same height keep their order
    merged: list[Line] = []
    for offset, (_, entry) in enumerate(entries):
        number = first + offset
        if isinstance(entry, Line):
            entry.number = number
            merged.append(entry)
        else:
            table, index = entry
            line = _row_line(page, number, table.rows[index])
            table.lines.append(line)
            merged.append(line)
    return merged


def _row_line(page: int, number: int, row: list[FoundCell]) -> Line:
    words = sorted((w for cell in row for w in cell.words), key=itemgetter("x0"))
    text = " | ".join(cell.text for cell in row if cell.text)
    line = make_line(page, number, words)
    return replace(line, words=words, text=text, body=text, marker=None, lead_in=0, is_row=True)


def build_blocks_around_tables(
    body: Sequence[Line],
    tables: Sequence[FoundTable],
    build_blocks: Callable[[Sequence[Line]], list[Block]],
) -> tuple[list[Block], list[Furniture]]:
    """Blocks in reading order: text between tables through ``build_blocks``, each (possibly
    multi-page) table as one ``table`` block; repeated header rows come back as furniture."""
    if not tables:
        return build_blocks(body), []
    visible = {line.number for line in body}
    groups = _chain_continued(tables, body, visible)
    starts = {_first_shown(group[0], visible).number: group for group in groups}
    in_table = {line.number for table in tables for line in table.lines}
    blocks: list[Block] = []
    furniture: list[Furniture] = []
    run: list[Line] = []
    for line in body:
        group = starts.get(line.number)
        if line.number not in in_table:
            run.append(line)
        elif group is not None:
            blocks.extend(build_blocks(run) if run else [])
            run = []
            block, repeated = _table_block(group, visible)
            blocks.append(block)
            furniture.extend(repeated)
    blocks.extend(build_blocks(run) if run else [])
    return blocks, furniture


def _shown(table: FoundTable, visible: set[int]) -> list[int]:
    """Indexes of the rows that are body content (not page furniture)."""
    return [i for i, line in enumerate(table.lines) if line.number in visible]


def _first_shown(table: FoundTable, visible: set[int]) -> Line:
    return table.lines[_shown(table, visible)[0]]


def _last_shown(table: FoundTable, visible: set[int]) -> Line:
    return table.lines[_shown(table, visible)[-1]]


def _chain_continued(
    tables: Sequence[FoundTable], body: Sequence[Line], visible: set[int]
) -> list[list[FoundTable]]:
    """Group tables that run on from one page to the next (rules in the module docstring)."""
    first_on_page: dict[int, int] = {}
    last_on_page: dict[int, int] = {}
    for line in body:
        first_on_page.setdefault(line.page, line.number)
        last_on_page[line.page] = line.number
    groups: list[list[FoundTable]] = []
    for table in tables:
        shown = _shown(table, visible)
        if not shown:
            continue  # every row is page furniture
        previous = groups[-1][-1] if groups else None
        if (
            previous is not None
            and table.page == previous.page + 1
            and last_on_page.get(previous.page)
            == previous.lines[_shown(previous, visible)[-1]].number
            and first_on_page.get(table.page) == table.lines[shown[0]].number
            and (_repeated_header(groups[-1][0], table, visible) or _same_columns(previous, table))
        ):
            groups[-1].append(table)
        else:
            groups.append([table])
    return groups


def _row_key(line: Line) -> str:
    return " ".join(line.text.split()).casefold()


def _repeated_header(head: FoundTable, table: FoundTable, visible: set[int]) -> int:
    """How many leading rows of ``table`` repeat the leading rows of ``head``."""
    header = {_row_key(head.lines[i]) for i in _shown(head, visible)[:_HEADER_ROWS]}
    count = 0
    for index in _shown(table, visible)[:_HEADER_ROWS]:
        if _row_key(table.lines[index]) not in header:
            break
        count += 1
    return count


def _column_edges(table: FoundTable) -> list[float]:
    return sorted({round(cell.bbox[0], 1) for row in table.rows for cell in row})


def _same_columns(previous: FoundTable, table: FoundTable) -> bool:
    """Every column edge of ``table`` is one of ``previous``'s."""
    edges = _column_edges(previous)
    return all(any(abs(x - e) <= _SAME_EDGE for e in edges) for x in _column_edges(table))


def _table_block(group: list[FoundTable], visible: set[int]) -> tuple[Block, list[Furniture]]:
    rows: list[list[Cell]] = []
    lines: list[Line] = []
    repeated: list[Furniture] = []
    for position, table in enumerate(group):
        shown = _shown(table, visible)
        skip = set(shown[: _repeated_header(group[0], table, visible)]) if position else set()
        for index in shown:
            line = table.lines[index]
            if index in skip:
                repeated.append(
                    Furniture(line.text, "repeated-table-header", span_of_lines([line]))
                )
                continue
            lines.append(line)
            rows.append([_cell(table.page, line.number, cell) for cell in table.rows[index]])
    first = group[0]
    span = Span(
        page=first.page,
        line_start=lines[0].number,
        line_end=lines[-1].number,
        bbox=_rounded(first.bbox),
    )
    block = Block("table", table_text(rows), span, indent=round(first.bbox[0], 2), rows=rows)
    return block, repeated


def _cell(page: int, number: int, cell: FoundCell) -> Cell:
    span = Span(page=page, line_start=number, line_end=number, bbox=_rounded(cell.bbox))
    return Cell(cell.text, span)


def _rounded(bbox: BBox) -> BBox:
    x0, top, x1, bottom = (round(v, 2) for v in bbox)
    return (x0, top, x1, bottom)
