"""Criteria trees from outline nodes, for templates whose lists carry their own logic words.

A node's operator comes from its lead-in ("ALL of the following", "ONE of the following", "at
least two of"); where the lead-in says nothing, from the connectors its children end with
("...; AND" on every child but the last is all-of, "...; OR" any-of). A single child needs no
operator. Text is verbatim, without the list label and a trailing colon.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..blocks import Block
from ..model import CriteriaNode, Operator
from ..outline import Node
from ..phrases import criteria_operator
from ..phrases.criteria import strip_criterion_text
from ._common import node_span

__all__ = ["criteria_from_node", "criteria_from_nodes", "operator_from_connectors"]

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
