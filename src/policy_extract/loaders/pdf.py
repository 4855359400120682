"""Load a PDF into the flat block stream, from the words pdfplumber's word grouping makes.

Steps, each a small function: check the bytes -> each page's characters (the ``pdfminer``
engine, ``_pdf_chars``, the default: pdfplumber's own character records without its object
tax; or ``pdfium``, ``_pdf_pdfium``; their failures become ``LoadError``) -> words
(pdfplumber's ``WordExtractor``) -> lines -> page furniture found across pages -> body lines
joined into blocks. ``Document.lines`` holds every line (furniture too) in reading order; spans
number them. A page whose text runs rotated is read upright, with a ``pdf-page-rotated`` warning.

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
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError

from ..blocks import Document, Furniture, Notice
from ..errors import LoadError
from ._files import read_source_bytes
from ._pdf_blocks import build_blocks, join_lines
from ._pdf_chars import PageChars, read_page_chars
from ._pdf_furniture import find_page_furniture
from ._pdf_lines import (
    Line,
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
from ._pdf_words import extract_words
from .pdf_engines import DEFAULT_ENGINE, ENGINE_VARIABLE, PDF_ENGINES, resolve_engine

__all__ = [
    "DEFAULT_ENGINE",
    "ENGINE_VARIABLE",
    "PDF_ENGINES",
    "choose_engine",
    "join_lines",
    "load_pdf",
]


def load_pdf(path: Path, engine: str | None = None) -> Document:
    """Read ``path`` as a PDF; raise ``LoadError`` with a one-line reason when that fails.

    ``engine`` is the character source, ``pdfminer`` or ``pdfium`` (default: the
    ``POLICY_EXTRACT_PDF_ENGINE`` environment variable, else ``pdfium``).
    """
    data = _read_bytes(path)
    tables: list[FoundTable] = []
    chosen = choose_engine(path, engine)
    pages, notes = _read_pages(path, data, chosen, tables)
    lines = [line for page in pages for line in page.lines]
    if not lines and chosen == "pdfium":
        # pdfium drops text it cannot place (a damaged matrix: "/A /B /C 1 2 3 cm");
        # pdfminer skips the damaged operator: before calling the file image-only, ask it
        tables.clear()
        pages, notes = _read_pages(path, data, "pdfminer", tables)
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
        notices=notes,
    )


def choose_engine(path: Path, engine: str | None = None) -> str:
    """The engine asked for, else ``POLICY_EXTRACT_PDF_ENGINE``, else the default."""
    try:
        return resolve_engine(engine)
    except ValueError as exc:
        raise LoadError(path, str(exc)) from None


def _read_bytes(path: Path) -> bytes:
    data = read_source_bytes(path)
    if b"%PDF-" not in data[:1024]:
        raise LoadError(path, "not a PDF file (no %PDF header)")
    return data


def _read_pages(
    path: Path, data: bytes, engine: str, tables: list[FoundTable]
) -> tuple[list[Page], list[Notice]]:
    """The pages' lines; the ruled tables found are appended to ``tables``."""
    pages: list[Page] = []
    notes: list[Notice] = []
    next_line = 1
    for number, (source, page) in enumerate(_page_chars(path, data, engine), start=1):
        words = _words_of(source)
        page_tables: list[FoundTable] = []
        if page is not None and source.has_paths and not source.rotated:
            words, page_tables = find_page_tables(page, number, words)
        rows = group_rows(words)
        lines = [make_line(number, next_line + i, row) for i, row in enumerate(rows)]
        lines = merge_table_rows(number, next_line, lines, page_tables)  # table rows in order
        tables.extend(page_tables)
        next_line += len(lines)
        pages.append(Page(number, source.frame.top, source.frame.bottom, lines))
        if source.rotated and lines:
            notes.append(_rotation_warning(number, source.rotated, lines))
    return pages, notes


def _words_of(source: PageChars) -> list[Word]:
    words = extract_words(source.chars)  # pdfplumber's WordExtractor, for our options
    if looks_double_struck(words):
        words = words_without_double_strikes(source.chars)
    return words


def _rotation_warning(number: int, degrees: int, lines: list[Line]) -> Notice:
    message = f"page {number}: text runs at {degrees} degrees to the page; read upright"
    return Notice("pdf-page-rotated", message, span_of_lines(lines))


def _page_chars(path: Path, data: bytes, engine: str) -> Iterator[tuple[PageChars, Any]]:
    """Each page's characters, with what table finding reads of it (its rulings; pdfplumber's
    page where the engine has none). Only the PDF libraries' failures become LoadError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pdfminer warns about the damage it repairs
        try:
            if engine == "pdfium":
                yield from _pdfium_page_chars(data)
                return
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                for page in pdf.pages:
                    chars = read_page_chars(
                        pdf.rsrcmgr, page.page_obj, page.page_number, page.initial_doctop
                    )
                    yield chars, chars.rulings
                    page.close()  # drop the page's cached objects: memory stays flat
        except Exception as exc:  # pdfminer raises many unrelated types on damaged files
            raise LoadError(path, _describe_failure(exc)) from None


def _pdfium_page_chars(data: bytes) -> Iterator[tuple[PageChars, Any]]:
    """pdfium's characters, with the rulings pdfium read for table finding; pdfplumber's page
    only where paths are painted on a page pdfium could not give rulings for."""
    from ._pdf_pdfium import read_pdfium_pages

    with ExitStack() as opened:  # pdfplumber only if a page needs it (closing it reads every page)
        pdf: Any = None
        for index, chars in enumerate(read_pdfium_pages(data)):
            if not chars.has_paths or chars.rotated or chars.rulings is not None:
                yield chars, chars.rulings
                continue
            if pdf is None:
                pdf = opened.enter_context(pdfplumber.open(io.BytesIO(data)))
            page = pdf.pages[index]
            yield chars, page
            page.close()


def _describe_failure(exc: Exception) -> str:
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(cause, PDFEncryptionError):
        return "PDF is encrypted; a password is needed"
    detail = " ".join(f"{type(cause).__name__}: {cause}".split())
    return f"PDF is damaged or truncated: {detail[:120]}"
