"""What pdfium knows of a text object's font, as the pdfminer path would read it: the font name,
the effective size, the baseline direction, and pdfminer's own metrics for a standard-14 font that
is not embedded (pdfminer reads those, pdfium the font it substitutes)."""

from __future__ import annotations

import ctypes
from typing import Any

import pypdfium2.raw as raw
from pdfminer.fontmetrics import FONT_METRICS

__all__ = ["FontNames", "Glyph", "Style", "font_style", "pdfminer_box"]

_FONT_BUFFER = 256

# (text, left, bottom, right, top, style): one character in user space (y up), pdfminer's box
Glyph = tuple[str, float, float, float, float, "Style"]


class Style:
    """What pdfium knows once per text object: font name, effective size, rotation in quarters."""

    __slots__ = ("fontname", "quarter", "shift", "size", "width_scale", "widths")

    def __init__(self, fontname: str, size: float, quarter: int, shift: float) -> None:
        self.fontname, self.size, self.quarter = fontname, size, quarter
        self.shift = shift  # moves pdfium's baseline side of the box to pdfminer's
        self.widths: dict[str, int] = {}  # pdfminer's own widths, where it uses them
        self.width_scale = 0.0


class FontNames:
    """Each font's base name and whether pdfminer reads its own metrics for it (a standard-14
    font not embedded), read once per font handle: one page's cache (handles live with it)."""

    __slots__ = ("_known",)

    def __init__(self) -> None:
        self._known: dict[int | None, tuple[str, bool]] = {}

    def of(self, font: Any) -> tuple[str, bool]:
        key = ctypes.cast(font, ctypes.c_void_p).value
        known = self._known.get(key)
        if known is None:
            buffer = ctypes.create_string_buffer(_FONT_BUFFER)
            length = raw.FPDFFont_GetBaseFontName(font, buffer, _FONT_BUFFER)
            fontname = buffer.raw[: max(length - 1, 0)].decode("latin-1")
            standard = fontname in FONT_METRICS and not raw.FPDFFont_GetIsEmbedded(font)
            known = self._known[key] = (fontname, standard)
        return known


def font_style(font: Any, tf_size: float, matrix: Any, names: FontNames | None = None) -> Style:
    """The style of a text object drawn in ``font`` at Tf size ``tf_size`` with ``matrix``."""
    fontname, standard = (names or FontNames()).of(font)
    quarter = _quarter(matrix.a, matrix.b)
    vertical = (matrix.c**2 + matrix.d**2) ** 0.5
    shift = _descent_correction(font, fontname, tf_size) * vertical if standard else 0.0
    style = Style(fontname, tf_size * vertical, quarter, shift)
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


def pdfminer_box(
    left: float, bottom: float, right: float, top: float, style: Style
) -> tuple[float, float, float, float, Style]:
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
