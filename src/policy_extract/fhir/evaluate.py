"""Deciding a policy's criteria from answers keyed by linkId: the meaning the Questionnaire's
FHIRPath constraints carry, computed directly (tests prove the two agree).

Three-valued, as FHIRPath's ``and`` / ``or``: an item not answered is unknown.
- all: false if any child is false; else unknown if any is unknown; else true;
- any: true if any child is true; else unknown if any is unknown; else false;
- at least N: true when N children are true; false when the true and unknown ones together
  are fewer than N; else unknown.

A phase (initial, continuation) is met when the general criteria and its own are; a condition
is met when one of its phases is. Answers naming linkIds the policy does not have are reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from ..model import Policy
from .link_ids import LinkedNode, Phase, condition_prefixes, phase_trees

__all__ = [
    "ConditionEvaluation",
    "Evaluation",
    "PhaseEvaluation",
    "Status",
    "decide",
    "evaluate",
]

Status = Literal["met", "not met", "undetermined"]
_STATUS: dict[bool | None, Status] = {True: "met", False: "not met", None: "undetermined"}


@dataclass(frozen=True, slots=True)
class PhaseEvaluation:
    """One phase of one condition: its status and the items that decide it."""

    phase: Phase
    status: Status
    unmet: tuple[str, ...] = ()  # items answered false where that counts against the phase
    missing: tuple[str, ...] = ()  # items not answered where an answer could change the status


@dataclass(frozen=True, slots=True)
class ConditionEvaluation:
    condition_id: str
    condition: str
    status: Status
    phases: tuple[PhaseEvaluation, ...] = ()


@dataclass(frozen=True, slots=True)
class Evaluation:
    """Every condition's result, in document order, and the answers no item has."""

    conditions: tuple[ConditionEvaluation, ...] = ()
    unknown_link_ids: tuple[str, ...] = ()
    known_link_ids: frozenset[str] = field(default_factory=frozenset, repr=False)

    @property
    def any_met(self) -> bool:
        return any(condition.status == "met" for condition in self.conditions)


def evaluate(policy: Policy, answers: Mapping[str, bool | None]) -> Evaluation:
    """Decide every condition of ``policy`` from ``answers`` (linkId -> true / false; None or
    absent: not answered). Every key that names no item is reported, None-valued ones too."""
    results: list[ConditionEvaluation] = []
    known: set[str] = set()
    for condition, prefix in zip(policy.coverage, condition_prefixes(policy), strict=True):
        phases = []
        for phase in phase_trees(policy, condition, prefix):
            known.update(item.link_id for tree in phase.trees for item in tree.walk())
            phases.append(_evaluate_phase(phase.phase, phase.trees, answers))
        results.append(
            ConditionEvaluation(condition.id, condition.condition, _best(phases), tuple(phases))
        )
    unknown = tuple(sorted(set(answers) - known))
    return Evaluation(tuple(results), unknown, frozenset(known))


def _best(phases: list[PhaseEvaluation]) -> Status:
    """Met if one phase is; else undetermined if one is, or if there is nothing to decide."""
    statuses = {phase.status for phase in phases}
    if "met" in statuses:
        return "met"
    return "not met" if statuses == {"not met"} else "undetermined"


def _evaluate_phase(
    phase: Phase, trees: tuple[LinkedNode, ...], answers: Mapping[str, bool | None]
) -> PhaseEvaluation:
    values = [decide(tree, answers) for tree in trees]
    value = _combine_all(values)
    unmet: list[str] = []
    missing: list[str] = []
    if value is not True:
        for tree in trees:
            _collect_open_items(tree, answers, unmet, missing)
    return PhaseEvaluation(phase, _STATUS[value], tuple(unmet), tuple(missing))


def decide(item: LinkedNode, answers: Mapping[str, bool | None]) -> bool | None:
    """True, false or unknown (None) for one node of a linked tree."""
    logic = item.logic
    if logic.kind == "leaf":
        return answers.get(item.link_id)
    values = [decide(child, answers) for child in item.children]
    if logic.kind == "all":
        return _combine_all(values)
    trues = values.count(True)
    if trues >= logic.min_count:
        return True
    if trues + values.count(None) < logic.min_count:
        return False
    return None


def _combine_all(values: list[bool | None]) -> bool | None:
    if False in values:
        return False
    return None if None in values else True


def _collect_open_items(
    item: LinkedNode, answers: Mapping[str, bool | None], unmet: list[str], missing: list[str]
) -> None:
    """The leaves below a node that is not met: answered false, or not answered. Nodes already
    met are passed over (nothing below them stands in the way)."""
    if decide(item, answers) is True:
        return
    if item.logic.kind == "leaf":
        (missing if answers.get(item.link_id) is None else unmet).append(item.link_id)
        return
    for child in item.children:
        _collect_open_items(child, answers, unmet, missing)
