"""The Blue Cross Blue Shield Association Federal Employee Program (FEP) drug policy template.

Recognised by its header (the Association's name and address, a policy number such as
``5.21.169`` on a line of its own) and its "Prior-Approval Requirements" section. Under that
section a numbered list names the diagnoses; paragraphs that open with "AND ALL of the
following" / "AND ONE of the following" add a block of criteria to the diagnosis above them, or,
when they say "for ALL diagnoses", to every diagnosis (``general_criteria``). "Prior-Approval
Renewal Requirements" gives the continuation criteria in the same form; "Prior - Approval
Limits" and "Prior – Approval Renewal Limits" give durations and dose limits for every diagnosis.
Everything else is read as the generic profile reads it, and the full outline is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..blocks import Block, Furniture
from ..model import CriteriaNode, Period, Policy
from ..outline import build_list_tree
from ..phrases.approval import Phase, parse_approval
from ._common import Findings, authorized_condition, parse_drug_names, slugify
from ._criteria_tree import criteria_from_nodes
from .base import NO_MATCH, Match, Profile
from .generic import find_title
from .generic import is_structure as generic_is_structure
from .generic import read_base_policy as read_generic

__all__ = ["PROFILE"]

NAME = "fep"
ASSOCIATION = "Blue Cross Blue Shield Association"  # the payer: FEP is the Association's program
_ASSOCIATION = re.compile(r"Blue\s+Cross\s+(?:and\s+)?Blue\s+Shield\s+Association", re.I)
_POLICY_NUMBER = re.compile(r"^\s*(?P<number>\d\.\d{2}\.\d{3})\s*$")
_FEP = re.compile(r"\bFEP\b|Federal\s+Employee\s+Program", re.I)
_DASH = r"\s*[-–—]?\s*"
_REQUIREMENTS = re.compile(
    rf"^\s*prior{_DASH}approval\s+(?P<renewal>renewal\s+)?requirements\s*$", re.I
)
_LIMITS = re.compile(rf"^\s*prior{_DASH}approval\s+(?P<renewal>renewal\s+)?limits\s*$", re.I)
_SECTION_END = re.compile(
    rf"^\s*(?:policy\s+guidelines|pre{_DASH}pa\s+allowance|rationale|summary|references"
    rf"|prior{_DASH}approval\b.*)\s*$",
    re.I,
)
_AND_BLOCK = re.compile(r"^\s*AND\s+(?:ALL|ONE|BOTH|EITHER|ANY|AT\s+LEAST)\b", re.I)
_FOR_ALL = re.compile(r"\bfor\s+ALL\s+(?:diagnoses|indications|conditions)\b", re.I)
_NAME_TAIL = re.compile(r"\s*(?:,?\s+including\b.*|:)\s*$", re.I)


def match(blocks: Sequence[Block]) -> Match:
    """The Association's name, a FEP policy number and a Prior-Approval Requirements heading."""
    if not any(_REQUIREMENTS.match(b.full_text) for b in blocks):
        return NO_MATCH  # the heading is required: the other signs need not be looked for
    evidence: list[str] = []
    first_page = [b for b in blocks[:60] if (b.span.page or 1) == 1]
    if any(_ASSOCIATION.search(b.full_text) for b in first_page):
        evidence.append("page 1 names the Blue Cross Blue Shield Association")
    number = next((b for b in first_page if _POLICY_NUMBER.match(b.full_text)), None)
    if number is not None:
        evidence.append(f"policy number {number.full_text.strip()!r}")
    evidence.append("heading 'Prior-Approval Requirements'")
    if any(_FEP.search(b.full_text) for b in blocks):
        evidence.append("names the FEP")
    if len(evidence) < 3:
        return NO_MATCH
    return Match(len(evidence) / 4, tuple(evidence))


@dataclass(slots=True)
class _Diagnosis:
    head: Block
    items: list[Block] = field(default_factory=list)  # the head's own sub-items
    blocks: list[tuple[Block, list[Block]]] = field(default_factory=list)  # "AND ..." blocks


@dataclass(slots=True)
class _Requirements:
    diagnoses: list[_Diagnosis] = field(default_factory=list)
    general: list[tuple[Block, list[Block]]] = field(default_factory=list)


def _requirement_sections(blocks: Sequence[Block]) -> dict[Phase, list[Block]]:
    sections: dict[Phase, list[Block]] = {}
    current: list[Block] | None = None
    for block in blocks:
        heading = _REQUIREMENTS.match(block.full_text)
        if heading:
            phase: Phase = "continuation" if heading.group("renewal") else "initial"
            current = sections.setdefault(phase, [])
        elif _SECTION_END.match(block.full_text):
            current = None
        elif current is not None:
            current.append(block)
    return sections


def _read_requirements(blocks: Sequence[Block]) -> _Requirements:
    """Diagnoses (numbered items), their sub-items and their "AND ..." blocks, in order.

    An "AND ..." block belongs to the diagnoses listed since the previous block: one diagnosis
    with its own sub-items, or a run of bare diagnoses that share it."""
    found = _Requirements()
    group: list[_Diagnosis] = []
    target: list[Block] | None = None
    for block in blocks:
        text = block.full_text
        if block.kind == "list_item" and (block.marker or "").rstrip(".)").isdigit():
            if not group or group[-1].items or group[-1].blocks:
                group = []
            group.append(_Diagnosis(head=block))
            found.diagnoses.append(group[-1])
            target = group[-1].items
        elif block.kind == "paragraph" and _AND_BLOCK.match(text):
            lead: tuple[Block, list[Block]] = (block, [])
            if _FOR_ALL.search(text) or not group:
                found.general.append(lead)
            else:
                for diagnosis in group:
                    diagnosis.blocks.append(lead)
            target = lead[1]
        elif block.kind == "list_item" and target is not None:
            target.append(block)
        elif block.kind == "paragraph" and block.label:
            # "Age | 18 years of age or older": a requirement shared by every diagnosis.
            found.general.append((block, []))
    return found


