"""What pdfplumber's table finder reads of a page, built by either PDF engine without a
pdfplumber ``Page``: the page's box, its lines, rectangles and curves keyed as
``Page.process_object`` keys them, and their edges as ``Page.edges`` lists them (lines, then the
rectangles' four sides, then the curves' segments)."""

from __future__ import annotations

import itertools
from typing import Any, cast

from pdfplumber.table import Table, TableFinder
from pdfplumber.utils.geometry import curve_to_edges, line_to_edge, rect_to_edges

__all__ = ["RulingPage", "Shape"]

Shape = dict[str, Any]  # a line, rect or curve, keyed as pdfplumber keys it


class RulingPage:
    """The part of a pdfplumber ``Page`` that table finding reads: its box, objects and edges."""

    def __init__(self, bbox: tuple[float, float, float, float], shapes: list[Shape]) -> None:
        self.bbox = bbox
        self.objects: dict[str, list[Shape]] = {"line": [], "rect": [], "curve": []}
        for shape in shapes:
            self.objects[shape["object_type"]].append(shape)
        self.edges: list[Shape] = [
            *map(line_to_edge, self.objects["line"]),
            *itertools.chain.from_iterable(map(rect_to_edges, self.objects["rect"])),
            *itertools.chain.from_iterable(map(curve_to_edges, self.objects["curve"])),
        ]

    def find_tables(self, settings: dict[str, Any]) -> list[Table]:
        return TableFinder(cast(Any, self), settings).tables  # reads .edges and .bbox only
