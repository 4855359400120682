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
* what the text page leaves out (a text object that paints nothing: a space; the second
  strike of fake bold) is taken from the page's objects (``_pdf_pdfium_objects``);
* a page whose characters mostly run rotated is read in the frame where they are upright, as
  ``_pdf_chars`` does (pdfium's coordinates ignore ``/Rotate``: the frame follows the glyphs).

Font name and size are read once per text object (``_pdf_pdfium_fonts``). On an upright page
that paints paths, ``PageChars.rulings`` holds its lines, rectangles and curves, read from
pdfium's path objects for pdfplumber's table finder (``_pdf_pdfium_rulings``): no pdfplumber
``Page`` is opened. A page read in a turned frame leaves ``rulings`` unset, and table finding
opens pdfplumber's page there.
"""

from __future__ import annotations

import ctypes
import threading
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as raw
import pypdfium2_raw.bindings as _bindings
from pdfminer.pdfdocument import PDFEncryptionError

from ._pdf_chars import Char, PageChars, PageFrame, page_frame
from ._pdf_pdfium_fonts import FontNames, Glyph, Style, font_style, pdfminer_box
from ._pdf_pdfium_objects import mark_double_struck, page_objects
from ._pdf_pdfium_rulings import path_shapes
from ._pdf_rulings import RulingPage

__all__ = ["PDFIUM_LOCK", "read_pdfium_pages"]

PDFIUM_LOCK = threading.Lock()  # pdfium is not thread-safe, even across documents

# Called once per character, so without ctypes' per-call argument conversion (the arguments
# are already ctypes objects or ints): FPDFText_GetTextObject returning the object's address
# (a cheap key for per-object styles), and FPDFText_GetLooseCharBox.
_TEXT_OBJECT_ADDRESS = _bindings._libs["pdfium"]["FPDFText_GetTextObject"]
_TEXT_OBJECT_ADDRESS.argtypes = None
_TEXT_OBJECT_ADDRESS.restype = ctypes.c_void_p
_LOOSE_CHAR_BOX = _bindings._libs["pdfium"]["FPDFText_GetLooseCharBox"]
_LOOSE_CHAR_BOX.argtypes = None
_LOOSE_CHAR_BOX.restype = ctypes.c_int
_LINE_BREAKS = frozenset("\r\n")
_HYPHEN_MARKS = frozenset("\x02\ufffe")  # pdfium's code for a hyphen that ends a line


def read_pdfium_pages(data: bytes) -> Iterator[PageChars]:
    """Each page's characters, in content order, as pdfplumber would list them.

    pdfium allows one call at a time in a process, whatever the document: pdfium work here
    holds ``PDFIUM_LOCK`` (a Dask worker runs documents in several threads), released between
    pages so that each thread's other work runs meanwhile.
    """
    with PDFIUM_LOCK:
        try:
            document = pdfium.PdfDocument(data)
            count = len(document)
        except pdfium.PdfiumError as exc:
            if "password" in str(exc).lower():
                raise PDFEncryptionError(str(exc)) from None
            raise
    try:
        doctop = 0.0
        for index in range(count):
            with PDFIUM_LOCK:
                page = document[index]
                try:
                    chars = _read_page(page, doctop)
                finally:
                    page.close()
            doctop += chars.frame.height
            yield chars
    finally:
        with PDFIUM_LOCK:
            document.close()


def _read_page(page: Any, doctop: float) -> PageChars:
    objects = page_objects(page)
    paths = objects.paths
    styles: dict[int | None, Style] = {}
    textpage = raw.FPDFText_LoadPage(page.raw)
    try:
        glyphs = _glyphs(textpage, objects.blanks, styles)
    finally:
        raw.FPDFText_ClosePage(textpage)
    mark_double_struck(objects.texts, styles)
    published = page.get_rotation() % 360
    rotation = _upright_rotation(glyphs, published, styles)
    mediabox = page.get_mediabox()
    frame = page_frame(mediabox, rotation, doctop)
    chars = PageChars([], bool(paths), (rotation - published) % 360, frame)
    if rotation == 0 and frame.x0 == mediabox[0]:
        chars.chars = _upright_records(glyphs, mediabox, frame)
        if paths:  # pdfplumber's coordinates are these: table finding needs no pdfplumber page
            base = frame.height + frame.top + mediabox[1]
            shapes = [s for obj, m in paths for s in path_shapes(obj, m, base, frame.doctop)]
            width = mediabox[2] - mediabox[0]
            chars.rulings = RulingPage(
                (frame.x0, frame.top, frame.x0 + width, frame.bottom), shapes
            )
    else:
        chars.chars = [_record(glyph, rotation, mediabox, frame) for glyph in glyphs]
    return chars


def _upright_records(
    glyphs: list[Glyph], mediabox: tuple[float, float, float, float], frame: PageFrame
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


def _glyphs(
    textpage: Any, blanks: dict[int | None, list[Glyph]], styles: dict[int | None, Style]
) -> list[Glyph]:
    """The text page's characters, each blank object's space after the object drawn before it;
    ``styles`` gets the style of each text object read, by its address."""
    count = raw.FPDFText_CountChars(textpage)
    if count <= 0:
        return [glyph for spaces in blanks.values() for glyph in spaces]
    buffer = ctypes.create_string_buffer((count + 1) * 2)
    raw.FPDFText_GetText(textpage, 0, count, ctypes.cast(buffer, ctypes.POINTER(ctypes.c_ushort)))
    text = buffer.raw[: count * 2].decode("utf-16-le", errors="replace")
    if "\x00" in text:  # GetText skips U+0000 characters: every later one would shift by one
        text = "".join(chr(raw.FPDFText_GetUnicode(textpage, i)) for i in range(count))
    box = raw.FS_RECTF()
    box_pointer = ctypes.byref(box)
    loose_box, text_object = _LOOSE_CHAR_BOX, _TEXT_OBJECT_ADDRESS
    glyphs: list[Glyph] = [*blanks.pop(None, ())]  # blank objects drawn before any text
    last_handle: int | None = None
    names = FontNames()
    for index, char in enumerate(text):
        if char == "\x00" or (char in _LINE_BREAKS and raw.FPDFText_IsGenerated(textpage, index)):
            continue  # no text (pdfminer's "(cid:0)"), or a line break pdfium made up
        if char in _HYPHEN_MARKS and raw.FPDFText_IsHyphen(textpage, index):
            char = "-"
        handle = text_object(textpage, index)
        if handle != last_handle:
            if blanks and last_handle in blanks:
                glyphs.extend(blanks.pop(last_handle))
            last_handle = handle
        style = styles.get(handle)
        if style is None:
            style = styles[handle] = _style(textpage, index, names)
        loose_box(textpage, index, box_pointer)
        left, bottom = box.left, box.bottom + style.shift
        width = style.widths.get(char) if style.widths else None
        right = box.right if width is None else left + width * style.width_scale
        if style.quarter == 0:
            glyphs.append((char, left, bottom, right, bottom + style.size, style))
        else:
            glyphs.append((char, *pdfminer_box(left, bottom, right, box.top + style.shift, style)))
    for spaces in blanks.values():  # after the last text, or after objects pdfium dropped
        glyphs.extend(spaces)
    return glyphs


def _style(textpage: Any, index: int, names: FontNames) -> Style:
    font = raw.FPDFTextObj_GetFont(raw.FPDFText_GetTextObject(textpage, index))
    tf_size = float(raw.FPDFText_GetFontSize(textpage, index))  # the Tf size, before the matrix
    matrix = raw.FS_MATRIX()
    raw.FPDFText_GetMatrix(textpage, index, matrix)
    return font_style(font, tf_size, matrix, names)


def _upright_rotation(glyphs: list[Glyph], published: int, styles: dict[int | None, Style]) -> int:
    """The page rotation that sets most glyphs upright; the published one when none prevails.

    pdfium's coordinates ignore ``/Rotate``: the frame follows the glyphs' own direction.
    ``styles`` are those of the text page's characters (a blank object's glyph is a space).
    """
    if not any(style.quarter for style in styles.values()):  # the common case: all upright
        return 0 if any(not glyph[0].isspace() for glyph in glyphs) else published
    quarters = Counter(glyph[5].quarter for glyph in glyphs if not glyph[0].isspace())
    if not quarters:
        return published
    quarter, count = quarters.most_common(1)[0]
    return quarter * 90 if count * 2 > sum(quarters.values()) else published


def _record(
    glyph: Glyph, rotation: int, mediabox: tuple[float, float, float, float], frame: PageFrame
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
