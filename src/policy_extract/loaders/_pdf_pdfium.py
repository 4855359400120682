"""The pypdfium2 character source: the same character records as the pdfminer path, from pdfium.

pdfium (C++, shipped with pdfplumber as pypdfium2) reads a page's characters about ten times
faster than pdfminer. Each character becomes the record pdfplumber would make of it:

* its box is pdfminer's: pdfium's loose box gives the advance and the baseline side (origin
  plus the font's descent); the other side is one font size away, as pdfminer draws it
  (pdfium uses the font's ascent there);
* coordinates are pdfplumber's (top-left origin of the mediabox, ``doctop`` the sum of the
  heights of the pages before);
* line breaks pdfium generates are dropped, and so are characters without text (U+0000,
  pdfminer's ``(cid:0)``); the spaces it generates stay (pdfium replaces the
  document's own space characters with generated ones); its end-of-line hyphen code is ``-``;
* a text object that paints nothing (a lone space, its box of zero width) is one pdfium's text
  page skips, so no space would part the words on either side ("Date .......... 03/15/2026"
  would read "..........03/15/2026"): each becomes a space character at its origin, after the
  characters of the text object drawn before it, as pdfminer lists the space it reads there;
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

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pypdfium2_raw.bindings as _bindings
from pdfminer.fontmetrics import FONT_METRICS
from pdfminer.pdfdocument import PDFEncryptionError

from ._pdf_chars import Char, PageChars, PageFrame, page_frame

__all__ = ["read_pdfium_pages"]

_FONT_BUFFER = 256
# FPDFText_GetTextObject returning the object's address: a cheap key for per-object styles
_TEXT_OBJECT_ADDRESS = _bindings._libs["pdfium"]["FPDFText_GetTextObject"]
_TEXT_OBJECT_ADDRESS.argtypes = raw.FPDFText_GetTextObject.argtypes
_TEXT_OBJECT_ADDRESS.restype = ctypes.c_void_p
_LINE_BREAKS = frozenset("\r\n")
_HYPHEN_MARKS = frozenset("\x02\ufffe")  # pdfium's code for a hyphen that ends a line
_EMPTY_WIDTH = 0.01  # pdfium's kSizeEpsilon: a text object narrower than this is skipped


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


# (text, left, bottom, right, top, style): one character in user space (y up), pdfminer's box
_Glyph = tuple[str, float, float, float, float, "_Style"]


class _Style:
    """What pdfium knows once per text object: font name, effective size, rotation in quarters."""

    __slots__ = ("fontname", "quarter", "shift", "size", "width_scale", "widths")

    def __init__(self, fontname: str, size: float, quarter: int, shift: float) -> None:
        self.fontname, self.size, self.quarter = fontname, size, quarter
        self.shift = shift  # moves pdfium's baseline side of the box to pdfminer's
        self.widths: dict[str, int] = {}  # pdfminer's own widths, where it uses them
        self.width_scale = 0.0


def _read_page(page: Any, doctop: float) -> PageChars:
    has_paths, blanks = _page_objects(page)
    textpage = raw.FPDFText_LoadPage(page.raw)
    try:
        glyphs = _glyphs(textpage, blanks)
    finally:
        raw.FPDFText_ClosePage(textpage)
    published = page.get_rotation() % 360
    rotation = _upright_rotation(glyphs, published)
    mediabox = page.get_mediabox()
    frame = page_frame(mediabox, rotation, doctop)
    if rotation == 0 and frame.x0 == mediabox[0]:
        records = _upright_records(glyphs, mediabox, frame)
    else:
        records = [_record(glyph, rotation, mediabox, frame) for glyph in glyphs]
    return PageChars(records, has_paths, (rotation - published) % 360, frame)


def _upright_records(
    glyphs: list[_Glyph], mediabox: tuple[float, float, float, float], frame: PageFrame
) -> list[Char]:
    """``_record`` for an unrotated page, inlined for upright glyphs: the common case."""
    records: list[Char] = []
    x_shift, y_shift = mediabox[0], mediabox[1]
    base = frame.height + frame.top + y_shift  # top = height - (y - y0) + frame.top
    doctop = frame.doctop
    for glyph in glyphs:
        text, left, bottom, right, top, style = glyph
        if style.quarter:
            records.append(_record(glyph, 0, mediabox, frame))
            continue
        char_top = base - top
        records.append(
            {
                "text": text,
                "x0": left - x_shift + x_shift if x_shift else left,
                "x1": right - x_shift + x_shift if x_shift else right,
                "top": char_top,
                "bottom": base - bottom,
                "doctop": doctop + char_top,
                "upright": True,
                "fontname": style.fontname,
                "size": style.size,  # one value per text object: no rounding noise
            }
        )
    return records


def _glyphs(textpage: Any, blanks: dict[int | None, list[_Glyph]]) -> list[_Glyph]:
    """The text page's characters, each blank object's space after the object drawn before it."""
    count = raw.FPDFText_CountChars(textpage)
    if count <= 0:
        return [glyph for spaces in blanks.values() for glyph in spaces]
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    raw.FPDFText_GetText(textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: count * 2].decode("utf-16-le", errors="replace")
    if "\x00" in text:  # GetText skips U+0000 characters: every later one would shift by one
        text = "".join(chr(raw.FPDFText_GetUnicode(textpage, i)) for i in range(count))
    box = raw.FS_RECTF()
    loose_box = raw.FPDFText_GetLooseCharBox
    styles: dict[int | None, _Style] = {}
    glyphs: list[_Glyph] = [*blanks.pop(None, ())]  # blank objects drawn before any text
    last_handle: int | None = None
    for index, char in enumerate(text):
        if char == "\x00" or (char in _LINE_BREAKS and raw.FPDFText_IsGenerated(textpage, index)):
            continue  # no text (pdfminer's "(cid:0)"), or a line break pdfium made up
        if char in _HYPHEN_MARKS and raw.FPDFText_IsHyphen(textpage, index):
            char = "-"
        handle = _TEXT_OBJECT_ADDRESS(textpage, index)
        if handle != last_handle:
            if blanks and last_handle in blanks:
                glyphs.extend(blanks.pop(last_handle))
            last_handle = handle
        style = styles.get(handle)
        if style is None:
            style = styles[handle] = _style(textpage, index)
        loose_box(textpage, index, box)
        left, bottom = box.left, box.bottom + style.shift
        width = style.widths.get(char) if style.widths else None
        right = box.right if width is None else left + width * style.width_scale
        if style.quarter == 0:
            glyphs.append((char, left, bottom, right, bottom + style.size, style))
        else:
            glyphs.append((char, *_pdfminer_box(left, bottom, right, box.top + style.shift, style)))
    for spaces in blanks.values():  # after the last text, or after objects pdfium dropped
        glyphs.extend(spaces)
    return glyphs


def _style(textpage: Any, index: int) -> _Style:
    font = raw.FPDFTextObj_GetFont(raw.FPDFText_GetTextObject(textpage, index))
    tf_size = float(raw.FPDFText_GetFontSize(textpage, index))  # the Tf size, before the matrix
    matrix = raw.FS_MATRIX()
    raw.FPDFText_GetMatrix(textpage, index, matrix)
    return _font_style(font, tf_size, matrix)


def _font_style(font: Any, tf_size: float, matrix: Any) -> _Style:
    buffer = ctypes.create_string_buffer(_FONT_BUFFER)
    length = raw.FPDFFont_GetBaseFontName(font, buffer, _FONT_BUFFER)
    fontname = buffer.raw[: max(length - 1, 0)].decode("latin-1")
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
    # pdfminer reads a missing Descent (Symbol, ZapfDingbats) as 0
    descent = float(FONT_METRICS[fontname][0].get("Descent", 0))  # type: ignore[arg-type]
    return descent * size / 1000 - pdfium_descent.value


def _quarter(a: float, b: float) -> int:
    """The baseline's direction in quarter turns counter-clockwise (0: left to right)."""
    if abs(a) >= abs(b):
        return 0 if a >= 0 else 2
    return 1 if b > 0 else 3


