"""The items a criteria tree asks about, each with its ``linkId``: shared by the Questionnaire
export and by ``evaluate``, so an answer keyed by a linkId means the same thing to both.

A linkId is the tree's prefix and the node's label path: ``"<condition id>/initial/1.a.ii"``,
``"<condition id>/continuation/I"``, ``"general/2"`` (general criteria are one tree shared by every
condition, so one answer serves them all). The root is the prefix itself. An unlabelled node, or a
label its sibling already used, gets its position among its siblings: ``"@3"``, ``"a@3"``.
The condition id keeps linkIds unique across a policy's Questionnaires, so one answers file can
name the items of several conditions.

Nodes whose wording does not say how their sub-items combine (``operator`` null) are read as
"all of them", the reading that never approves more than the text does.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from ..model import ConditionCoverage, CriteriaNode, Policy

__all__ = [
    "GENERAL_PREFIX",
    "LinkedNode",
    "Logic",
    "Phase",
    "PhaseTrees",
    "condition_prefixes",
    "effective_logic",
    "link_tree",
    "phase_trees",
]

GENERAL_PREFIX = "general"
Phase = Literal["initial", "continuation"]
LogicKind = Literal["leaf", "all", "any", "at_least"]


@dataclass(frozen=True, slots=True)
class Logic:
    """How a node is decided: a leaf is answered; the others combine their children."""

    kind: LogicKind
    min_count: int = 0
    assumed: bool = False  # the wording does not say: read as "all"


@dataclass(frozen=True, slots=True)
class LinkedNode:
    """A criteria node with its linkId and its children's."""

    link_id: str
    node: CriteriaNode
    logic: Logic
    children: tuple[LinkedNode, ...] = ()

    def walk(self) -> Iterator[LinkedNode]:
        """This node and every node below it, in reading order."""
        pending = [self]
        while pending:
            current = pending.pop()
            yield current
            pending.extend(reversed(current.children))

    def leaves(self) -> Iterator[LinkedNode]:
        """The nodes answered directly (boolean questions), in reading order."""
        return (item for item in self.walk() if item.logic.kind == "leaf")


@dataclass(frozen=True, slots=True)
class PhaseTrees:
    """What one phase of one condition requires: every tree must be met (general first)."""

    phase: Phase
    trees: tuple[LinkedNode, ...]


def effective_logic(node: CriteriaNode) -> Logic:
    """The logic a node is evaluated and exported with."""
    if not node.children:
        return Logic("leaf")
    if node.operator == "any":
        return Logic("any", 1)
    if node.operator == "at_least":
        return Logic("at_least", max(node.min_count or 1, 1))
    return Logic("all", len(node.children), assumed=node.operator is None)


def link_tree(root: CriteriaNode, prefix: str) -> LinkedNode:
    """``root`` with linkIds under ``prefix``: its children join with '/', deeper ones with '.'."""
    return _link(root, prefix, "/")


def _link(node: CriteriaNode, link_id: str, separator: str) -> LinkedNode:
    children = tuple(
        _link(child, f"{link_id}{separator}{segment}", ".")
        for child, segment in zip(node.children, _segments(node.children), strict=True)
    )
    return LinkedNode(link_id, node, effective_logic(node), children)


def _segments(children: list[CriteriaNode]) -> list[str]:
    """One path segment per child: its label, or its position where that is missing or taken."""
    segments: list[str] = []
    taken: set[str] = set()
    for position, child in enumerate(children, start=1):
        label = (child.label or "").strip()
        usable = label.isalnum() and label.isascii()  # no '.', '/' or '@' to confuse a path
        segment = label if usable and label not in taken else ""
        segment = segment or f"{label if usable else ''}@{position}"
        taken.add(segment)
        segments.append(segment)
    return segments


def condition_prefixes(policy: Policy) -> list[str]:
    """Each condition's linkId prefix: its id, made unique within the policy."""
    prefixes: list[str] = []
    for index, condition in enumerate(policy.coverage, start=1):
        prefix = condition.id or f"condition@{index}"
        if prefix in prefixes or prefix == GENERAL_PREFIX:
            prefix = f"{prefix}@{index}"
        prefixes.append(prefix)
    return prefixes


def phase_trees(policy: Policy, condition: ConditionCoverage, prefix: str) -> list[PhaseTrees]:
    """The phases a condition can be authorized in, each with the trees it requires."""
    general = (
        (link_tree(policy.general_criteria, GENERAL_PREFIX),)
        if policy.general_criteria is not None
        else ()
    )
    phases: list[PhaseTrees] = []
    if condition.criteria is not None:
        own = link_tree(condition.criteria, f"{prefix}/initial")
        phases.append(PhaseTrees("initial", (*general, own)))
    if condition.continuation_criteria is not None:
        own = link_tree(condition.continuation_criteria, f"{prefix}/continuation")
        phases.append(PhaseTrees("continuation", (*general, own)))
    return phases
