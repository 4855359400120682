"""Layout of the UnitedHealthcare template: where a line sits, and how lines nest.

UHC drug policies draw their first-level bullets as images, which text extraction does not see,
while deeper levels use characters (``o``, ``▪``) the loader reports as list markers. A bullet
character sits one step left of its text, so a list item's ``indent`` (the marker's x) equals the
text x of the level above it. ``text_position`` puts every block on one scale (the x of its text)
so nesting can follow indentation alone, whichever way each bullet was drawn.

Page 1 also carries a sidebar of related policies to the right of the table of contents;
``split_sidebar`` takes it out of the body so it does not interleave with the policy's text.
"""

from __future__ import annotations

from collections.abc import Sequence

from ..blocks import Block
from ..outline import Node
from .reader.tree import ANNOUNCES_LIST

__all__ = [
    "BULLET_STEP",
    "nest_by_position",
    "split_sidebar",
    "text_position",
]

# Points between a bullet character and its text in the template (and between list levels).
BULLET_STEP = 18.0


def text_position(block: Block) -> float:
    """Where the block's text starts: PDF points, or a Markdown list depth on the same scale."""
    if block.span.page is None:  # Markdown / text: indent is the list depth, paragraphs are 0
        return block.indent * BULLET_STEP if block.kind == "list_item" else 0.0
    if block.marker == "-":
        return block.indent + BULLET_STEP
    return block.indent


def nest_by_position(items: Sequence[tuple[float, Block]]) -> list[Node]:
    """Nest blocks by text position: a block further right than the open one is its child.

    A layout slip the template shows — the first item of a list printed at the level of the
    line announcing it ("For initial therapy, all of the following:" then "Diagnosis of X; and"
    at the same x) — is read as the announced list's first item.
    """
    positions = _mend_announced_items(items)
    roots: list[Node] = []
    stack: list[tuple[float, Node]] = []
    for (_, block), x in zip(items, positions, strict=True):
        node = Node(block)
        while stack and stack[-1][0] >= x - 0.5:
            stack.pop()
        (stack[-1][1].children if stack else roots).append(node)
        stack.append((x, node))
    return roots


def _mend_announced_items(items: Sequence[tuple[float, Block]]) -> list[float]:
    positions = [x for x, _ in items]
    for index in range(1, len(items) - 1):
        announcer_x = positions[index - 1]
        text = items[index][1].full_text.rstrip()
        if (
            positions[index] <= announcer_x
            and ANNOUNCES_LIST.search(items[index - 1][1].full_text)
            and not text.endswith(":")  # a list lead of its own is a sibling, not an item
            and positions[index + 1] > announcer_x
        ):
            positions[index] = positions[index + 1]
    return positions


def split_sidebar(blocks: Sequence[Block]) -> tuple[list[Block], list[Block]]:
    """Page-1 blocks that start right of the page's middle after the first line at the left
    (the related-policies sidebar and its links) apart from the body; other pages are left
    alone."""
    first_page = [b for b in blocks if b.span.page == 1 and b.span.bbox is not None]
    if not first_page:
        return list(blocks), []
    right_edge = max(b.span.bbox[2] for b in first_page if b.span.bbox is not None)
    middle = right_edge / 2
    body: list[Block] = []
    sidebar: list[Block] = []
    started = False  # the masthead (payer, policy type) sits right of the middle too
    for block in blocks:
        bbox = block.span.bbox
        right = block.span.page == 1 and bbox is not None and bbox[0] > middle
        if started and right and " | " not in block.text:
            sidebar.append(block)
        else:
            body.append(block)
            started = started or (block.span.page == 1 and not right)
    return body, sidebar
