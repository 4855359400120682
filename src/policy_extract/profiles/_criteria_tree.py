"""Criteria trees from outline nodes, for templates whose lists carry their own logic words.

A node's operator comes from its lead-in ("ALL of the following", "ONE of the following", "at
least two of"); where the lead-in says nothing, from the connectors its children end with
("...; AND" on every child but the last is all-of, "...; OR" any-of). A single child needs no
operator. Text is verbatim, without the list label and a trailing colon.
``regroup_connected_items`` splits an "item; AND" with indented alternatives into the item and a
group of them (its docstring shows the layout).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..blocks import Block, Span
from ..model import CriteriaNode, Operator
from ..outline import Node
from ..phrases import criteria_operator
from ..phrases.criteria import strip_criterion_text
from ._common import node_span

__all__ = [
    "criteria_from_node",
    "criteria_from_nodes",
    "operator_from_connectors",
    "regroup_connected_items",
]

_TRAILING = re.compile(r"[;,]?\s*\b(?P<word>and|or)\s*[.;:]?\s*$", re.IGNORECASE)


def operator_from_connectors(texts: Sequence[str]) -> Operator | None:
    """``all`` when the items before the last end with "and", ``any`` with "or", else None."""
    words = {m.group("word").lower() for t in texts[:-1] if (m := _TRAILING.search(t))}
    if len(texts) < 2 or len(words) != 1:
        return None
    return "all" if words == {"and"} else "any"


def criteria_from_nodes(lead: Block, nodes: Sequence[Node]) -> CriteriaNode:
    """A criterion whose text is ``lead`` and whose children are ``nodes``."""
    children = [criteria_from_node(node) for node in nodes]
    text = strip_criterion_text(lead.full_text)
    operator, count = criteria_operator(text)
    if operator is None and len(children) > 1:
        operator = operator_from_connectors([child.text for child in children])
    if not children:
        operator, count = None, None
    label = lead.marker.strip("().") if lead.marker and lead.marker != "-" else None
    return CriteriaNode(
        label=label,
        text=text,
        operator=operator,
        min_count=count,
        children=children,
        span=node_span(nodes, lead),
    )


def criteria_from_node(node: Node) -> CriteriaNode:
    """The criteria tree of one outline node and everything nested under it."""
    return criteria_from_nodes(node.block, node.children)


def _connector(text: str) -> Operator | None:
    found = _TRAILING.search(text)
    if found is None:
        return None
    return "all" if found.group("word").lower() == "and" else "any"


def regroup_connected_items(node: CriteriaNode) -> CriteriaNode:
    """``node`` with every "item; AND" + indented alternatives split into item and group.

    Some lists print an unlabelled group of alternatives indented under the item before it::

        • Patient must be at an increased risk for fracture; AND
            o Documented treatment failure ...; OR
            o Patient has a documented contraindication ...

    The item is complete and joined by its "AND" to what follows: the indented bullets are the
    next criterion, not details of it. The item becomes the item alone plus an unlabelled group
    (text ``""``: the source prints no words for it), spliced into the parent when the connector
    agrees with the parent's operator, else wrapped with the connector's operator. An item with
    a lead-in ("one of the following; AND") keeps its children.
    """
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
