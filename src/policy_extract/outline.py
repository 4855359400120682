"""From the flat block stream to structure: sections at headings, list trees from labels.

List labels decide nesting: numbers, letters and roman numerals are three levels, whatever the
source's indentation says (Markdown conversions often get it wrong); the same letters with other
punctuation ("a." and "a)") are different levels too. A roman-looking ``i.`` is a letter when it
follows ``h.``; unlabelled bullets nest by indentation alone. Nesting stops at
``MAX_LIST_DEPTH``: a deeper item becomes a sibling at the deepest level (``Node.too_deep``), so
no later walk of a tree meets a depth it cannot handle.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol, TypeVar

from .blocks import MAX_LIST_DEPTH, Block

__all__ = [
    "Node",
    "Section",
    "build_list_tree",
    "build_sections",
    "heading_levels",
    "label_style",
    "sibling_depth",
    "too_deep_items",
]


@dataclass(slots=True)
class Node:
    """A block with the list items nested under it."""

    block: Block
    children: list[Node] = field(default_factory=list)
    style: str = ""
    too_deep: bool = False  # nested deeper than MAX_LIST_DEPTH in the source; kept at that depth

    @property
    def label(self) -> str | None:
        """The item's label without punctuation (``"a"``), or None for bullets and paragraphs."""
        marker = self.block.marker
        if not marker or marker == "-":
            return None
        return marker.strip("().")


@dataclass(slots=True)
class Section:
    """A heading (None before the first one) and the content nodes up to the next heading."""

    heading: Block | None
    nodes: list[Node] = field(default_factory=list)
    level: int = 1


# Heading indents closer than this (points, for PDF) are the same level.
_SAME_INDENT = 3.0


def heading_levels(headings: Sequence[Block]) -> list[int]:
    """Each heading's level, 1 the top: the level the source states (Markdown ``#``), else the
    rank of its indentation among the indentations at least two such headings share (leftmost
    is 1). A heading alone at its indentation (a centred title, a note in a margin) takes the
    level of the nearest shared indentation to its left, or 1."""
    clusters: list[list[float]] = []
    for indent in sorted(h.indent for h in headings if h.level is None):
        if clusters and indent - clusters[-1][0] <= _SAME_INDENT:
            clusters[-1].append(indent)
        else:
            clusters.append([indent])
    shared = [cluster[0] for cluster in clusters if len(cluster) >= 2]
    levels = []
    for heading in headings:
        if heading.level is not None:
            levels.append(heading.level)
        else:
            levels.append(max(1, sum(1 for x in shared if x <= heading.indent + _SAME_INDENT)))
    return levels


def build_sections(blocks: Sequence[Block]) -> list[Section]:
    """Split blocks at headings, each section with its heading's level; runs of list items
    become trees."""
    sections = _split_sections(blocks)
    headings = [s.heading for s in sections if s.heading is not None]
    headed = [s for s in sections if s.heading is not None]
    for section, level in zip(headed, heading_levels(headings), strict=True):
        section.level = level
    return sections


def _split_sections(blocks: Sequence[Block]) -> list[Section]:
    sections: list[Section] = []
    current = Section(heading=None)
    run: list[Block] = []

    def flush_run() -> None:
        current.nodes.extend(build_list_tree(run))
        run.clear()

    for block in blocks:
        if block.kind == "list_item":
            run.append(block)
            continue
        flush_run()
        if block.kind == "heading":
            if current.heading is not None or current.nodes:
                sections.append(current)
            current = Section(heading=block)
        else:
            current.nodes.append(Node(block))
    flush_run()
    if current.heading is not None or current.nodes:
        sections.append(current)
    return sections


_ROMAN_VALUES = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}


def _roman_value(label: str) -> int | None:
    total, previous = 0, 0
    for char in reversed(label.lower()):
        value = _ROMAN_VALUES.get(char)
        if value is None:
            return None
        total += -value if value < previous else value
        previous = max(previous, value)
    return total


