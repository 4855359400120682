"""Build multi-page policy PDFs for tests from Markdown-ish policy text, with reportlab.

It understands the conventions of ``source_docs/atgam.md``: a paragraph made only of ``**bold**``
runs is a heading (``**A****B**`` gives two heading lines); ``**Label:** value`` sets the label in
bold inline; ``1.`` / ``  - a.`` / ``    - i.`` are list items indented by depth, and ``- `` is a
bullet drawn as ``•``; ``<url>`` is plain text; ``*text*`` is italic; a line ending in two
spaces is a hard line break. Plain paragraphs wrap to the page width (at spaces only).

Two options vary a layout the way other word processors set the same text: ``paragraph_space``
(the space between blocks, tighter than the layout's own) and ``page_break_before`` (headings
that start a new page, leaving a page with only short lines on it).

Every page gets page furniture: the title (the first heading unless given) and "Page N of M".

* layout ``"a"``: Letter, Helvetica 10 pt, 1-inch margins; the title as a running header at the
  top left, "Page N of M" as a footer at the bottom centre.
* layout ``"b"``: A4, Times-Roman/Times-Bold 11 pt, other margins and indents; the two swap
  ends -- "Page N of M" at the top right and the title as a footer at the bottom left -- and
  page breaks are forced after the first line of the first wrapped paragraph, after the first
  line of the first wrapped list item, and between the first two consecutive nested items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from reportlab.lib.pagesizes import A4, LETTER
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen import canvas

__all__ = ["LAYOUTS", "Layout", "build_policy_pdf", "build_table_pdf"]

_INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*|<(https?://[^>]+)>")
_LIST_LINE = re.compile(r"^( *)(?:([-*+]) +)?(?:(\d{1,3}|[a-z]{1,4})\. +)?(\S.*)$")
_BREAK = "\n"  # a hard line break inside a paragraph's words


@dataclass(frozen=True)
class Layout:
    pagesize: tuple[float, float]
    fonts: dict[str, str]  # style ("regular", "bold", "italic") -> font name
    size: float
    leading: float
    block_space: float
    left: float
    right: float
    top: float
    bottom: float
    indent_step: float
    marker_width: float
    page_number_at_top: bool
    forced_breaks: bool


LAYOUTS = {
    "a": Layout(
        pagesize=LETTER,
        fonts={"regular": "Helvetica", "bold": "Helvetica-Bold", "italic": "Helvetica-Oblique"},
        size=10,
        leading=12,
        block_space=10,
        left=72,
        right=72,
        top=72,
        bottom=72,
        indent_step=18,
        marker_width=18,
        page_number_at_top=False,
        forced_breaks=False,
    ),
    "b": Layout(
        pagesize=A4,
        fonts={"regular": "Times-Roman", "bold": "Times-Bold", "italic": "Times-Italic"},
        size=11,
        leading=13.5,
        block_space=9,
        left=60,
        right=50,
        top=90,
        bottom=80,
        indent_step=24,
        marker_width=20,
        page_number_at_top=True,
        forced_breaks=True,
    ),
}


@dataclass
class _Word:
    text: str
    style: str
    glued: bool = False  # no space before it (a style change inside a word)


@dataclass
class _Piece:
    kind: str  # "heading" | "text" | "item"
    words: list[_Word]
    depth: int = 0
    marker: str = ""
    list_start: bool = False


@dataclass
class _Pen:
    """Where the next line goes; each page collects (x, baseline, font, text) drawings."""

    layout: Layout
    pages: list[list[tuple[float, float, str, str]]] = field(default_factory=lambda: [[]])
    y: float = 0.0
    broken: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.y = self.layout.pagesize[1] - self.layout.top

    def new_page(self) -> None:
        self.pages.append([])
        self.y = self.layout.pagesize[1] - self.layout.top

    def line(self, x: float, runs: list[tuple[float, str, str]]) -> None:
        if self.y - self.layout.leading < self.layout.bottom:
            self.new_page()
        baseline = self.y - self.layout.size
        for dx, font, text in runs:
            self.pages[-1].append((x + dx, baseline, font, text))
        self.y -= self.layout.leading


def build_policy_pdf(
    markdown_text: str,
    path: Path,
    layout: str = "a",
    *,
    title: str | None = None,
    drop_lines: set[str] | None = None,
    paragraph_space: float | None = None,
    page_break_before: set[str] | None = None,
) -> int:
    """Write ``path`` and return its page count.

    ``drop_lines``: paragraphs whose source text equals one of these are left out -- in the
    Markdown they are page furniture left over from a conversion, and the PDF draws its own.
    """
    settings = LAYOUTS[layout]
    if paragraph_space is not None:
        settings = replace(settings, block_space=paragraph_space)
    pieces = parse_policy_markdown(markdown_text, drop_lines or set())
    if title is None:
        title = next((_plain(p.words) for p in pieces if p.kind == "heading"), "Policy")
    pen = _Pen(settings)
    previous: _Piece | None = None
    for piece in pieces:
        if piece.kind == "heading" and _plain(piece.words) in (page_break_before or set()):
            pen.new_page()
        _place(pen, piece, previous)
        previous = piece
    _render(pen.pages, settings, title, path)
    return len(pen.pages)


def parse_policy_markdown(text: str, drop_lines: set[str]) -> list[_Piece]:
    pieces: list[_Piece] = []
    for chunk in re.split(r"\n[ \t]*\n", text.strip("\n")):
        if not chunk.strip() or chunk.strip() in drop_lines:
            continue
        lines = chunk.split("\n")
        if _is_list_line(lines[0]):
            pieces.extend(_list_items(lines))
        else:
            pieces.extend(_paragraph(lines))
    return pieces


def _is_list_line(line: str) -> bool:
    match = _LIST_LINE.match(line)
    return bool(match and (match.group(2) or (match.group(3) or "").isdigit()))


def _list_items(lines: list[str]) -> list[_Piece]:
    items: list[_Piece] = []
    for line in lines:
        match = _LIST_LINE.match(line)
        if not _is_list_line(line) or match is None:
            items[-1].words.extend(_inline(line.strip()))
            continue
        indent, bullet, label, rest = match.groups()
        if label and not bullet and not label.isdigit():
            rest = f"{label}. {rest}"
            label = None
        marker = f"{label}." if label else "•"
        items.append(_Piece("item", _inline(rest), len(indent) // 2, marker, not items))
    return items


def _paragraph(lines: list[str]) -> list[_Piece]:
    joined = " ".join(line.strip() for line in lines)
    bold_only = _INLINE.sub(lambda m: "" if m.group(1) else m.group(0), joined).strip() == ""
    if bold_only:
        return [
            _Piece("heading", [_Word(w, "bold") for w in m.group(1).split()])
            for m in _INLINE.finditer(joined)
        ]
    words: list[_Word] = []
    for line in lines:
        words.extend(_inline(line.strip()))
        if line.endswith("  ") or line.endswith("\\"):
            words.append(_Word(_BREAK, "regular"))
    return [_Piece("text", words)]


def _inline(text: str) -> list[_Word]:
    words: list[_Word] = []
    position = 0
    for match in _INLINE.finditer(text):
        _add_words(words, text[position : match.start()], "regular", text[:position])
        bold, italic, url = match.groups()
        style = "bold" if bold else "italic" if italic else "regular"
        _add_words(words, bold or italic or url, style, text[: match.start()])
        position = match.end()
    _add_words(words, text[position:].rstrip("\\"), "regular", text[:position])
    return words


def _add_words(words: list[_Word], text: str, style: str, before: str) -> None:
    """Append the words of ``text``; the first is glued on when no space separates it."""
    glued = bool(words and text and before) and not (text[0].isspace() or before[-1].isspace())
    for index, part in enumerate(text.split()):
        words.append(_Word(part, style, glued and index == 0))


def _plain(words: list[_Word]) -> str:
    return "".join(("" if w.glued or i == 0 else " ") + w.text for i, w in enumerate(words))


def _place(pen: _Pen, piece: _Piece, previous: _Piece | None) -> None:
    settings = pen.layout
    same_list = piece.kind == "item" and not piece.list_start and previous is not None
    if previous is not None:
        pen.y -= 2 if same_list else settings.block_space
    nested = same_list and piece.depth > 0 and previous is not None and previous.depth > 0
    if settings.forced_breaks and nested and "nested" not in pen.broken:
        pen.broken.add("nested")
        pen.new_page()
    x = settings.left + piece.depth * settings.indent_step
    if piece.kind == "item":
        marker_font = settings.fonts["regular"]
        x_text = x + settings.marker_width
        lines = _wrap(piece.words, settings, x_text)
        lines[0].insert(0, (x - x_text, marker_font, piece.marker))
    else:
        x_text = x
        lines = _wrap(piece.words, settings, x_text)
    for number, runs in enumerate(lines):
        pen.line(x_text, runs)
        kind = "paragraph" if piece.kind == "text" else piece.kind
        if settings.forced_breaks and number == 0 and len(lines) > 1 and kind not in pen.broken:
            pen.broken.add(kind)
            pen.new_page()


def _wrap(words: list[_Word], settings: Layout, x: float) -> list[list[tuple[float, str, str]]]:
    width = settings.pagesize[0] - settings.right - x
    space = stringWidth(" ", settings.fonts["regular"], settings.size)
    lines: list[list[tuple[float, str, str]]] = [[]]
    cursor = 0.0
    for word in words:
        if word.text == _BREAK:
            lines.append([])
            cursor = 0.0
            continue
        font = settings.fonts[word.style]
        advance = stringWidth(word.text, font, settings.size)
        gap = 0.0 if word.glued or not lines[-1] else space
        if lines[-1] and not word.glued and cursor + gap + advance > width:
            lines.append([])
            cursor, gap = 0.0, 0.0
        _add_run(lines[-1], cursor, font, (" " if gap else "") + word.text)
        cursor += gap + advance
    return [line for line in lines if line] or [[]]


def _add_run(line: list[tuple[float, str, str]], x: float, font: str, text: str) -> None:
    """Draw real space characters, as word processors do: extend the run while the font holds."""
    if line and line[-1][1] == font:
        start, _, previous = line[-1]
        line[-1] = (start, font, previous + text)
    else:
        line.append((x, font, text))


def _render(
    pages: list[list[tuple[float, float, str, str]]], settings: Layout, title: str, path: Path
) -> None:
    width, height = settings.pagesize
    pdf = canvas.Canvas(str(path), pagesize=settings.pagesize)
    pdf.setTitle(title)
    furniture_size = settings.size - 1
    for number, drawings in enumerate(pages, start=1):
        for x, y, font, text in drawings:
            pdf.setFont(font, settings.size)
            pdf.drawString(x, y, text)
        pdf.setFont(settings.fonts["regular"], furniture_size)
        page_label = f"Page {number} of {len(pages)}"
        if settings.page_number_at_top:
            pdf.drawRightString(width - settings.right, height - 40, page_label)
            pdf.drawString(settings.left, 30, title)
        else:
            pdf.drawString(settings.left, height - 40, title)
            pdf.drawCentredString(width / 2, 36, page_label)
        pdf.showPage()
    pdf.save()


def build_table_pdf(
    path: Path,
    intro: list[str],
    header: list[str],
    pages: list[list[list[str]]],
    widths: list[float],
) -> None:
    """A Letter PDF: ``intro`` lines, then a ruled table whose rows (``pages``: the rows on each
    page) run over several pages, the ``header`` row repeated at the top of each page. A cell's
    ``\\n`` is a wrapped line inside it. Every page gets "Page N of M" as a footer."""
    size, leading, pad, left = 10.0, 12.0, 3.0, 72.0
    width, height = LETTER
    pdf = canvas.Canvas(str(path), pagesize=LETTER)
    for number, rows in enumerate(pages, start=1):
        y = height - 72
        if number == 1:
            for line in intro:
                pdf.setFont("Helvetica", size)
                pdf.drawString(left, y - size, line)
                y -= leading + 4
            y -= 8
        for index, row in enumerate([header, *rows]):
            font = "Helvetica-Bold" if index == 0 else "Helvetica"
            y = _table_row(pdf, row, widths, left, y, font, size, leading, pad)
        pdf.setFont("Helvetica", size)
        pdf.drawCentredString(width / 2, 40, f"Page {number} of {len(pages)}")
        pdf.showPage()
    pdf.save()


def _table_row(
    pdf: canvas.Canvas,
    row: list[str],
    widths: list[float],
    left: float,
    y: float,
    font: str,
    size: float,
    leading: float,
    pad: float,
) -> float:
    """Draw one ruled row with its top at ``y``; return the y of its bottom."""
    lines = max(len(cell.split("\n")) for cell in row)
    row_height = lines * leading + 2 * pad
    x = left
    for cell, cell_width in zip(row, widths, strict=True):
        pdf.rect(x, y - row_height, cell_width, row_height, stroke=1, fill=0)
        pdf.setFont(font, size)
        for offset, text in enumerate(cell.split("\n")):
            pdf.drawString(x + pad, y - pad - size - offset * leading, text)
        x += cell_width
    return y - row_height
