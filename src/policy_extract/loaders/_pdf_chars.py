"""The lean pdfminer character source: pdfplumber's character records without its object tax.

pdfplumber turns every layout object of a page (characters, rectangles, curves, images) into a
dict before ``extract_words`` reads only the characters. Here pdfminer interprets the page into
a device that keeps characters and painted paths (no layout analysis), and each ``LTChar``
becomes the few keys word grouping reads (text, box, ``doctop``, ``upright``, font name, size),
computed exactly as ``pdfplumber.Page.process_object`` computes them. The words then come from
pdfplumber's own ``WordExtractor``, so they equal ``page.extract_words(**WORD_OPTIONS)`` (a test
checks this on every real PDF and test layout). This relies on pdfplumber internals: pyproject
pins its range.

**Rotated pages.** A character drawn at 90/180/270 degrees to the page's reading frame is not
``upright``; pdfplumber gives each such glyph its advance as ``size``, so grouping by size makes
one-letter words. When most characters of a page run in one rotated direction, the page is read
again in the frame where they are upright (its ``/Rotate`` changed by that angle), and the page
says so (``PageChars.rotated``) so the loader can warn.

**Ruling lines.** ``PageChars.has_paths`` says whether the page paints any path (what
pdfplumber would list as ``lines``, ``rects`` or ``curves``), and ``PageChars.rulings`` holds
them, keyed as ``Page.process_object`` keys them, for pdfplumber's table finder: no second
reading of the page with pdfplumber's ``Page``. A page read in a turned frame has no rulings
(its tables are not looked for).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pdfminer.converter import PDFPageAggregator
from pdfminer.layout import LTChar, LTContainer, LTCurve, LTItem, LTLine, LTRect
from pdfminer.pdfinterp import PDFPageInterpreter, PDFResourceManager
from pdfminer.pdfpage import PDFPage

from ._pdf_rulings import RulingPage, Shape

Char = dict[str, Any]

__all__ = ["PageChars", "PageFrame", "read_page_chars"]


@dataclass(slots=True, frozen=True)
class PageFrame:
    """Where pdfplumber puts a page: its box (top-left origin) and its offset in the document."""

    x0: float  # the mediabox's left edge (pdfplumber shifts characters by it)
    top: float
    bottom: float
    doctop: float  # the sum of the heights of the pages before it

    @property
    def height(self) -> float:
        return self.bottom - self.top


@dataclass(slots=True)
class PageChars:
    """One page's characters in drawing order, how many paths it paints, how it was turned."""

    chars: list[Char]
    has_paths: bool  # it paints lines, rectangles or curves: table finding looks only there
    rotated: int  # degrees added to the page's /Rotate to read it upright (0: as published)
    frame: PageFrame
    rulings: Any = None  # what table finding reads, where the engine has it without pdfplumber


class _CharDevice(PDFPageAggregator):
    """pdfminer's aggregator without layout analysis: characters, and the lines, rectangles and
    curves of painted paths (what table finding reads)."""

    def __init__(self, rsrcmgr: PDFResourceManager, pageno: int) -> None:
        super().__init__(rsrcmgr, pageno=pageno, laparams=None)


def page_frame(mediabox: Sequence[float], rotation: int, doctop: float) -> PageFrame:
    """pdfplumber's ``Page.mediabox`` for ``rotation``: sides swap at 90/270 degrees."""
    x0, x1 = sorted((mediabox[0], mediabox[2]))
    y0, y1 = sorted((mediabox[1], mediabox[3]))
    if rotation in (90, 270):
        x0, y0, x1, y1 = y0, x0, y1, x1
    height = y1 - y0
    return PageFrame(x0=x0, top=height - y1, bottom=height - y0, doctop=doctop)


