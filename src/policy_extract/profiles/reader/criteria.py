"""Criteria nodes from criteria trees: verbatim text, operator from the lead-in wording, else
from the items' trailing connectors ("...; AND" / "...; OR")."""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...blocks import Span
from ...model import CriteriaNode, Operator
from ...phrases import criteria_operator
from ...phrases.approval import is_duration_statement
from ...phrases.criteria import enumerated_operator, strip_criterion_text
from .tree import TreeNode, walk

__all__ = ["connector_operator", "criteria_from_tree", "group_criteria", "is_joined_group"]

_TRAILING = re.compile(r"(?:[;,.]\s*|\s)(?P<word>and|or)\s*[.:]?\s*$", re.IGNORECASE)
_JOINED_GROUP = re.compile(r"^\s*(?:and|or)\b", re.IGNORECASE)


def connector_operator(children: Sequence[TreeNode]) -> Operator | None:
    """``all`` when the items end in "AND", ``any`` when they end in "OR", else None."""
    words = [m.group("word").lower() for c in children if (m := _TRAILING.search(c.text))]
    if not words:
        return None
    ands, ors = words.count("and"), words.count("or")
    if ands == ors:
        return None
    return "all" if ands > ors else "any"


def is_joined_group(node: TreeNode) -> bool:
    """A paragraph such as "AND ALL of the following:" that adds a group to the item above."""
    return not node.is_item and bool(_JOINED_GROUP.match(node.text)) and bool(node.children)


def criteria_from_tree(node: TreeNode, *, root: bool = False) -> CriteriaNode:
    """One criterion and its sub-criteria; notes stay in the text, never become items."""
    text = strip_criterion_text(node.text)
    for note in node.notes:
        text = f"{text} {note.full_text}"
    children = [c for c in node.children if _is_criterion(c)]
    operator, count = criteria_operator(strip_criterion_text(node.text))
    if children and operator is None:  # "... the following (i and ii):", else "...; AND"
        operator = enumerated_operator(node.text) or connector_operator(children)
    return CriteriaNode(
        label=None if root else node.label,
        text=text,
        operator=operator if children else None,
        min_count=count if children and operator == "at_least" else None,
        children=[criteria_from_tree(child) for child in children],
        span=_span(node),
    )


def _is_criterion(node: TreeNode) -> bool:
    """An item or joined group; not a bare line stating how long approval lasts ("Initial
    authorization will be for no more than 12 months": a period, read as one)."""
    if not (node.is_item or is_joined_group(node)):
        return False
    return bool(node.children) or not is_duration_statement(node.text)


def group_criteria(node: TreeNode) -> CriteriaNode:
    """An indication item's criteria. Its own sub-items and any "AND ... of the following"
    paragraphs under it are groups that all apply; one group alone is the criteria."""
    own = [c for c in node.children if c.is_item]
    groups = [c for c in node.children if is_joined_group(c)]
    if not groups:
        return criteria_from_tree(node, root=True)
    if not own and len(groups) == 1:
        return criteria_from_tree(groups[0], root=True)
    parts = [criteria_from_tree(TreeNode(node.block, own, node.notes, node.style))] if own else []
    parts += [criteria_from_tree(group) for group in groups]
    return CriteriaNode(
        text=strip_criterion_text(node.text),
        operator="all",
        children=parts,
        span=_span(node),
    )


def _span(node: TreeNode) -> Span:
    return Span.covering([node.block.span, *(sub.block.span for sub in walk(node.children))])
