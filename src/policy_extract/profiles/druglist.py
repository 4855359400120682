"""Medical drug lists: long tables with one row per drug and its HCPCS code, no criteria.

Recognised by layout, not by payer: most of the document's lines are table rows that open with
a HCPCS Level II code. Each row becomes a ``Product`` with its code, the drug name and the
code's description from the same row, and the row's other columns (coverage level, notes and
restrictions, prior authorization, ...) as ``flags`` named by the table's header.

A ruled table arrives as a ``table`` block whose rows carry their cells: a row whose first cell
opens with a code is a drug's row, its cells in the header's columns; the header is the last row
of three or more cells above the first code row. Unruled text arrives as lines whose cells are
joined by " | "; a printed row whose cells wrap is several lines around the code's line.
``row_cells`` is the one place that splits a line into cells; ``table_rows`` gathers the lines of
one row by vertical position (the nearest code line on the same page). A cell's column comes
from its left edge where the loader knows it (the first cell of a line), else from the values
the document prints in that column elsewhere, else it is taken as the description.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ..blocks import Block, Furniture, Span
from ..blocks import Cell as TableCell
from ..model import Hcpcs, Policy, Product
from ._common import Findings
from .base import NO_MATCH, Match, Profile
from .generic import find_title
from .generic import is_structure as generic_is_structure
from .generic import read_base_policy as read_generic

__all__ = ["PROFILE", "Cell", "Row", "row_cells", "table_rows"]

NAME = "druglist"
_CODE = re.compile(r"^\s*(?P<code>[A-Z]\d{4})\b\s*(?P<rest>.*)$")
_MIN_ROWS = 40
_MIN_SHARE = 0.15
_COLUMN_GAP = 15.0  # points: left edges closer than this are one column
_CODE_WORDS = re.compile(r"\b(?:drug|description|code|cpt|hcpcs)\b|=", re.I)
_SLUG = re.compile(r"[^a-z0-9]+")
_NAME_WORD = re.compile(r"[A-Za-z]{3}")
_NO_VALUE = frozenset({"N/A", "n/a", "NA", "-", "–", "—"})


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell's text; ``x`` is its left edge where known."""

    text: str
    span: Span
    x: float | None = None


@dataclass(slots=True)
class Row:
    """A table row: its HCPCS code, the code line's cells, and the row's other lines' cells."""

    code: str
    anchor: Block
    cells: list[Cell] = field(default_factory=list)
    lines: list[list[Cell]] = field(default_factory=list)
    ruled: bool = False  # a row of a table block: its cells are in their columns already

    @property
    def span(self) -> Span:
        span = self.anchor.span
        for line in self.lines:
            span = span.merge(line[0].span)
        return span


def row_cells(block: Block) -> list[Cell]:
    """The cells of one line (the swap point for table blocks, which carry their cells)."""
    texts = [t.strip() for t in block.full_text.split(" | ")]
    x = block.span.bbox[0] if block.span.bbox else None
    return [Cell(t, block.span, x if i == 0 else None) for i, t in enumerate(texts) if t]


def _is_code_line(block: Block) -> bool:
    return block.kind not in ("heading", "table") and _CODE.match(block.full_text) is not None


def _code_rows(table: Block) -> Iterator[list[Cell]]:
    """The cells of each row of a ``table`` block that opens with a code (empty cells kept, so
    each cell stays in its column)."""
    for row in table.rows or []:
        first = _code_start(row)
        if first is not None:
            yield [Cell(cell.text.strip(), cell.span) for cell in row[first:]]


def _code_start(row: Sequence[TableCell]) -> int | None:
    """Where a table row's first filled cell is, when that cell opens with a code."""
    first = next((i for i, cell in enumerate(row) if cell.text.strip()), None)
    return first if first is not None and _CODE.match(row[first].text.strip()) else None


def _is_code_row(row: Sequence[TableCell]) -> bool:
    return _code_start(row) is not None


