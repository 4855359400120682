"""FHIRPath for a criteria tree, evaluated on the QuestionnaireResponse (``%resource``).

Each expression is self-contained over the leaves' answers (each reached by its path of
linkIds from the response's top-level items), and three-valued the way
``evaluate`` is: FHIRPath's own ``and`` / ``or`` give "all" and "any" (an unanswered item is the
empty collection, which those operators treat as unknown); "at least N" counts the true and the
unanswered children and yields true, false or empty (``{}``).
"""

from __future__ import annotations

from .link_ids import LinkedNode

__all__ = ["all_of", "answer_of", "node_expression"]


def answer_of(item_path: tuple[str, ...]) -> str:
    """The boolean answer of the item reached through the linkIds ``item_path`` (from a
    top-level item down): a direct path, so no engine searches the whole response."""
    steps = "".join(f".item.where(linkId = {_literal(link_id)})" for link_id in item_path)
    return f"%resource{steps}.answer.value"


def node_expression(item: LinkedNode, ancestors: tuple[str, ...] = ()) -> str:
    """True when the node is met, false when it cannot be, empty while it is undetermined.
    ``ancestors``: the linkIds above the node's tree root in the Questionnaire (none: the root
    is a top-level item)."""
    path = (*ancestors, item.link_id)
    logic = item.logic
    if logic.kind == "leaf":
        return answer_of(path)
    parts = [node_expression(child, path) for child in item.children]
    if logic.kind == "all":
        return all_of(parts)
    if logic.kind == "any":
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