def _upright_rotation(glyphs: list[_Glyph], published: int) -> int:
    """The page rotation that sets most glyphs upright; the published one when none prevails.

    pdfium's coordinates ignore ``/Rotate``: the frame follows the glyphs' own direction.
    """
    quarters = Counter(glyph[5].quarter for glyph in glyphs if not glyph[0].isspace())
    if not quarters:
        return published
    quarter, count = quarters.most_common(1)[0]
    return quarter * 90 if count * 2 > sum(quarters.values()) else published


def _pdfminer_box(
    left: float, bottom: float, right: float, top: float, style: _Style
) -> tuple[float, float, float, float, _Style]:
    """pdfminer's box: the baseline side of pdfium's loose box, the far side one size away."""
    size = style.size
    if style.quarter == 0:
        top = bottom + size
    elif style.quarter == 2:
        bottom = top - size
    elif style.quarter == 1:
        left = right - size
    else:
        right = left + size
    return left, bottom, right, top, style


def _record(
    glyph: _Glyph, rotation: int, mediabox: tuple[float, float, float, float], frame: PageFrame
) -> Char:
    """The character in pdfminer's device space for ``rotation``, then as pdfplumber keys it."""
    text, left, bottom, right, top, style = glyph
    x0, y0, x1, y1 = _rotate_box((left, bottom, right, top), rotation, mediabox)
    char_top = frame.height - y1 + frame.top
    return {
        "text": text,
        "x0": x0 + frame.x0 if frame.x0 != 0 else x0,
        "x1": x1 + frame.x0 if frame.x0 != 0 else x1,
        "top": char_top,
        "bottom": frame.height - y0 + frame.top,
        "doctop": frame.doctop + char_top,
        "upright": (style.quarter * 90 - rotation) % 360 == 0,
        "fontname": style.fontname,
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


def _page_objects(page: Any) -> tuple[bool, dict[int | None, list[_Glyph]]]:
    """Whether the page paints a path (line, rectangle, curve), forms included; and a space
    for each text object that paints nothing, keyed by the text object drawn before it."""
    has_paths = False
    blanks: dict[int | None, list[_Glyph]] = {}
    previous: int | None = None
    identity = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)
    stack = [(page.raw, raw.FPDFPage_CountObjects(page.raw), raw.FPDFPage_GetObject, 0, identity)]
    while stack:
        parent, count, get, start, outer = stack.pop()
        for index in range(start, count):
            obj = get(parent, index)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_PATH:
                has_paths = True
            elif kind == raw.FPDF_PAGEOBJ_TEXT:
                space = _blank_space(obj, outer)
                if space is None:
                    previous = ctypes.cast(obj, ctypes.c_void_p).value
                else:
                    blanks.setdefault(previous, []).append(space)
            elif kind == raw.FPDF_PAGEOBJ_FORM:  # its objects, then the rest of this level
                stack.append((parent, count, get, index + 1, outer))
                inner = _times(_matrix_of(obj), outer)
                counted = raw.FPDFFormObj_CountObjects(obj)
                stack.append((obj, counted, raw.FPDFFormObj_GetObject, 0, inner))
                break
    return has_paths, blanks


