"""The drug list and the Applicable Codes tables of the UnitedHealthcare template.

"This policy refers to the following ...:" lists the products as "Brand® (generic)" lines. The
HCPCS table ("HCPCS Code | Description | Brand Name") ties codes to products. The diagnosis
table ("Diagnosis Code | Description" under "Applies to HCPCS Code" with one column per HCPCS
code) marks with "X" which codes each diagnosis applies to.

PDF text drops empty cells, so a row "G24.5 | Blepharospasm | X | X | X" does not say which
columns are marked. Where the row's marks can be placed without guessing they are: every column
marked; or the last mark (from the row's right edge under the header's columns) is column k and
the row has k marks, which must then be columns 1..k. Other rows keep ``applies_to`` empty and
one warning counts them. Markdown tables keep empty cells, so their columns are exact.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from ..blocks import Block, Cell
from ..model import Icd10Code, Product
from ._common import Findings
from ._fields import ICD10_CODE
from .uhc_layout import text_position

__all__ = ["read_diagnosis_table", "read_products"]

_PRODUCTS_LEAD = re.compile(r"^\s*this\s+policy\s+refers\s+to\s+the\s+following\b.*:\s*$", re.I)
_PRODUCT_LINE = re.compile(r"^\s*(?P<brand>[^()|]+?)\s*[®™]*\s*\((?P<generic>[^()|]+)\)\s*$")
_TRADEMARK = re.compile(r"[®™*]")
_HCPCS = re.compile(r"^[A-Z]\d{4}$")
_DIAGNOSIS_HEADER = re.compile(r"^\s*diagnosis\s+codes?\b", re.IGNORECASE)
_ICD_CELL = re.compile(rf"^\s*{ICD10_CODE}\s*$")
_MARK = re.compile(r"^\s*[X✓✔]\s*$", re.IGNORECASE)


def read_products(blocks: Sequence[Block]) -> list[Product]:
    """The "Brand (generic)" lines after "This policy refers to the following ...:"."""
    for index, block in enumerate(blocks):
        if _PRODUCTS_LEAD.match(block.full_text):
            return _product_lines(blocks[index + 1 :], text_position(block))
    return []


def _product_lines(blocks: Sequence[Block], lead_x: float) -> list[Product]:
    products: list[Product] = []
    for block in blocks:
        match = _PRODUCT_LINE.match(block.full_text)
        if match is None or text_position(block) < lead_x:
            break
        brand = _TRADEMARK.sub("", match.group("brand")).strip()
        products.append(
            Product(
                name=brand,
                generic_name=match.group("generic").strip(),
                brand_names=[brand],
                span=block.span,
            )
        )
    return products


@dataclass(slots=True)
class _Columns:
    codes: list[str]
    bbox: tuple[float, float, float, float] | None
    positional: bool  # Markdown: the header row holds the code columns after Description


def read_diagnosis_table(blocks: Sequence[Block], findings: Findings) -> list[Icd10Code]:
    """Every code of the diagnosis tables with its description and the HCPCS codes it applies to."""
    codes: list[Icd10Code] = []
    columns: _Columns | None = None
    unplaced = 0
    for index, block in enumerate(blocks):
        if block.rows:
            codes.extend(_table_codes(block))
            continue
        found = _header_columns(block)
        if found is not None:
            columns = found
            continue
        cells = block.full_text.split(" | ")
        if columns is None or not _ICD_CELL.match(cells[0]):
            continue
        entry = Icd10Code(
            code=cells[0].strip(),
            description=_description(cells, blocks[index + 1 :], text_position(block)),
            span=block.span,
        )
        placed = _marked_columns(block, cells, columns)
        if placed is None:
            unplaced += 1
        else:
            entry.applies_to = placed
        codes.append(entry)
    if unplaced:
        findings.warn(
            "table-columns-unread",
            f"Applicable Codes: {unplaced} diagnosis rows mark some but not all HCPCS columns "
            "in a way the text layout cannot place; their applies_to is left empty",
        )
    return codes


def _table_codes(block: Block) -> list[Icd10Code]:
    """Diagnosis rows of a ruled table: a mark applies to the HCPCS code of the header cell
    above it (nearest column centre), so every row is placed exactly."""
    centres: list[tuple[float, str]] = []
    codes: list[Icd10Code] = []
    for row in block.rows or []:
        texts = [cell.text.strip() for cell in row]
        header = [(cell, t) for cell, t in zip(row, texts, strict=True) if _HCPCS.fullmatch(t)]
        if header and len(header) >= max(1, len([t for t in texts if t]) - 2):
            centres = [(x, t) for cell, t in header if (x := _centre(cell)) is not None]
            continue
        if not texts or not _ICD_CELL.match(texts[0]) or not centres:
            continue
        marked = [_centre(c) for c, t in zip(row, texts, strict=True) if t and _MARK.match(t)]
        applies = sorted(
            {min(centres, key=lambda pair: abs(pair[0] - x))[1] for x in marked if x is not None}
        )
        description = texts[1] if len(texts) > 1 and not _MARK.match(texts[1]) else None
        codes.append(
            Icd10Code(code=texts[0], description=description, applies_to=applies, span=row[0].span)
        )
    return codes


def _centre(cell: Cell) -> float | None:
    bbox = cell.span.bbox
    return None if bbox is None else (bbox[0] + bbox[2]) / 2


def _header_columns(block: Block) -> _Columns | None:
    cells = [c.strip() for c in block.full_text.split(" | ")]
    if _DIAGNOSIS_HEADER.match(cells[0]) and len(cells) > 2:
        codes = [c for c in cells[2:] if _HCPCS.match(c)]
        if codes and len(codes) == len(cells) - 2:
            return _Columns(codes, None, positional=True)
        return None
    words = block.full_text.split()
    if words and all(_HCPCS.match(w) for w in words) and len(cells) == 1:
        return _Columns(words, block.span.bbox, positional=False)
    return None


def _description(cells: Sequence[str], following: Sequence[Block], row_x: float) -> str | None:
    """The description cell, with its wrapped lines (further right, no cells of their own)."""
    parts = [cells[1].strip()] if len(cells) > 1 and not _MARK.match(cells[1]) else []
    for block in following:
        if (
            " | " in block.full_text
            or text_position(block) <= row_x + 1
            or block.kind != "paragraph"
        ):
            break
        parts.append(block.full_text.strip())
    return " ".join(parts) or None


def _marked_columns(block: Block, cells: Sequence[str], columns: _Columns) -> list[str] | None:
    if columns.positional:
        marks = cells[2:]
        return [code for code, cell in zip(columns.codes, marks, strict=False) if _MARK.match(cell)]
    count = sum(1 for cell in cells[1:] if _MARK.match(cell))
    if count == 0:
        return []
    if count == len(columns.codes):
        return list(columns.codes)
    last = _last_mark_column(block, columns)
    if last is not None and last + 1 == count:
        return list(columns.codes[:count])
    return None


def _last_mark_column(block: Block, columns: _Columns) -> int | None:
    """The column under which the row's last mark ends, from the header's evenly spaced codes."""
    if columns.bbox is None or block.span.bbox is None:
        return None
    left, _, right, _ = columns.bbox
    pitch = (right - left) / len(columns.codes)
    mark_right = block.span.bbox[2]
    index = int((mark_right - left) // pitch)
    return index if 0 <= index < len(columns.codes) else None