def _table_rows(table: Block) -> list[Row]:
    rows = []
    for cells in _code_rows(table):
        code = _CODE.match(cells[0].text)
        assert code is not None
        span = Span.covering([cell.span for cell in cells])
        text = " | ".join(cell.text for cell in cells if cell.text)
        rows.append(Row(code.group("code"), Block("paragraph", text, span), cells, ruled=True))
    return rows


def _lines_and_rows(blocks: Sequence[Block]) -> tuple[int, int]:
    """How many lines (a table's rows counted one by one), and how many open with a code."""
    lines = rows = 0
    for block in blocks:
        if block.kind == "table":
            lines += len(block.rows or [])
            rows += sum(1 for row in block.rows or [] if _is_code_row(row))
        else:
            lines += 1
            rows += _is_code_line(block)
    return lines, rows


def match(blocks: Sequence[Block]) -> Match:
    """Most lines are rows opening with a HCPCS code: a drug list, whoever publishes it."""
    lines, rows = _lines_and_rows(blocks)
    if rows < _MIN_ROWS or rows < _MIN_SHARE * lines:
        return NO_MATCH
    return Match(0.9, (f"{rows} of {lines} lines are table rows opening with a HCPCS code",))


def _code_column(blocks: Sequence[Block]) -> float | None:
    """The left edge most code lines start at: a code further right is inside a cell."""
    starts = [b.span.bbox[0] for b in blocks if _is_code_line(b) and b.span.bbox]
    if not starts:
        return None
    return max(_clusters(starts), key=len)[0]


def _middle(block: Block) -> float:
    bbox = block.span.bbox
    return (bbox[1] + bbox[3]) / 2 if bbox else float(block.span.line_start or 0)