_Matrix = tuple[float, float, float, float, float, float]


def _matrix_of(obj: Any) -> _Matrix:
    matrix = raw.FS_MATRIX()
    raw.FPDFPageObj_GetMatrix(obj, matrix)
    return (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)


def _times(inner: _Matrix, outer: _Matrix) -> _Matrix:
    """``inner`` then ``outer``, as PDF matrices compose (row vectors)."""
    a, b, c, d, e, f = inner
    A, B, C, D, E, F = outer
    return (
        a * A + b * C,
        a * B + b * D,
        c * A + d * C,
        c * B + d * D,
        e * A + f * C + E,
        e * B + f * D + F,
    )


def _blank_space(obj: Any, outer: _Matrix) -> _Glyph | None:
    """A space at the origin of a text object whose box has no width (pdfium's text page skips
    it); None for a text object that paints something."""
    left, right = ctypes.c_float(), ctypes.c_float()
    bottom, top = ctypes.c_float(), ctypes.c_float()
    if not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return None
    if abs(right.value - left.value) >= _EMPTY_WIDTH:
        return None
    a, b, c, d, e, f = _times(_matrix_of(obj), outer)
    tf_size = ctypes.c_float()
    if not raw.FPDFTextObj_GetFontSize(obj, tf_size):
        return None
    font = raw.FPDFTextObj_GetFont(obj)
    style = _font_style(font, tf_size.value, raw.FS_MATRIX(a, b, c, d, e, f))
    descent = ctypes.c_float()
    if not raw.FPDFFont_GetDescent(font, ctypes.c_float(tf_size.value), descent):
        descent.value = 0.0
    vertical = (c**2 + d**2) ** 0.5
    baseline = f + descent.value * vertical + style.shift  # pdfminer's bottom, upright
    if style.quarter == 0:
        return (" ", e, baseline, e, baseline + style.size, style)
    return (" ", *_pdfminer_box(e, f, e, f, style))
