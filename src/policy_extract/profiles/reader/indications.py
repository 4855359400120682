"""Indications and their criteria, found from layout and language alone.

Sections are read in order. A heading such as "Clinical Criteria" or "Prior-Approval
Requirements" opens the criteria part; "References", "Coding", "Background" close it; "Conditions
Not Covered" / "Unproven" open a not-covered part; "Length of Authorization" / "Approval Limits"
hold durations for every indication. Inside the criteria part an indication is:

- an item named first, then its criteria: "1. Crohn's Disease. Approve for 6 months if ...";
- a lead-in sentence naming a condition: "Initial requests for X for the treatment of asthma may be
  approved if the following criteria are met:", "X is medically necessary for the treatment of
  sialorrhea when all of the following criteria are met:" (a heading, paragraph or item);
- a numbered item under a "Diagnosis" heading ("Patient must have ONE of the following: 1. ...");
- a heading naming a condition followed directly by its list of criteria.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import takewhile

from ...blocks import Block
from ...model import CriteriaNode, Period, Statement
from ...phrases import criteria_operator
from ...phrases.approval import Phase, approval_phase, parse_approval
from .._criteria_tree import regroup_connected_items
from .criteria import connector_operator, criteria_from_tree, group_criteria
from .language import (
    CONTINUATION_START,
    CRITERIA_HEADING,
    END_HEADING,
    GENERAL,
    LIMITS_HEADING,
    NEGATIVE,
    clean_condition_name,
    condition_from_lead_in,
    condition_from_named_item,
    is_product_group,
)
from .parts import Parts, part_label
from .reading import FoundIndication, Reading
from .tree import TreeNode, build_criteria_forest, walk

__all__ = ["read_indications"]

_LEADING_NUMBER = re.compile(r"^\s*(?:\d{1,2}|[A-Z]|[IVX]{1,4})[.)]\s+")
_DIAGNOSIS_HEADING = r"^\W*diagnos[ie]s\b"
# A sentence granting approval: "Authorization of 12 months may be granted for ...", "X is
# medically necessary for ...", "Approve for 1 year if ...".
_GRANTS = re.compile(
    r"\bmay\s+be\s+(?:granted|approved|authori[sz]ed)\b|\bis\s+(?:considered\s+)?medically"
    r"\s+necessary\b|\bapprove\s+for\b",
    re.IGNORECASE,
)
# A section heading for the continuation criteria of the indications before it.
_CONTINUATION_PART = re.compile(
    r"^\W*(?:[ivx]+\.\s+|\d+\.\s+)?(?:continuation|renewal|re-?authori[sz]ation)"
    r"(?:\s+(?:of\s+)?(?:therapy|treatment|requests?|criteria|approval))?\s*:?\s*$",
    re.IGNORECASE,
)
# How a criterion item usually begins: who must meet it, or what must be documented.
_SUBJECT = re.compile(
    r"^\W*(?:the\s+)?(?:patient|individual|member|beneficiary|documentation|documented|diagnosis"
    r"|prescribed|prescriber|request|age|must|has|is|will)\b",
    re.IGNORECASE,
)


@dataclass
class _State:
    reading: Reading
    region: str | None = None  # "criteria" | "not_covered" | "limits" | None
    phase: Phase | None = None
    last: FoundIndication | None = None
    everywhere: bool = False  # no heading names the criteria part: every other section may hold it
    entered: bool = False  # a heading opened the criteria part


def read_indications(blocks: Sequence[Block]) -> Reading:
    """Indications, general criteria, not-covered statements and durations of a document.

    A document whose headings never name its criteria part ("Policy", "Coverage" alone) is read
    again with every section but background, codes, references and history open to criteria."""
    state = _read(blocks, _State(Reading()))
    if not state.entered and not state.reading.indications:
        state = _read(blocks, _State(Reading(), region="criteria", everywhere=True))
    return state.reading


def _read(blocks: Sequence[Block], state: _State) -> _State:
    for heading, body in _lead_in_headings_joined(_sections(blocks)):
        _enter_section(state, heading)
        forest = build_criteria_forest(body)
        if state.region == "criteria":
            _read_criteria_section(state, heading, forest)
        elif state.region == "not_covered":
            _read_not_covered(state, heading, forest)
        elif state.region == "limits":
            _read_limits(state, body)
    return state


def _sections(blocks: Sequence[Block]) -> list[tuple[Block | None, list[Block]]]:
    sections: list[tuple[Block | None, list[Block]]] = [(None, [])]
    for block in blocks:
        if block.kind == "heading":
            sections.append((block, []))
        else:
            sections[-1][1].append(block)
    return sections


def _lead_in_headings_joined(
    sections: list[tuple[Block | None, list[Block]]],
) -> list[tuple[Block | None, list[Block]]]:
    """A heading with no text of its own, then a heading that leads in a list ("Meets medical
    necessity if all the following are met:") and the list: one section, the lead-in read as the
    paragraph opening its list, so the first heading is the condition the list is about."""
    joined: list[tuple[Block | None, list[Block]]] = []
    for heading, body in sections:
        previous = joined[-1] if joined else (None, [])
        if (
            heading is not None
            and previous[0] is not None
            and not previous[1]
            and body[:1]
            and body[0].kind == "list_item"
            and _leads_in_criteria(heading.full_text)
            and not _leads_in_criteria(previous[0].full_text)
        ):
            lead = replace(heading, kind="paragraph")
            joined[-1] = (previous[0], [lead, *body])
            continue
        joined.append((heading, body))
    return joined


def _leads_in_criteria(text: str) -> bool:
    """ "... if all the following are met:": a line announcing how its list's items combine."""
    return text.rstrip().endswith(":") and criteria_operator(text)[0] is not None


def _enter_section(state: _State, heading: Block | None) -> None:
    if heading is None:
        return
    text = heading.full_text
    if GENERAL.search(text):
        return
    region = state.region
    _enter_region(state, heading)
    if state.region != region and state.region != "criteria":
        state.last = None  # a part printed after this is no longer the indication's


def _enter_region(state: _State, heading: Block) -> None:
    text = heading.full_text
    if NEGATIVE.search(text) and len(text.split()) <= 25:
        state.region = "not_covered"
        state.reading.not_covered.append(Statement(text=text, span=heading.span))
    elif LIMITS_HEADING.search(text):
        state.region, state.phase = "limits", approval_phase(text)
    elif END_HEADING.match(text):
        state.region = None
    elif CRITERIA_HEADING.search(text) and not text.rstrip().endswith(":"):
        state.region, state.phase = "criteria", approval_phase(text)
        state.entered = True
    elif state.region == "criteria" and _CONTINUATION_PART.match(text):
        state.phase = "continuation"  # "Continuation of Therapy": the indications again
    elif state.everywhere:
        state.region = "criteria"


def _read_limits(state: _State, body: Sequence[Block]) -> None:
    for block in body:
        period = parse_approval(block.full_text, state.phase or "initial")
        if period is not None and period.duration is not None:
            period.span = block.span
            state.reading.document_periods.append(period)


def _read_not_covered(state: _State, heading: Block | None, forest: list[TreeNode]) -> None:
    for node in forest:
        for item in [node, *node.children] if not node.is_item else [node]:
            if item is node and not node.is_item and node.children:
                continue
            state.reading.not_covered.append(Statement(text=item.text, span=item.block.span))


def _read_criteria_section(state: _State, heading: Block | None, forest: list[TreeNode]) -> None:
    reading = state.reading
    if heading is not None and state.last is not None and _read_part(state.last, heading, forest):
        return
    if heading is not None and GENERAL.search(heading.full_text):
        if forest:
            reading.general.append(_general_node(heading, forest))
        return
    before = len(reading.indications)
    if heading is not None and forest:
        lead = condition_from_lead_in(heading.full_text)
        if lead and not NEGATIVE.search(heading.full_text):
            _add(state, lead, TreeNode(heading, list(forest)), approval_phase(heading.full_text))
            return
    diagnosis = heading is not None and bool(re_match(_DIAGNOSIS_HEADING, heading.full_text))
    if heading is not None and not diagnosis and not _names_indications(forest):
        _condition_heading(state, heading, forest)
        if len(reading.indications) != before:
            return
    _read_nodes(state, forest, diagnosis=diagnosis, depth=0)
    _share_groups(reading.indications[before:], forest)


def _share_groups(found: Sequence[FoundIndication], nodes: Sequence[TreeNode]) -> None:
    """A bare indication (a diagnosis item with no criteria of its own) takes the shared groups
    that follow the list it is an item of ("1. LBCL 2. DLBCL ... AND ONE of the following:")."""
    by_block = {id(f.block): f for f in found}
    for index, node in enumerate(nodes):
        groups = list(takewhile(lambda n: n.shared, nodes[index + 1 :]))
        for item in node.children if groups and not node.shared else ():
            indication = by_block.get(id(item.block))
            if indication is None or item.children:
                continue
            criteria = regroup_connected_items(group_criteria(TreeNode(item.block, groups)))
            if indication.criteria is not None and not indication.criteria.children:
                indication.criteria = criteria
            elif indication.continuation is not None and not indication.continuation.children:
                indication.continuation = criteria
        _share_groups(found, node.children)


def _read_part(found: FoundIndication, heading: Block, forest: list[TreeNode]) -> bool:
    """A label heading of the indication above ("Covered Doses:", "ICD-10: T86.11") and the
    lines under it: its part. A title-style heading ("ICD-10 Codes") is a section of its own."""
    part = part_label(heading.full_text)
    if part is None or (not part[1] and not heading.full_text.rstrip().endswith(":")):
        return False
    parts = Parts()
    parts.read_labelled(heading, TreeNode(heading, forest))
    found.take(parts)
    return True


def _names_indications(forest: Sequence[TreeNode]) -> bool:
    """Whether the section's own items or lead-ins name indications."""
    for node in walk(forest):
        if node.is_item and condition_from_named_item(node.text):
            return True
        if node.children and condition_from_lead_in(node.text):
            return True
    return False


def re_match(pattern: str, text: str) -> bool:
    """Whether ``text`` starts with ``pattern`` (case-insensitive)."""
    return re.match(pattern, text, re.IGNORECASE) is not None


def _read_nodes(state: _State, nodes: Sequence[TreeNode], *, diagnosis: bool, depth: int) -> None:
    for node in nodes:
        if not _read_node(state, node, diagnosis=diagnosis, depth=depth):
            _read_nodes(state, node.children, diagnosis=diagnosis, depth=depth + 1)


def _read_node(state: _State, node: TreeNode, *, diagnosis: bool, depth: int) -> bool:
    """True when the node was claimed (an indication, general or not-covered group)."""
    text = node.text
    if node.children and GENERAL.search(text):
        state.reading.general.append(criteria_from_tree(node, root=True))
        return True
    if node.children and NEGATIVE.search(text):
        for child in node.children:
            state.reading.not_covered.append(Statement(text=child.text, span=child.block.span))
        return True
    named = condition_from_named_item(text) if node.is_item else None
    if named:
        _add(state, named, node, None)
        return True
    lead = condition_from_lead_in(text) if node.children else None
    if lead:
        _add(state, lead, node, approval_phase(text[:60]))
        return True
    if diagnosis and node.is_item and node.style == "decimal" and depth <= 1:
        _add(state, _diagnosis_name(text), node, None)
        return True
    if state.last is not None:
        parts = Parts()
        if parts.read_labelled(node.block, node):  # "Dosing. ..." after the indication's list
            state.last.take(parts)
            return True
    if not node.children and state.last is not None:
        state.last.periods.extend(_clause_periods(node.block, None))
    return False


def _diagnosis_name(text: str) -> str:
    name = re.split(r"\s+(?:including|with|who|that)\b|:", text, maxsplit=1)[0]
    return clean_condition_name(name)


def _condition_heading(state: _State, heading: Block, forest: list[TreeNode]) -> None:
    """A heading that names a condition, followed directly by its criteria items, or by the one
    sentence granting approval for it ("Authorization of 12 months may be granted for ...")."""
    text = heading.full_text
    grant = bool(forest) and _grants_approval(forest[0])
    if not forest or not (forest[0].is_item or forest[0].children or grant):
        return
    text = _LEADING_NUMBER.sub("", text)
    if not text[:1].isalpha():
        return
    items = [n for root in forest for n in ([root] if root.is_item else root.children) if n.is_item]
    announced = not forest[0].is_item and _leads_in_criteria(forest[0].text)
    if (
        not grant
        and not announced
        and connector_operator(items) is None
        and not any(_SUBJECT.match(n.text) for n in items)
    ):
        return  # a list of products or facts, not criteria
    if (
        text.rstrip().endswith(":")
        or len(text.split()) > 20
        or is_product_group(text)
        or CRITERIA_HEADING.search(text)
        or END_HEADING.match(text)
    ):
        return
    node = forest[0] if grant else TreeNode(heading, list(forest))
    _add(state, clean_condition_name(text), node, None)
    if grant and state.last is not None:  # what follows the granting sentence: its parts
        parts = Parts()
        for sibling in forest[1:]:
            parts.read_labelled(sibling.block, sibling)
        state.last.take(parts)


def _grants_approval(node: TreeNode) -> bool:
    """A paragraph alone (no items under it) that grants approval: the criteria in one line."""
    return not node.is_item and not node.children and _GRANTS.search(node.text) is not None


def _add(state: _State, name: str, node: TreeNode, phase: Phase | None) -> None:
    phase = phase or (state.phase if state.phase == "continuation" else None)
    found = FoundIndication(name=name, block=node.block)
    initial_child, continuation_child = _phase_children(node)
    if initial_child is not None and continuation_child is not None:
        found.criteria = criteria_from_tree(initial_child, root=True)
        found.continuation = criteria_from_tree(continuation_child, root=True)
    elif initial_child is not None and not initial_child.is_item:
        found.criteria = criteria_from_tree(initial_child, root=True)
    elif (lead := _sole_lead_in(node)) is not None:
        found.criteria = criteria_from_tree(lead, root=True)
    else:
        found.criteria = group_criteria(node)
    found.criteria = regroup_connected_items(found.criteria) if found.criteria else None
    found.continuation = regroup_connected_items(found.continuation) if found.continuation else None
    found.periods = _periods(node, initial_child, continuation_child)
    if phase == "continuation":  # read in a continuation part: its durations are that phase's
        found.periods = [p.model_copy(update={"phase": p.phase or phase}) for p in found.periods]
    parts = Parts()
    parts.read_under(node)
    found.take(parts)
    state.last = state.reading.add(found, phase)


def _sole_lead_in(node: TreeNode) -> TreeNode | None:
    """Under a condition heading, the one lead-in announcing its list ("Meets medical necessity
    if all the following are met:"), whose list is the criteria; None otherwise."""
    if node.block.kind != "heading" or len(node.children) != 1 or node.text.rstrip().endswith(":"):
        return None  # not a condition heading: a lead-in heading's one child is its criterion
    child = node.children[0]
    announces = not child.is_item and child.children and _leads_in_criteria(child.text)
    return child if announces else None


def _phase_children(node: TreeNode) -> tuple[TreeNode | None, TreeNode | None]:
    initial: TreeNode | None = None
    continuation: TreeNode | None = None
    for child in node.children:
        if not child.is_item and not child.children:
            continue
        head = child.text[:80]
        if CONTINUATION_START.match(head) and continuation is None:
            continuation = child
        elif approval_phase(head) == "initial" and initial is None and continuation is None:
            initial = child
    return initial, continuation


def _periods(
    node: TreeNode, initial: TreeNode | None, continuation: TreeNode | None
) -> list[Period]:
    """Durations in the indication's blocks, clause by clause ("Initial 4 months; Continuation
    12 months"); inside the initial or continuation part, that part's phase is the default."""
    periods: list[Period] = []
    for sub in walk([node]):
        context: Phase | None = None
        if initial is not None and sub in list(walk([initial])):
            context = "initial"
        elif continuation is not None and sub in list(walk([continuation])):
            context = "continuation"
        periods.extend(_clause_periods(sub.block, context))
    return periods


def _clause_periods(block: Block, context: Phase | None) -> list[Period]:
    periods: list[Period] = []
    for clause in re.split(r";\s+|\s+/\s+", block.full_text):
        period = parse_approval(clause, context)
        if period is not None and period.duration is not None:
            period.span = block.span
            periods.append(period)
    return periods


def _general_node(heading: Block, forest: list[TreeNode]) -> CriteriaNode:
    if len(forest) == 1 and forest[0].children:
        return criteria_from_tree(forest[0], root=True)
    return criteria_from_tree(TreeNode(heading, list(forest)), root=True)