def _group_node(lead: Block, items: list[Block]) -> CriteriaNode:
    return criteria_from_nodes(lead, build_list_tree(items))


def _diagnosis_criteria(diagnosis: _Diagnosis) -> CriteriaNode:
    """The diagnosis item with its sub-items; with "AND ..." blocks, all of them together."""
    own = _group_node(diagnosis.head, diagnosis.items)
    extra = [_group_node(lead, items) for lead, items in diagnosis.blocks]
    if not extra:
        return own
    # A bare diagnosis ("1. Spinal Muscular Atrophy"): its criteria are the blocks after it.
    parts = [own, *extra] if diagnosis.items else extra
    if len(parts) == 1:
        return parts[0]
    return CriteriaNode(text=own.text, operator="all", children=parts, span=own.span)


def _name(diagnosis: _Diagnosis) -> str:
    return _NAME_TAIL.sub("", diagnosis.head.text).strip() or diagnosis.head.text.strip()


def _limits(blocks: Sequence[Block]) -> list[Period]:
    periods: list[Period] = []
    phase: Phase | None = None
    for block in blocks:
        heading = _LIMITS.match(block.full_text)
        if heading:
            phase = "continuation" if heading.group("renewal") else "initial"
            continue
        if phase is None:
            continue
        if block.kind == "heading" or _SECTION_END.match(block.full_text):
            phase = None
            continue
        period = parse_approval(block.full_text, phase)
        if period is not None:
            period.span = block.span
            periods.append(period)
    return periods


def _general(requirements: _Requirements) -> CriteriaNode | None:
    nodes = [_group_node(lead, items) for lead, items in requirements.general]
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    return CriteriaNode(
        text="Requirements for every diagnosis", operator="all", children=nodes, span=nodes[0].span
    )


def read_policy(blocks: Sequence[Block], furniture: Sequence[Furniture]) -> tuple[Policy, Findings]:
    """The generic reading, with the FEP diagnoses, criteria, limits and policy number."""
    policy, findings = read_generic(blocks, furniture)
    policy.warnings = []
    findings.warnings = [w for w in findings.warnings if w.code != "template-not-recognised"]
    for block in blocks[:60]:
        number = _POLICY_NUMBER.match(block.full_text)
        if number and (block.span.page or 1) == 1:
            policy.policy_number = number.group("number")
            policy.spans["policy_number"] = block.span
            break
    _read_payer(policy, blocks)
    _read_drug(policy, blocks)
    sections = _requirement_sections(blocks)
    initial = _read_requirements(sections.get("initial", []))
    if not initial.diagnoses:
        findings.warn(
            "section-not-read",
            "Prior-Approval Requirements: no numbered diagnoses found; kept in 'outline'",
        )
    periods = _limits(blocks)
    for diagnosis in initial.diagnoses:
        name = _name(diagnosis)
        criteria = _diagnosis_criteria(diagnosis)
        policy.coverage.append(authorized_condition(name, criteria, periods, diagnosis.head.span))
    policy.general_criteria = _general(initial)
    _read_renewal(policy, sections.get("continuation", []))
    return policy, findings


def _read_renewal(policy: Policy, blocks: Sequence[Block]) -> None:
    renewal = _read_requirements(blocks)
    by_id = {condition.id: condition for condition in policy.coverage}
    for diagnosis in renewal.diagnoses:
        condition = by_id.get(slugify(_name(diagnosis)))
        if condition is None and len(policy.coverage) == 1 and len(renewal.diagnoses) == 1:
            condition = policy.coverage[0]
        if condition is not None:
            condition.continuation_criteria = _diagnosis_criteria(diagnosis)


def _read_payer(policy: Policy, blocks: Sequence[Block]) -> None:
    """The Association as page 1 names it. Some versions print only the program's own name
    ("Federal Employee Program® 750 9th St NW"): the program is the Association's, so that line
    names the same payer, and every version of one policy keeps one payer."""
    association = next((b for b in blocks[:60] if _ASSOCIATION.search(b.full_text)), None)
    if association is not None:
        found = _ASSOCIATION.search(association.full_text)
        policy.payer = " ".join(found.group(0).split()) if found else policy.payer
        policy.spans["payer"] = association.span
        return
    program = next((b for b in blocks[:60] if _FEP.search(b.full_text)), None)
    if program is not None and (program.span.page or 1) == 1:
        policy.payer = ASSOCIATION
        policy.spans["payer"] = program.span


def _read_drug(policy: Policy, blocks: Sequence[Block]) -> None:
    """The "Brand (generic)" line under Description, as the template prints it."""
    for block in blocks[:80]:
        text = block.full_text.strip()
        if "(" in text and text.endswith(")") and len(text) < 120 and block.kind != "list_item":
            drug = parse_drug_names(text)
            if drug.brand_names:
                policy.drug = drug
                return


def is_structure(block: Block) -> bool:
    text = block.full_text
    return bool(generic_is_structure(block) or _REQUIREMENTS.match(text) or _LIMITS.match(text))


PROFILE = Profile(NAME, match, find_title, read_policy, is_structure)