def _column_edges(rows: Sequence[Row], lines: Sequence[Block | Cell]) -> list[float]:
    """Left edges of the columns right of the code: clusters of where wrapped lines start."""
    code_x = sorted(r.cells[0].x for r in rows if r.cells and r.cells[0].x is not None)
    left = code_x[len(code_x) // 2] if code_x else 0.0
    starts = [x for line in lines if (x := _left_edge(line)) is not None]
    enough = max(3, len(starts) // 50)
    return [g[0] for g in _clusters(starts) if len(g) >= enough and g[0] > left + _COLUMN_GAP]


def _left_edge(line: Block | Cell) -> float | None:
    if isinstance(line, Cell):
        return line.x
    return line.span.bbox[0] if line.span.bbox else None


def _column_of(x: float, edges: Sequence[float]) -> int | None:
    found = [i for i, edge in enumerate(edges) if edge <= x + _COLUMN_GAP / 2]
    return found[-1] if found else None


def table_rows(blocks: Sequence[Block]) -> list[Row]:
    """Rows in reading order, each with the wrapped lines of its cells.

    A row's cells are centred on its code line, so in each column the lines between two code
    lines are split: the upper row takes as many as it had above its code line, the lower row
    the rest. A heading ends a run of rows."""
    rows: list[Row] = []
    lines: list[Block] = []
    code_x = _code_column(blocks)
    for block in blocks:
        found = _CODE.match(block.full_text) if _is_code_line(block) else None
        x = block.span.bbox[0] if block.span.bbox else None
        if block.kind == "table":
            rows.extend(_table_rows(block))  # its cells are whole: no lines to gather
        elif found and (code_x is None or x is None or abs(x - code_x) < _COLUMN_GAP / 2):
            rows.append(Row(code=found.group("code"), anchor=block, cells=row_cells(block)))
        elif block.kind != "heading" and block.span.bbox:
            lines.append(block)
    edges = _column_edges(rows, lines)
    by_id = {id(row.anchor): row for row in rows}
    segment: list[Block] = []
    page: int | None = None
    for block in blocks:
        if block.kind == "heading" or block.span.page != page:
            _assign_segment(segment, by_id, edges)
            segment, page = [], block.span.page
        if block.kind not in ("heading", "table") and block.span.bbox:
            segment.append(block)
    _assign_segment(segment, by_id, edges)
    return rows


def _assign_segment(
    segment: Sequence[Block], by_id: dict[int, Row], edges: Sequence[float]
) -> None:
    """Give each line of a run of rows (one page, no heading between) to its row."""
    anchors = sorted((b for b in segment if id(b) in by_id), key=_middle)
    if not anchors:
        return
    columns: dict[int, list[Block]] = {}
    for block in segment:
        index = _column_of(block.span.bbox[0], edges) if block.span.bbox else None
        if id(block) not in by_id and index is not None:
            columns.setdefault(index, []).append(block)
    for column in columns.values():
        column.sort(key=_middle)
        position, above = 0, 0
        for number, anchor in enumerate(anchors):
            head: list[Block] = []
            while position < len(column) and _middle(column[position]) < _middle(anchor):
                head.append(column[position])
                position += 1
            if number:
                previous = by_id[id(anchors[number - 1])]
                previous.lines.extend(row_cells(block) for block in head[:above])
                head = head[above:]
            for block in head:
                by_id[id(anchor)].lines.append(row_cells(block))
            above = len(head)
        last = by_id[id(anchors[-1])]
        for block in column[position : position + above]:
            last.lines.append(row_cells(block))


@dataclass(slots=True)
class _Columns:
    """Left edges of the columns after the code: name, description, then flag columns."""

    edges: list[float]
    flag_names: list[str]
    vocabulary: dict[str, int]  # a value printed in a flag column -> that column's index

    def of(self, cell: Cell) -> int | None:
        """The column of a cell: by its left edge, else by its value, else None."""
        if cell.x is not None:
            return _column_of(cell.x, self.edges)
        return self.vocabulary.get(cell.text)


def _clusters(values: list[float]) -> list[list[float]]:
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] < _COLUMN_GAP:
            groups[-1].append(value)
        else:
            groups.append([value])
    return groups


def _learn_columns(rows: Sequence[Row], header: Sequence[str]) -> _Columns:
    """Columns from where the rows' wrapped lines start; flag names from the header."""
    edges = _column_edges(rows, [line[0] for r in rows for line in r.lines if line])
    names = [n for n in dict.fromkeys(header) if not _CODE_WORDS.search(n)]
    # Without layout (a Markdown or text table) every cell of a row is on its code line.
    flag_count = max(0, len(edges) - 2) if edges else len(names)
    names = names[len(names) - flag_count :]
    if len(names) != flag_count:
        names = [f"column {i + 4}" for i in range(flag_count)]
    columns = _Columns(edges, [_SLUG.sub("_", n.lower()).strip("_") for n in names], {})
    seen: Counter[tuple[str, int]] = Counter()
    for row in rows:
        for line in row.lines:
            index = columns.of(line[0])
            if index is not None and index >= 2:
                seen[(line[0].text, index)] += 1
    for (text, index), count in seen.most_common():
        if count >= 2:
            columns.vocabulary.setdefault(text, index)
    _learn_code_line_values(rows, columns)
    return columns


def _learn_code_line_values(rows: Sequence[Row], columns: _Columns) -> None:
    """Short values that end many code lines of different codes ("Non-Specialty", "PA") are
    flag values: a description is longer, or belongs to one code."""
    codes: dict[str, set[str]] = {}
    for row in rows:
        if len(row.cells) > 1:
            codes.setdefault(row.cells[-1].text, set()).add(row.code)
    first_flag = 2 if len(columns.edges) > 2 else None
    for text, seen in codes.items():
        if len(seen) >= 3 and len(text.split()) <= 3 and first_flag is not None:
            columns.vocabulary.setdefault(text, first_flag)


def _header_cells(blocks: Sequence[Block]) -> list[str]:
    """Cell texts of the lines above the first row (the table's header), in order."""
    cells: list[str] = []
    for block in blocks:
        if block.kind == "table" and any(_is_code_row(row) for row in block.rows or []):
            return cells + _table_header(block)
        if _is_code_line(block):
            break
        if " | " in block.full_text and block.kind != "table":
            cells.extend(cell.text for cell in row_cells(block))
    return cells


def _table_header(table: Block) -> list[str]:
    """The last row of three or more cells above the table's first code row."""
    header: list[str] = []
    for row in table.rows or []:
        if _is_code_row(row):
            break
        texts = [cell.text.strip() for cell in row if cell.text.strip()]
        if len(texts) >= 3:
            header = texts
    return header


def _row_texts(row: Row, columns: _Columns) -> dict[int, list[str]]:
    """Each column's text in the row, top to bottom."""
    texts: dict[int, list[str]] = {}
    first, *others = row.cells
    if not columns.edges:
        cells = [_CODE.sub(r"\g<rest>", first.text), *(c.text for c in others)]
        if not cells[0]:
            cells = cells[1:]
        return {index: [text] for index, text in enumerate(cells) if text}
    code_line = [Cell(_CODE.sub(r"\g<rest>", first.text), first.span), *others]
    lines = [*row.lines, code_line]
    lines.sort(key=lambda line: _middle_of_span(line[0].span))
    for line in lines:
        for position, cell in enumerate(line):
            if not cell.text:
                continue
            index = columns.of(cell)
            if index is None:
                index = 0 if line is code_line and position == 0 else 1
            texts.setdefault(index, []).append(cell.text)
    return texts


def _middle_of_span(span: Span) -> float:
    return (span.bbox[1] + span.bbox[3]) / 2 if span.bbox else float(span.line_start or 0)


def _product(row: Row, columns: _Columns, case_names: bool) -> tuple[Product, str | None]:
    texts = {i: " ".join(parts) for i, parts in _row_texts(row, columns).items()}
    given = texts.get(0) if texts.get(0) not in _NO_VALUE else None  # "N/A": no name printed
    name = given or texts.get(1) or row.code
    product = Product(name=name, hcpcs=[row.code], span=row.span)
    if case_names and given and _NAME_WORD.search(name):
        if name.isupper():
            product.brand_names = [name]
        elif name.islower():
            product.generic_name = name
    for index, key in enumerate(columns.flag_names, start=2):
        if texts.get(index):
            product.flags[key] = texts[index]
    return product, texts.get(1)


_CASE_LEGEND = re.compile(r"\bUPPERCASE\s*=\s*Brand", re.I)


def read_policy(blocks: Sequence[Block], furniture: Sequence[Furniture]) -> tuple[Policy, Findings]:
    """The generic reading, with one product per row and the codes' descriptions from their rows."""
    policy, findings = read_generic(blocks, furniture)
    policy.warnings = []
    findings.warnings = [w for w in findings.warnings if w.code != "template-not-recognised"]
    rows = table_rows(blocks)
    columns = _learn_columns(rows, _header_cells(blocks))
    case_names = any(_CASE_LEGEND.search(b.full_text) for b in blocks[:100])
    codes: dict[str, Hcpcs] = {}
    for row in rows:
        product, description = _product(row, columns, case_names)
        policy.products.append(product)
        if row.code not in codes:
            codes[row.code] = Hcpcs(
                code=row.code, description=description, text=row.anchor.full_text, span=row.span
            )
    policy.drug_details.hcpcs = list(codes.values())
    if len(columns.edges) < 2 and not all(row.ruled for row in rows):
        findings.warn(
            "section-not-read",
            "drug list: the table's name and description columns were not found; "
            "products carry their code and the code line only",
        )
    return policy, findings


def is_structure(block: Block) -> bool:
    return generic_is_structure(block)


PROFILE = Profile(NAME, match, find_title, read_policy, is_structure)
