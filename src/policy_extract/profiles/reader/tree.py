"""Criteria trees from a section's blocks, tolerant of the paragraphs PDFs put inside lists.

``outline.build_list_tree`` nests one uninterrupted run of list items. Real policies interrupt
their lists: a "Note:" paragraph under an item, a lead-in paragraph ("AND ALL of the following:")
that opens a new group of items, a "Dosing." paragraph between two indications. Here:

- a note (a paragraph that starts with "Note", or is indented deeper than the item above it)
  belongs to the item above: it is kept in that item's ``notes``, never as a criterion;
- any other paragraph is a node of the tree: it takes the place the next list item would take
  (sibling of an open item of the same label style), and the items after it nest under it;
- an "AND ... of the following:" paragraph after a list of bare items (diagnoses with no
  criteria of their own) is shared by them all: it goes beside the paragraph that leads the
  list (``shared``), and so does the next such paragraph at its indent; after an item with
  criteria of its own, it adds to that item, as before;
- a layout slip: the first bullet of a list printed at the level of the bullet announcing it
  ("For initial therapy, all of the following:" then "Diagnosis of X; and" at the same indent,
  the rest of the list deeper) is read as the announced list's first item.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from ...blocks import MAX_LIST_DEPTH, Block
from ...outline import Node, label_style, sibling_depth
from .language import GENERAL

__all__ = ["ANNOUNCES_LIST", "TreeNode", "build_criteria_forest", "walk"]

# A line that announces the list after it: "... all of the following:", "the following criteria:".
ANNOUNCES_LIST = re.compile(r"\bfollowing\b[^:]*:\s*$", re.IGNORECASE)

_NOTE = re.compile(r"^\s*\W{0,2}\s*notes?\b", re.IGNORECASE)
_JOINED = re.compile(r"^\s*(?:and|or)\b", re.IGNORECASE)
_DEEPER = 5.0  # points (PDF) or nesting steps (Markdown) that make a paragraph a note


@dataclass(slots=True)
class TreeNode:
    """A list item or paragraph, its notes, and the nodes nested under it."""

    block: Block
    children: list[TreeNode] = field(default_factory=list)
    notes: list[Block] = field(default_factory=list)
    style: str = "para"
    shared: bool = False  # a group shared by the bare items listed before it

    @property
    def is_item(self) -> bool:
        return self.block.kind == "list_item"

    @property
    def label(self) -> str | None:
        return Node(self.block).label if self.is_item else None

    @property
    def text(self) -> str:
        return self.block.full_text


def walk(nodes: Sequence[TreeNode]) -> Iterator[TreeNode]:
    """Every node, depth first in reading order."""
    for node in nodes:
        yield node
        yield from walk(node.children)


def build_criteria_forest(blocks: Sequence[Block]) -> list[TreeNode]:
    """Roots of the trees formed by ``blocks`` (paragraphs and list items of one section)."""
    roots: list[TreeNode] = []
    stack: list[TreeNode] = []
    blocks = _mend_slipped_bullets(blocks)
    for index, block in enumerate(blocks):
        if block.kind == "heading":
            continue
        last_item = next((n for n in reversed(stack) if n.is_item), None)
        if block.kind != "list_item" and last_item is not None and _is_note(block, last_item):
            last_item.notes.append(block)
            continue
        node = TreeNode(block)
        if block.kind == "list_item":
            node.style = _style(node, stack)
            depth = sibling_depth(stack, node, _is_item)
        elif (shared := _shared_group_depth(stack, block)) is not None:
            depth, node.shared = shared, True
        else:
            depth = _paragraph_depth(stack, block, blocks[index + 1 :])
        if depth is not None:
            del stack[depth:]
        if len(stack) >= MAX_LIST_DEPTH:  # no tree goes deeper: kept, as a sibling at the limit
            del stack[MAX_LIST_DEPTH - 1 :]
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
    return roots


def _mend_slipped_bullets(blocks: Sequence[Block]) -> list[Block]:
    """``blocks``, with a bullet printed at the level of the bullet announcing its list (and
    followed by that list's deeper bullets) moved to the list's indent."""
    items = [i for i, b in enumerate(blocks) if b.kind == "list_item"]
    mended = list(blocks)
    for before, here, after in zip(items, items[1:], items[2:], strict=False):
        announcer, item, next_item = mended[before], mended[here], mended[after]
        if (
            all(b.marker == "-" for b in (announcer, item, next_item))
            and ANNOUNCES_LIST.search(announcer.full_text)
            and not item.full_text.rstrip().endswith(":")  # a lead of its own is a sibling
            and abs(item.indent - announcer.indent) <= 0.5
            and next_item.indent > announcer.indent + 0.5
        ):
            mended[here] = dataclasses.replace(item, indent=next_item.indent)
    return mended


def _is_note(block: Block, item: TreeNode) -> bool:
    """A "Note:" paragraph, or one indented under the item that does not lead in a list."""
    text = block.full_text
    if _NOTE.match(text):
        return True
    if block.indent <= item.block.indent + _DEEPER:
        return False
    # Deeper than the item: a note, or the wrapped end of its line ("iii):"), unless it leads in
    # a list of its own ("Dosing. Approve the following regimens:").
    return not text[:1].isupper() or not text.rstrip().endswith(":")


def _style(node: TreeNode, stack: Sequence[TreeNode]) -> str:
    """The label style, told apart by punctuation too: "a.", "a)" and "(a)" are different levels."""
    style = label_style(node.label, [_as_outline_node(n) for n in stack])
    marker = node.block.marker or ""
    if marker.startswith("("):
        return f"({style})"
    return f"{style})" if marker.endswith(")") else style


def _as_outline_node(node: TreeNode) -> Node:
    return Node(node.block, style=node.style.strip("()") if node.is_item else "")


def _is_item(node: TreeNode) -> bool:
    return node.is_item


def _shared_group_depth(stack: Sequence[TreeNode], block: Block) -> int | None:
    """Where a joined group ("AND ONE of the following:") shared by a list of bare items goes:
    beside the open paragraph at its indent that leads two or more items none of which has
    criteria of its own, or beside an open shared group at its indent; None otherwise."""
    if not _JOINED.match(block.full_text):
        return None
    for depth in range(len(stack) - 1, -1, -1):
        node = stack[depth]
        if node.is_item or abs(node.block.indent - block.indent) > 0.5:
            continue
        if node.shared:
            return depth
        items = [child for child in node.children if child.is_item]
        bare = len(items) >= 2 and len(items) == len(node.children)
        return depth if bare and not any(item.children for item in items) else None
    return None


def _paragraph_depth(stack: list[TreeNode], block: Block, following: Sequence[Block]) -> int | None:
    """Where a paragraph goes. A lead-in that is not joined by "AND"/"OR" closes the open
    paragraphs at its indent or deeper; one followed by a list item takes that item's place
    (sibling of an open item of its label style, else child of the deepest open item)."""
    if GENERAL.search(block.full_text):
        return 0 if stack else None  # "AND ALL of the following for ALL diagnoses": its own root
    if not _JOINED.match(block.full_text):
        shallower = [
            i for i, n in enumerate(stack) if not n.is_item and n.block.indent >= block.indent - 0.5
        ]
        if shallower:
            del stack[shallower[0] :]
    upcoming = next((b for b in following if b.kind != "heading"), None)
    if upcoming is None or upcoming.kind != "list_item":
        return 0 if stack and not _JOINED.match(block.full_text) else None
    probe = TreeNode(upcoming)
    probe.style = _style(probe, stack)
    depth = sibling_depth(stack, probe, _is_item)
    if depth is not None:
        return depth
    items = [i for i, n in enumerate(stack) if n.is_item]
    return items[-1] + 1 if items else None
