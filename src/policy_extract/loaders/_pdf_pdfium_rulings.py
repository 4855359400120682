"""Ruling lines from pdfium's path objects, for pdfplumber's table finder without pdfplumber's page.

Table finding needs a page's lines, rectangles and curves. pdfplumber gets them by interpreting
the page again with pdfminer and turning every object into a dict: on a ruled page that costs
several times what pdfium takes to read its characters. Here each painted path pdfium holds
becomes the objects pdfminer makes of it, by pdfminer's own rules (``paint_path``: one object
per subpath; a two-point subpath is a line, a closed four-point axis-aligned one a rectangle,
anything else a curve through its segments' end points), in pdfplumber's coordinates
(``Page.process_object``), and their edges are pdfplumber's (``Page.edges``: lines, then the
rectangles' four sides, then the curves' segments). ``_pdf_rulings.RulingPage`` hands them to
pdfplumber's own ``TableFinder``, so the same tables come out, their edges differing only in
float precision (pdfium keeps coordinates as 32-bit floats).
"""

from __future__ import annotations

import ctypes
import struct
from collections.abc import Iterator
from typing import Any

import pypdfium2.raw as raw

from ._pdf_rulings import Shape

__all__ = ["Matrix", "compose", "object_matrix", "path_shapes"]

Matrix = tuple[float, float, float, float, float, float]
Point = tuple[float, float]
_FLOAT32 = struct.Struct("f")


def path_shapes(obj: Any, matrix: Matrix, base: float, doctop: float) -> Iterator[Shape]:
    """The lines, rectangles and curves pdfminer makes of one painted path object.

    ``matrix`` takes the path's points to user space; ``base`` is pdfplumber's ``top`` of
    user-space y = 0 (``top = base - y``), ``doctop`` the page's offset in the document.
    """
    fill_mode, stroke = ctypes.c_int(), ctypes.c_int()
    if raw.FPDFPath_GetDrawMode(obj, fill_mode, stroke) and not (fill_mode.value or stroke.value):
        return  # neither filled nor stroked: pdfminer never sees it
    for subpath in _subpaths(obj, matrix):
        shape = _shape(subpath, base, doctop)
        if shape is not None:
            yield shape


def _subpaths(obj: Any, matrix: Matrix) -> Iterator[list[tuple[str, Point]]]:
    """Each subpath as pdfminer lists it: (operator, end point in user space); "h" closes at
    the subpath's first point; a Bézier segment (three pdfium points) is one "c"."""
    a, b, c, d, e, f = matrix
    x, y = ctypes.c_float(), ctypes.c_float()
    subpath: list[tuple[str, Point]] = []
    bezier_points = 0
    for index in range(raw.FPDFPath_CountSegments(obj)):
        segment = raw.FPDFPath_GetPathSegment(obj, index)
        if not raw.FPDFPathSegment_GetPoint(segment, x, y):
            continue
        px, py = decimal_of(x.value), decimal_of(y.value)
        point = (a * px + c * py + e, b * px + d * py + f)
        kind = raw.FPDFPathSegment_GetType(segment)
        if kind == raw.FPDF_SEGMENT_MOVETO:
            if subpath:
                yield subpath
            subpath, bezier_points = [("m", point)], 0
        elif kind == raw.FPDF_SEGMENT_BEZIERTO:
            bezier_points += 1
            if bezier_points % 3 == 0:  # two control points, then the end point
                subpath.append(("c", point))
        else:
            subpath.append(("l", point))
        if raw.FPDFPathSegment_GetClose(segment) and subpath:
            subpath.append(("h", subpath[0][1]))
    if subpath:
        yield subpath


def _shape(subpath: list[tuple[str, Point]], base: float, doctop: float) -> Shape | None:
    """pdfminer's ``paint_path`` for one subpath, then pdfplumber's keys for the object."""
    if subpath[0][0] != "m" or len(subpath) < 2:
        return None
    kinds = "".join(op for op, _ in subpath)
    points = [point for _, point in subpath]
    if len(kinds) > 3 and kinds[-2:] == "lh" and points[-2] == points[0]:
        kinds = kinds[:-2] + "h"  # a redundant "l" on a path closed with "h"
        points.pop()
    if kinds in ("mlh", "ml"):
        return _component("line", points[:2], base, doctop, with_points=True)
    if kinds in ("mlllh", "mllll") and _is_rectangle(points):
        return _component("rect", [points[0], points[2]], base, doctop, with_points=False)
    return _component("curve", points, base, doctop, with_points=True)


def _is_rectangle(points: list[Point]) -> bool:
    (x0, y0), (x1, y1), (x2, y2), (x3, y3), last = points
    closed = points[0] == last
    square = (x0 == x1 and y1 == y2 and x2 == x3 and y3 == y0) or (
        y0 == y1 and x1 == x2 and y2 == y3 and x3 == x0
    )
    return closed and square


def _component(
    kind: str, points: list[Point], base: float, doctop: float, *, with_points: bool
) -> Shape:
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    top = base - y1
    shape: Shape = {
        "object_type": kind,
        "x0": x0,
        "x1": x1,
        "y0": y0,
        "y1": y1,
        "width": x1 - x0,
        "height": y1 - y0,
        "top": top,
        "bottom": base - y0,
        "doctop": doctop + top,
    }
    if with_points:
        shape["pts"] = [(x, base - y) for x, y in points]
    return shape


def object_matrix(obj: Any) -> Matrix:
    matrix = raw.FS_MATRIX()
    raw.FPDFPageObj_GetMatrix(obj, matrix)
    a, b, c, d, e, f = (matrix.a, matrix.b, matrix.c, matrix.d, matrix.e, matrix.f)
    return (
        decimal_of(a),
        decimal_of(b),
        decimal_of(c),
        decimal_of(d),
        decimal_of(e),
        decimal_of(f),
    )


def decimal_of(value: float) -> float:
    """The shortest decimal that pdfium's 32-bit float stands for: the number as the page's
    content wrote it (``36.365``, not ``36.3650016784668``), which pdfminer reads exactly, so
    both round a coordinate to two decimals alike."""
    if value == 0.0 or value != value:
        return value
    for digits in (6, 7, 8):
        shortest = float(f"{value:.{digits}g}")
        if _FLOAT32.unpack(_FLOAT32.pack(shortest))[0] == value:
            return shortest
    return value


def compose(inner: Matrix, outer: Matrix) -> Matrix:
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
