"""The objects of a pdfium page that its text page does not account for.

pdfium's text page lists the characters of the text objects it reads; table finding needs the
page's paths, and two kinds of text object never reach the text page:

* a text object that paints nothing (a lone space: its box has no width) is skipped, so no space
  would part the words on either side ("Date .......... 03/15/2026" would read
  "..........03/15/2026"): each becomes a space character at its origin, listed after the
  characters of the text object drawn before it, as pdfminer lists the space it reads there;
* a text object drawn again at (almost) the same place, the way fake bold is made, is read once:
  ``mark_double_struck`` marks the copy pdfium kept bold, as the pdfminer path marks the glyphs
  it keeps of a double strike.
"""

from __future__ import annotations

import ctypes
from dataclasses import dataclass, field
from typing import Any

import pypdfium2.raw as raw

from ._pdf_pdfium_fonts import Glyph, Style, font_style, pdfminer_box
from ._pdf_pdfium_rulings import Matrix, compose, object_matrix

__all__ = ["PageObjects", "mark_double_struck", "page_objects"]

_EMPTY_WIDTH = 0.01  # pdfium's kSizeEpsilon: a text object narrower than this is skipped
_RECENT_OBJECTS = 5  # pdfium compares a text object with the five drawn before it
_SAME_PLACE = 1.0  # points: a copy this close to a text object is a second strike of it
_IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

Box = tuple[float, float, float, float]  # left, bottom, right, top in user space


@dataclass(slots=True)
class PageObjects:
    """``paths``: each painted path with its matrix to user space; ``blanks``: the spaces of
    text objects that paint nothing, keyed by the address of the text object drawn before
    (None: before any); ``texts``: every other text object's address and box, in drawing order."""

    paths: list[tuple[Any, Matrix]] = field(default_factory=list)
    blanks: dict[int | None, list[Glyph]] = field(default_factory=dict)
    texts: list[tuple[int | None, Box]] = field(default_factory=list)


def page_objects(page: Any) -> PageObjects:
    """Walk the page's objects in drawing order, the objects of forms included."""
    found = PageObjects()
    previous: int | None = None
    stack = [(page.raw, raw.FPDFPage_CountObjects(page.raw), raw.FPDFPage_GetObject, 0, _IDENTITY)]
    while stack:
        parent, count, get, start, outer = stack.pop()
        for index in range(start, count):
            obj = get(parent, index)
            kind = raw.FPDFPageObj_GetType(obj)
            if kind == raw.FPDF_PAGEOBJ_PATH:
                found.paths.append((obj, compose(object_matrix(obj), outer)))
            elif kind == raw.FPDF_PAGEOBJ_TEXT:
                box = _bounds(obj)
                if box is not None and abs(box[2] - box[0]) < _EMPTY_WIDTH:
                    space = _blank_space(obj, outer)
                    if space is not None:
                        found.blanks.setdefault(previous, []).append(space)
                    continue
                previous = ctypes.cast(obj, ctypes.c_void_p).value
                if box is not None:
                    found.texts.append((previous, box))
            elif kind == raw.FPDF_PAGEOBJ_FORM:  # its objects, then the rest of this level
                stack.append((parent, count, get, index + 1, outer))
                inner = compose(object_matrix(obj), outer)
                counted = raw.FPDFFormObj_CountObjects(obj)
                stack.append((obj, counted, raw.FPDFFormObj_GetObject, 0, inner))
                break
    return found


def mark_double_struck(
    texts: list[tuple[int | None, Box]], styles: dict[int | None, Style]
) -> None:
    """Mark bold each text object pdfium read whose copy it dropped at (almost) its place.

    ``styles`` holds a style for each text object the text page has characters of.
    """
    for index, (address, box) in enumerate(texts):
        if address in styles:
            continue  # pdfium read it
        for kept, kept_box in reversed(texts[max(0, index - _RECENT_OBJECTS) : index]):
            style = styles.get(kept)
            if style is not None and _same_place(box, kept_box):
                if not style.fontname.endswith("-Bold"):
                    style.fontname += "-Bold"
                break


def _same_place(one: Box, other: Box) -> bool:
    return all(abs(a - b) <= _SAME_PLACE for a, b in zip(one, other, strict=True))


def _bounds(obj: Any) -> Box | None:
    left, right = ctypes.c_float(), ctypes.c_float()
    bottom, top = ctypes.c_float(), ctypes.c_float()
    if not raw.FPDFPageObj_GetBounds(obj, left, bottom, right, top):
        return None
    return (left.value, bottom.value, right.value, top.value)


def _blank_space(obj: Any, outer: Matrix) -> Glyph | None:
    """A space at the origin of a text object whose box has no width (pdfium's text page skips
    it), in pdfminer's box for the object's font."""
    a, b, c, d, e, f = compose(object_matrix(obj), outer)
    tf_size = ctypes.c_float()
    if not raw.FPDFTextObj_GetFontSize(obj, tf_size):
        return None
    font = raw.FPDFTextObj_GetFont(obj)
    style = font_style(font, tf_size.value, raw.FS_MATRIX(a, b, c, d, e, f))
    descent = ctypes.c_float()
    if not raw.FPDFFont_GetDescent(font, ctypes.c_float(tf_size.value), descent):
        descent.value = 0.0
    vertical = (c**2 + d**2) ** 0.5
    baseline = f + descent.value * vertical + style.shift  # pdfminer's bottom, upright
    if style.quarter == 0:
        return (" ", e, baseline, e, baseline + style.size, style)
    return (" ", *pdfminer_box(e, f, e, f, style))
