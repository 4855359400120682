"""Comparing criteria trees for the policy diff: text, operator and children matched by text.

Under all-of one more criterion narrows; under any-of / at-least one more option broadens.
"""

from __future__ import annotations

from ..model import CriteriaNode
from .changes import Impact, Recorder
from .matching import align, word_matcher
from .words import clip, same, word_diff


def diff_criteria(rec: Recorder, path: str, a: CriteriaNode | None, b: CriteriaNode | None) -> None:
    if a is None and b is not None:
        rec.added(path, b, f"Added criteria: {clip(b.text)}", "narrows")
    elif b is None and a is not None:
        rec.removed(path, a, f"Removed criteria: {clip(a.text)}", "broadens")
    elif a is not None and b is not None:
        _diff_node(rec, path, a, b)


def _diff_node(rec: Recorder, path: str, a: CriteriaNode, b: CriteriaNode) -> None:
    if not same(a.text, b.text):
        summary = f"Revised criterion: {word_diff(a.text, b.text)}"
        # New words in a criterion may widen or narrow it; only a reader can tell.
        changelog = f"Revised criterion: {b.text}"
        rec.changed(path, (a.text, b.text), summary, "unclassified", changelog=changelog)
    _diff_operator(rec, path, a, b)
    texts = ([c.text for c in a.children], [c.text for c in b.children])
    for pair in align(*texts, word_matcher, 0.5):
        match pair:
            case (None, int(j)):
                summary = f"Added criterion: {_criterion_text(b.children[j])}"
                impact = _criterion_impact(b, added=True)
                rec.added(f"{path}.children[{j}]", b.children[j], summary, impact)
            case (int(i), None):
                summary = f"Removed criterion: {_criterion_text(a.children[i])}"
                impact = _criterion_impact(a, added=False)
                rec.removed(f"{path}.children[{i}]", a.children[i], summary, impact)
            case (int(i), int(j)):
                _diff_node(rec, f"{path}.children[{j}]", a.children[i], b.children[j])


def _criterion_text(node: CriteriaNode) -> str:
    n = len(node.children)
    return clip(node.text) + (f" ({n} sub-criteria)" if n else "")


def _criterion_impact(parent: CriteriaNode, *, added: bool) -> Impact:
    """Under all-of one more criterion narrows; under any-of / at-least one more option broadens."""
    is_option = parent.operator in ("any", "at_least")
    return "broadens" if added == is_option else "narrows"


def _diff_operator(rec: Recorder, path: str, a: CriteriaNode, b: CriteriaNode) -> None:
    if a.operator == b.operator and a.min_count == b.min_count:
        return
    values: tuple[object, object] = (a.operator, b.operator)
    where = f"{path}.operator"
    if a.operator == b.operator:
        values, where = (a.min_count, b.min_count), f"{path}.min_count"
    summary = f"Changed {_operator_words(a)} to {_operator_words(b)}: {clip(b.text)}"
    strict_a, strict_b = _strictness(a), _strictness(b)
    impact: Impact = "editorial"
    if strict_a is not None and strict_b is not None and strict_a != strict_b:
        impact = "narrows" if strict_b > strict_a else "broadens"
    rec.changed(where, values, summary, impact)


def _operator_words(node: CriteriaNode) -> str:
    if node.operator == "at_least":
        return f"at least {node.min_count} of"
    return f"{node.operator} of" if node.operator else "no sub-criteria"


def _strictness(node: CriteriaNode) -> int | None:
    """How many children must hold: any 1, at least n, all of them."""
    if node.operator == "any":
        return 1
    if node.operator == "at_least":
        return node.min_count or 1
    return max(len(node.children), 1) if node.operator == "all" else None
