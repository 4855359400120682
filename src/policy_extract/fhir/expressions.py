"""FHIRPath for a criteria tree, evaluated on the QuestionnaireResponse (``%resource``).

Each expression is self-contained over the leaves' answers, and three-valued the way
``evaluate`` is: FHIRPath's own ``and`` / ``or`` give "all" and "any" (an unanswered item is the
empty collection, which those operators treat as unknown); "at least N" counts the true and the
unanswered children and yields true, false or empty (``{}``).
"""

from __future__ import annotations

from .link_ids import LinkedNode

__all__ = ["all_of", "answer_of", "node_expression"]


def answer_of(link_id: str) -> str:
    """The boolean answer of the item ``link_id``, wherever it sits in the response."""
    return f"%resource.repeat(item).where(linkId = {_literal(link_id)}).answer.value"


def node_expression(item: LinkedNode) -> str:
    """True when the node is met, false when it cannot be, empty while it is undetermined."""
    logic = item.logic
    if logic.kind == "leaf":
        return answer_of(item.link_id)
    parts = [node_expression(child) for child in item.children]
    if logic.kind == "all":
        return all_of(parts)
    if logic.kind == "any" and len(parts) > 0:
        return " or ".join(f"({part})" for part in parts)
    return _at_least(parts, logic.min_count)


def all_of(parts: list[str]) -> str:
    """The three-valued conjunction of ``parts``."""
    return " and ".join(f"({part})" for part in parts)


def _at_least(parts: list[str], count: int) -> str:
    trues = " + ".join(f"iif(({part}) = true, 1, 0)" for part in parts)
    unknown = " + ".join(f"iif(({part}).exists(), 0, 1)" for part in parts)
    return f"iif(({trues}) >= {count}, true, iif(({trues}) + ({unknown}) < {count}, false, {{}}))"


def _literal(text: str) -> str:
    """A FHIRPath string literal."""
    escaped = text.replace("\\", "\\\\").replace("'", "\\'")
    return f"'{escaped}'"
