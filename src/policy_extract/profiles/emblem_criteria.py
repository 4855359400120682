"""Criteria-tree repairs for templates whose bullets say "; AND" / "; OR" instead of nesting.

Prime Therapeutics' lists print an unlabelled OR group indented under the item before it::

    • Patient must be at an increased risk for fracture; AND
        o Documented treatment failure ...; OR
        o Patient has a documented contraindication ...

The indented bullets are not a detail of the item above (which is complete, and joined to what
follows by "AND"): they are the next criterion, a group of alternatives. ``regroup_connected_items``
turns such an item into the item alone plus an unlabelled group node (text ``""``: the source
prints no words for it), spliced into the parent when the connector agrees with the parent's
operator, else wrapped with the connector's operator.
"""

from __future__ import annotations

import re

from ..blocks import Block, Span
from ..model import CriteriaNode, Operator
from ..phrases import criteria_operator

__all__ = ["as_note_item", "regroup_connected_items", "strip_footnote_marks"]

_CONNECTOR = re.compile(r"[;,]?\s*\b(?P<word>and|or)\s*[.;:]?\s*$", re.IGNORECASE)
# Footnote marks and reference numbers after a heading: "Osteoporosis † ‡ 1-8,40,41".
_NUMBER = r"\d{1,3}(?:\s*[-–]\s*\d{1,3})?"
_REFERENCE_NUMBERS = re.compile(rf"\s+{_NUMBER}(?:\s*,\s*{_NUMBER})*\s*$")
_MARKS = re.compile(r"[\s†‡Фф¥±◊§*]+$")


def strip_footnote_marks(text: str) -> str:
    """``"Giant Cell Tumor of the Bone † ‡ Ф 9-16,19"`` -> ``"Giant Cell Tumor of the Bone"``.

    A bare number is a reference only after a footnote mark or with a range or list."""
    marked = _MARKS.sub("", text)
    numbers = _REFERENCE_NUMBERS.search(marked)
    marks_before = numbers is not None and _MARKS.search(marked[: numbers.start()])
    if numbers and (re.search(r"[-–,]", numbers.group(0)) or marks_before):
        marked = marked[: numbers.start()]
    return _MARKS.sub("", marked).strip()


def as_note_item(block: Block) -> Block:
    """A paragraph between list items, kept as an unlabelled item at its own indentation."""
    return Block(
        kind="list_item", text=block.full_text, span=block.span, marker="-", indent=block.indent
    )


def _connector(text: str) -> Operator | None:
    found = _CONNECTOR.search(text)
    if found is None:
        return None
    return "all" if found.group("word").lower() == "and" else "any"


def regroup_connected_items(node: CriteriaNode) -> CriteriaNode:
    """``node`` with every "item; AND" + indented alternatives split into item and group."""
    children: list[CriteriaNode] = []
    operator = node.operator
    for child in (regroup_connected_items(c) for c in node.children):
        joined_by = _connector(child.text)
        if not child.children or joined_by is None or criteria_operator(child.text)[0]:
            children.append(child)
            continue
        item = child.model_copy(update={"children": [], "operator": None, "min_count": None})
        group = CriteriaNode(
            text="",
            operator=child.operator,
            min_count=child.min_count,
            children=child.children,
            span=_covering(child.children),
        )
        if operator is None and len(node.children) == 1:
            operator = joined_by  # the item and its alternatives are the node's two criteria
        if joined_by == operator:
            children.extend([item, group])
        else:
            children.append(
                CriteriaNode(text="", operator=joined_by, children=[item, group], span=child.span)
            )
    return node.model_copy(update={"children": children, "operator": operator})


def _covering(nodes: list[CriteriaNode]) -> Span | None:
    spans = [n.span for n in nodes if n.span is not None]
    if not spans:
        return None
    return spans[0].merge(spans[-1])
