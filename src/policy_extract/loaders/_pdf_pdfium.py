"""The pypdfium2 character source: the same character records as the pdfminer path, from pdfium.

pdfium (C++, shipped with pdfplumber as pypdfium2) reads a page's characters about ten times
faster than pdfminer. Each character becomes the record pdfplumber would make of it:

* its box is pdfminer's: pdfium's loose box gives the advance and the baseline side (origin
  plus the font's descent); the other side is one font size away, as pdfminer draws it
  (pdfium uses the font's ascent there);
* coordinates are pdfplumber's (top-left origin of the mediabox, ``doctop`` the sum of the
  heights of the pages before);
* line breaks pdfium generates are dropped; the spaces it generates stay (pdfium replaces the
  document's own space characters with generated ones); its end-of-line hyphen code is ``-``;
* a page whose characters mostly run rotated is read in the frame where they are upright, as
  ``_pdf_chars`` does (pdfium's coordinates ignore ``/Rotate``: the frame follows the glyphs).

Font name and size are read once per text object. ``PageChars.has_paths`` says whether the
page paints any path (lines, rectangles, curves), so table finding can open pdfplumber's
``Page`` only there.
"""

from __future__ import annotations

import ctypes
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as raw  # type: ignore[import-untyped]
from pdfminer.fontmetrics import FONT_METRICS
from pdfminer.pdfdocument import PDFEncryptionError

from ._pdf_chars import Char, PageChars, PageFrame, page_frame

__all__ = ["read_pdfium_pages"]

_FONT_BUFFER = 256
_LINE_BREAKS = frozenset("\r\n")
_HYPHEN_MARKS = frozenset("\x02\ufffe")  # pdfium's code for a hyphen that ends a line


def read_pdfium_pages(data: bytes) -> Iterator[PageChars]:
    """Each page's characters, in content order, as pdfplumber would list them."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise PDFEncryptionError(str(exc)) from None
        raise
    try:
        doctop = 0.0
        for index in range(len(document)):
            page = document[index]
            try:
                chars = _read_page(page, doctop)
            finally:
                page.close()
            doctop += chars.frame.height
            yield chars
    finally:
        document.close()


class _Glyph:
    """One character as pdfium places it, in user space (y up), before the frame is applied."""

    __slots__ = ("bottom", "font", "left", "quarter", "right", "size", "text", "top")

    def __init__(self, text: str, box: tuple[float, float, float, float], style: _Style) -> None:
        self.text = text
        self.left, self.bottom, self.right, self.top = box
        self.font = style.fontname
        self.size = style.size
        self.quarter = style.quarter


class _Style:
    """What pdfium knows once per text object: font name, effective size, rotation in quarters."""

    __slots__ = ("fontname", "quarter", "shift", "size", "width_scale", "widths")

    def __init__(self, fontname: str, size: float, quarter: int, shift: float) -> None:
        self.fontname, self.size, self.quarter = fontname, size, quarter
        self.shift = shift  # moves pdfium's baseline side of the box to pdfminer's
        self.widths: dict[str, int] = {}  # pdfminer's own widths, where it uses them
        self.width_scale = 0.0


def _read_page(page: Any, doctop: float) -> PageChars:
    textpage = raw.FPDFText_LoadPage(page.raw)
    try:
        glyphs = _glyphs(textpage)
    finally:
        raw.FPDFText_ClosePage(textpage)
    published = page.get_rotation() % 360
    rotation = _upright_rotation(glyphs, published)
    mediabox = page.get_mediabox()
    frame = page_frame(mediabox, rotation, doctop)
    records = [_record(glyph, rotation, mediabox, frame) for glyph in glyphs]
    return PageChars(records, _has_paths(page), (rotation - published) % 360, frame)


def _glyphs(textpage: Any) -> list[_Glyph]:
    count = raw.FPDFText_CountChars(textpage)
    if count <= 0:
        return []
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    raw.FPDFText_GetText(textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: count * 2].decode("utf-16-le", errors="replace")
    box = raw.FS_RECTF()
    styles: dict[int | None, _Style] = {}
    glyphs: list[_Glyph] = []
    for index, char in enumerate(text):
        if char in _LINE_BREAKS and raw.FPDFText_IsGenerated(textpage, index):
            continue
        if char in _HYPHEN_MARKS and raw.FPDFText_IsHyphen(textpage, index):
            char = "-"
        handle = ctypes.cast(raw.FPDFText_GetTextObject(textpage, index), ctypes.c_void_p).value
        style = styles.get(handle)
        if style is None:
            style = styles[handle] = _style(textpage, index)
        raw.FPDFText_GetLooseCharBox(textpage, index, box)
        bottom, right = box.bottom + style.shift, box.right
        width = style.widths.get(char) if style.widths else None
        if width is not None:
            right = box.left + width * style.width_scale
        glyphs.append(_Glyph(char, (box.left, bottom, right, box.top + style.shift), style))
    return glyphs


def _style(textpage: Any, index: int) -> _Style:
    font = raw.FPDFTextObj_GetFont(raw.FPDFText_GetTextObject(textpage, index))
    tf_size = float(raw.FPDFText_GetFontSize(textpage, index))  # the Tf size, before the matrix
    buffer = ctypes.create_string_buffer(_FONT_BUFFER)
    length = raw.FPDFFont_GetBaseFontName(font, buffer, _FONT_BUFFER)
    fontname = buffer.raw[: max(length - 1, 0)].decode("latin-1")
    matrix = raw.FS_MATRIX()
    raw.FPDFText_GetMatrix(textpage, index, matrix)
    quarter = _quarter(matrix.a, matrix.b)
    vertical = (matrix.c**2 + matrix.d**2) ** 0.5
    standard = fontname in FONT_METRICS and not raw.FPDFFont_GetIsEmbedded(font)
    shift = _descent_correction(font, fontname, tf_size) * vertical if standard else 0.0
    style = _Style(fontname, tf_size * vertical, quarter, shift)
    if standard and quarter == 0:
        style.widths = FONT_METRICS[fontname][1]
        style.width_scale = tf_size * (matrix.a**2 + matrix.b**2) ** 0.5 / 1000
    return style


def _descent_correction(font: Any, fontname: str, size: float) -> float:
    """pdfminer's descent minus pdfium's for a standard-14 font that is not embedded: pdfminer
    reads its own metrics (descent and widths), pdfium those of the font it substitutes."""
    pdfium_descent = ctypes.c_float()
    if not raw.FPDFFont_GetDescent(font, ctypes.c_float(size), pdfium_descent):
        return 0.0
    return float(FONT_METRICS[fontname][0]["Descent"]) * size / 1000 - pdfium_descent.value  # type: ignore[arg-type]


def _quarter(a: float, b: float) -> int:
    """The baseline's direction in quarter turns counter-clockwise (0: left to right)."""
    if abs(a) >= abs(b):
        return 0 if a >= 0 else 2
    return 1 if b > 0 else 3