def read_page_chars(
    rsrcmgr: PDFResourceManager, page: PDFPage, number: int, doctop: float
) -> PageChars:
    """The page's characters as pdfplumber would list them; rotated text is read upright."""
    published = int(page.rotate) % 360
    chars, shapes, frame = _interpret(rsrcmgr, page, number, published, doctop)
    turn = _turn_to_upright(chars)
    if turn:
        rotation = (published + turn) % 360
        chars, shapes, frame = _interpret(rsrcmgr, page, number, rotation, doctop)
    found = PageChars([_record(char, frame) for char in chars], bool(shapes), turn, frame)
    if shapes and not turn:
        width = abs(page.mediabox[2] - page.mediabox[0])
        bbox = (frame.x0, frame.top, frame.x0 + width, frame.bottom)
        found.rulings = RulingPage(bbox, [_shape(shape, frame) for shape in shapes])
    return found


def _interpret(
    rsrcmgr: PDFResourceManager, page: PDFPage, number: int, rotation: int, doctop: float
) -> tuple[list[LTChar], list[LTCurve], PageFrame]:
    device = _CharDevice(rsrcmgr, number)
    published = page.rotate
    page.rotate = rotation
    try:
        PDFPageInterpreter(rsrcmgr, device).process_page(page)
    finally:
        page.rotate = published
    chars: list[LTChar] = []
    shapes: list[LTCurve] = []
    _collect(device.get_result(), chars, shapes)
    return chars, shapes, page_frame(page.mediabox, rotation, doctop)


def _collect(items: Any, chars: list[LTChar], shapes: list[LTCurve]) -> None:
    """Depth first, in drawing order, as pdfplumber walks a page (figures hold their own)."""
    item: LTItem
    for item in items:
        if isinstance(item, LTChar):
            chars.append(item)
        elif isinstance(item, LTCurve):  # lines and rects are curves too
            shapes.append(item)
        elif isinstance(item, LTContainer):
            _collect(item, chars, shapes)


def _shape(shape: LTCurve, frame: PageFrame) -> Shape:
    """``Page.process_object`` for a line, rect or curve, limited to what table finding reads."""
    top = frame.height - shape.y1 + frame.top
    kind = "line" if isinstance(shape, LTLine) else "rect" if isinstance(shape, LTRect) else "curve"
    record: Shape = {
        "object_type": kind,
        "x0": shape.x0 + frame.x0 if frame.x0 != 0 else shape.x0,
        "x1": shape.x1 + frame.x0 if frame.x0 != 0 else shape.x1,
        "y0": shape.y0,
        "y1": shape.y1,
        "width": shape.width,
        "height": shape.height,
        "top": top,
        "bottom": frame.height - shape.y0 + frame.top,
        "doctop": frame.doctop + top,
    }
    if kind != "rect":
        record["pts"] = [(frame.x0 + x, frame.top + frame.height - y) for x, y in shape.pts]
    return record


def _turn_to_upright(chars: list[LTChar]) -> int:
    """Degrees to add to the page rotation so most characters read upright (0: they do)."""
    angles: Counter[int] = Counter()
    for char in chars:
        if char.get_text().isspace():
            continue
        a, b = char.matrix[0], char.matrix[1]
        angles[round(math.degrees(math.atan2(b, a)) / 90) % 4 * 90] += 1
    if not angles:
        return 0
    angle, count = angles.most_common(1)[0]
    return angle if angle and count * 2 > sum(angles.values()) else 0


def _record(char: LTChar, frame: PageFrame) -> Char:
    """``Page.process_object`` for a character, limited to the keys word grouping reads."""
    fontname = char.fontname
    if isinstance(fontname, bytes):  # rare byte-encoded names, as pdfplumber fixes them
        from pdfplumber.page import fix_fontname_bytes

        fontname = fix_fontname_bytes(fontname)
    top = frame.height - char.y1 + frame.top
    return {
        "text": char.get_text(),
        "x0": char.x0 + frame.x0 if frame.x0 != 0 else char.x0,
        "x1": char.x1 + frame.x0 if frame.x0 != 0 else char.x1,
        "top": top,
        "bottom": frame.height - char.y0 + frame.top,
        "doctop": frame.doctop + top,
        "upright": char.upright,
        "fontname": fontname,
        "size": char.size,
    }