def label_style(label: str | None, stack: Sequence[Node] = ()) -> str:
    """``decimal``, ``alpha``, ``ALPHA``, ``roman``, ``ROMAN`` or ``bullet`` for a label in context.

    Letters that are also roman numerals (i, v, x, ...) are read as letters when the previous
    letter is an open sibling (``h.`` then ``i.``), as roman numerals when they follow or repeat
    an open roman numeral, and as roman numerals otherwise.
    """
    if label is None:
        return "bullet"
    if label.isdigit():
        return "decimal"
    upper = label.isupper()
    roman = _roman_value(label)
    if roman is not None:
        for node in reversed(stack):
            prev, kind = node.label, node.style.lower().rstrip(".()")
            if not prev:
                continue
            # The next numeral, or the same one printed twice ("V." after "V.": a typo).
            if kind == "roman" and (_roman_value(prev) or 0) in (roman - 1, roman):
                return "ROMAN" if upper else "roman"
            if kind == "alpha" and len(label) == 1 and ord(label.lower()) - ord(prev.lower()) == 1:
                return "ALPHA" if upper else "alpha"
        if len(label) > 1 or label.lower() == "i":
            return "ROMAN" if upper else "roman"
    return "ALPHA" if upper else "alpha"


def build_list_tree(items: Sequence[Block]) -> list[Node]:
    """Nest list items: same label style means sibling; a new style opens a child level."""
    roots: list[Node] = []
    stack: list[Node] = []
    for block in items:
        node = Node(block)
        node.style = label_style(node.label, stack) + _punctuation(block.marker)
        depth = sibling_depth(stack, node)
        if depth is None and len(stack) >= MAX_LIST_DEPTH:
            depth, node.too_deep = len(stack) - 1, True
        if depth is not None:
            del stack[depth:]
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def _punctuation(marker: str | None) -> str:
    """``"."`` for "a.", ``")"`` for "a)", ``"()"`` for "(a)"; nothing for bullets."""
    if not marker or marker == "-":
        return ""
    if marker.startswith("("):
        return "()"
    return ")" if marker.endswith(")") else "."


class ListEntry(Protocol):
    """What ``sibling_depth`` reads of an open list entry: its label style and its block."""

    @property
    def style(self) -> str: ...

    @property
    def block(self) -> Block: ...


_Entry = TypeVar("_Entry", bound=ListEntry)


def sibling_depth(
    stack: Sequence[_Entry],
    node: ListEntry,
    takes_siblings: Callable[[_Entry], bool] = lambda entry: True,
) -> int | None:
    """Index in ``stack`` of the open entry ``node`` is a sibling of, or None for a new child.

    Entries for which ``takes_siblings`` is false (a tree's paragraphs) are passed over.
    """
    for depth in range(len(stack) - 1, -1, -1):
        open_node = stack[depth]
        if not takes_siblings(open_node):
            continue
        if node.style == "bullet" or open_node.style == "bullet":
            # Bullets carry no label to match on: indentation decides.
            if open_node.block.indent < node.block.indent - 0.5:
                return None
            if open_node.style == node.style and open_node.block.indent <= node.block.indent + 0.5:
                return depth
            continue
        if open_node.style == node.style:
            return depth
    return None


def too_deep_items(blocks: Sequence[Block]) -> list[Block]:
    """List items nested deeper than ``MAX_LIST_DEPTH``, which the trees keep at that depth.

    Each run of consecutive list items is one tree (as ``build_sections`` builds them); a run of
    ``MAX_LIST_DEPTH`` items or fewer cannot nest that deep, so only longer runs are built."""
    found: list[Block] = []
    run: list[Block] = []
    for block in [*blocks, None]:
        if block is not None and block.kind == "list_item":
            run.append(block)
            continue
        if len(run) > MAX_LIST_DEPTH:
            pending = build_list_tree(run)
            while pending:
                node = pending.pop()
                if node.too_deep:
                    found.append(node.block)
                pending.extend(node.children)
        run = []
    return sorted(found, key=lambda block: (block.span.page or 0, block.span.line_start or 0))