def _upright_rotation(glyphs: list[_Glyph], published: int) -> int:
    """The page rotation that sets most glyphs upright; the published one when none prevails.

    pdfium's coordinates ignore ``/Rotate``: the frame follows the glyphs' own direction.
    """
    quarters = Counter(g.quarter for g in glyphs if not g.text.isspace())
    if not quarters:
        return published
    quarter, count = quarters.most_common(1)[0]
    return quarter * 90 if count * 2 > sum(quarters.values()) else published


def _pdfminer_box(glyph: _Glyph) -> tuple[float, float, float, float]:
    """pdfminer's box: the baseline side of pdfium's loose box, the far side one size away."""
    left, bottom, right, top, size = glyph.left, glyph.bottom, glyph.right, glyph.top, glyph.size
    if glyph.quarter == 0:
        top = bottom + size
    elif glyph.quarter == 2:
        bottom = top - size
    elif glyph.quarter == 1:
        left = right - size
    else:
        right = left + size
    return left, bottom, right, top


def _record(
    glyph: _Glyph, rotation: int, mediabox: tuple[float, float, float, float], frame: PageFrame
) -> Char:
    """The character in pdfminer's device space for ``rotation``, then as pdfplumber keys it."""
    left, bottom, right, top = _pdfminer_box(glyph)
    x0, y0, x1, y1 = _rotate_box((left, bottom, right, top), rotation, mediabox)
    char_top = frame.height - y1 + frame.top
    return {
        "text": glyph.text,
        "x0": x0 + frame.x0 if frame.x0 != 0 else x0,
        "x1": x1 + frame.x0 if frame.x0 != 0 else x1,
        "top": char_top,
        "bottom": frame.height - y0 + frame.top,
        "doctop": frame.doctop + char_top,
        "upright": (glyph.quarter * 90 - rotation) % 360 == 0,
        "fontname": glyph.font,
        "size": y1 - y0,
    }


def _rotate_box(
    box: tuple[float, float, float, float],
    rotation: int,
    mediabox: tuple[float, float, float, float],
) -> tuple[float, float, float, float]:
    """pdfminer's page transform (``PDFPageInterpreter.process_page``) applied to a box."""
    mx0, my0, mx1, my1 = mediabox
    left, bottom, right, top = box
    if rotation == 90:
        xs, ys = (bottom - my0, top - my0), (mx1 - left, mx1 - right)
    elif rotation == 180:
        xs, ys = (mx1 - left, mx1 - right), (my1 - bottom, my1 - top)
    elif rotation == 270:
        xs, ys = (my1 - bottom, my1 - top), (left - mx0, right - mx0)
    else:
        xs, ys = (left - mx0, right - mx0), (bottom - my0, top - my0)
    return min(xs), min(ys), max(xs), max(ys)


def _has_paths(page: Any) -> bool:
    """Whether the page paints a path (line, rectangle, curve), forms included."""
    stack = [(page.raw, raw.FPDFPage_CountObjects(page.raw), raw.FPDFPage_GetObject)]
    while stack:
        parent, count, get = stack.pop()
        for index in range(count):
            kind = raw.FPDFPageObj_GetType(get(parent, index))
            if kind == raw.FPDF_PAGEOBJ_PATH:
                return True
            if kind == raw.FPDF_PAGEOBJ_FORM:
                form = get(parent, index)
                stack.append((form, raw.FPDFFormObj_CountObjects(form), raw.FPDFFormObj_GetObject))
    return False
