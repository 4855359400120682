"""Load a PDF into the flat block stream, from the words pdfplumber extracts.

Steps, each a small function: check the bytes -> each page's words (pdfplumber; its failures
become ``LoadError``) -> lines -> page furniture found across pages -> body lines joined into
blocks. ``Document.lines`` holds every line (furniture too) in reading order; spans number them.

Rules a user can notice:

* **Lines.** Words whose ``top`` is within 0.3 x font size of a line's first word share a line;
  a row of only small type (superscripts) or only a bullet glyph joins the line it overlaps.
  Lines are read top to bottom: there is no column detection.
* **Furniture.** Only lines near the top or bottom edge are candidates. A line in the outer 10%
  of the page whose text (digits read as ``#``) recurs at the same height (within 4 pt) on at
  least 2 pages (half the pages when there are more than 6) is a running header/footer; a
  repeating line further in (up to 20%) counts only right after furniture and when it recurs
  on at least 3 pages. "Page 2 of 4", "2 of 4", "- 3 -" or a bare number as the outermost line
  of the outer 10% is a page number. Anything else is content, even near the edge.
* **Blocks.** An all-bold line is a heading; bold lines join only when the first clearly wraps.
  A bold lead-in before regular words is a paragraph's ``label``. A list label (``1.``, ``a.``,
  ``ii.``) or a bullet glyph starts a list item, and lines to the right of its marker continue
  it. Paragraph lines join while the gap stays under 0.7 x font size, the left edge holds and
  the style does not switch between all-italic and regular. A block goes on past a page break
  when the next page's first body line has no marker and starts in lowercase, or the block did
  not end with terminal punctuation.
* **Hyphenation.** When a line ends with ``-`` and the next starts in lowercase, the hyphen is
  dropped ("immuno-" + "suppressant") unless the part before it is a prefix of hyphenated
  compounds (non-, anti-, self-, co-, well-, high-, low-, first-, ...), is not a plain word
  (T-, CAR-, CD20-), or the next word is a usual compound tail (-based, -related, -line, ...).
  Otherwise the hyphen stays and the parts join without a space.
* **Tables.** Ruled tables are found by pdfplumber's table finder and become ``table`` blocks
  (rules in ``loaders._pdf_tables``). In unruled text, a gap wider than twice the font size
  separates cells, joined with " | "; such a row is a paragraph of its own.
"""

from __future__ import annotations

import hashlib
import io
import warnings
from collections.abc import Iterator
from pathlib import Path

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError

from ..blocks import Document, Furniture
from ..errors import LoadError
from ._files import read_source_bytes
from ._pdf_blocks import build_blocks, join_lines
from ._pdf_furniture import find_page_furniture
from ._pdf_lines import (
    WORD_OPTIONS,
    Page,
    Word,
    group_rows,
    looks_double_struck,
    make_line,
    span_of_lines,
    words_without_double_strikes,
)
from ._pdf_tables import (
    FoundTable,
    build_blocks_around_tables,
    find_page_tables,
    merge_table_rows,
)

__all__ = ["join_lines", "load_pdf"]


def load_pdf(path: Path) -> Document:
    """Read ``path`` as a PDF; raise ``LoadError`` with a one-line reason when that fails."""
    data = _read_bytes(path)
    tables: list[FoundTable] = []
    pages = _read_pages(path, data, tables)
    lines = [line for page in pages for line in page.lines]
    if not lines:
        raise LoadError(path, "PDF has no text layer (image-only); OCR is needed")
    furniture = find_page_furniture(pages)
    body = [line for line in lines if line.number not in furniture]
    blocks, repeated_headers = build_blocks_around_tables(body, tables, build_blocks)
    return Document(
        path=str(path),
        format="pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        blocks=blocks,
        lines=[line.text for line in lines],
        pages=len(pages),
        furniture=sorted(
            [
                *(
                    Furniture(line.text, furniture[line.number], span_of_lines([line]))
                    for line in lines
                    if line.number in furniture
                ),
                *repeated_headers,
            ],
            key=lambda item: item.span.line_start or 0,
        ),
    )


def _read_bytes(path: Path) -> bytes:
    data = read_source_bytes(path)
    if b"%PDF-" not in data[:1024]:
        raise LoadError(path, "not a PDF file (no %PDF header)")
    return data


def _read_pages(path: Path, data: bytes, tables: list[FoundTable]) -> list[Page]:
    """The pages' lines; the ruled tables found are appended to ``tables``."""
    pages: list[Page] = []
    next_line = 1
    for number, (words, page_tables, top, bottom) in enumerate(_page_words(path, data), start=1):
        rows = group_rows(words)
        lines = [make_line(number, next_line + i, row) for i, row in enumerate(rows)]
        lines = merge_table_rows(number, next_line, lines, page_tables)  # table rows in order
        tables.extend(page_tables)
        next_line += len(lines)
        pages.append(Page(number, top, bottom, lines))
    return pages


def _page_words(
    path: Path, data: bytes
) -> Iterator[tuple[list[Word], list[FoundTable], float, float]]:
    """Each page's words outside tables, its tables and its vertical extent. Only pdfplumber's
    failures become LoadError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pdfminer warns about the damage it repairs
        try:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                for page in pdf.pages:
                    words: list[Word] = page.extract_words(**WORD_OPTIONS)
                    if looks_double_struck(words):
                        words = words_without_double_strikes(page.chars)
                    words, tables = find_page_tables(page, page.page_number, words)
                    _, top, _, bottom = page.bbox
                    page.close()  # drop the page's cached objects: memory stays flat
                    yield words, tables, float(top), float(bottom)
        except Exception as exc:  # pdfminer raises many unrelated types on damaged files
            raise LoadError(path, _describe_failure(exc)) from None


def _describe_failure(exc: Exception) -> str:
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(cause, PDFEncryptionError):
        return "PDF is encrypted; a password is needed"
    detail = " ".join(f"{type(cause).__name__}: {cause}".split())
    return f"PDF is damaged or truncated: {detail[:120]}"
