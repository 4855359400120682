"""The Anthem (Carelon) "Medical Drug Clinical Criteria" template.

Recognised by its numbering scheme ("Document #: CC-0029": CC-numbered clinical criteria are
Anthem's, published through Carelon), its header "Medical Drug Clinical Criteria" and its
lead-ins ("Initial requests for X for the treatment of Y may be approved if the following
criteria are met:"). The document never prints the payer's name, so the payer comes from the
numbering scheme: template knowledge, recorded as such in the evidence.

Under "Clinical Criteria" each indication has an initial lead-in with a roman/letter list
("I. ...; AND II. ..."), a continuation lead-in with its own list, and sometimes an "Approval
Duration for Y" box ("Initial Requests: 6 months" / "Continuation Requests: 12 months") that
belongs to the indication it names. "X may not be approved for the following:" lists what is
not covered. The coding section's ICD-10 rows are tied to the indication their description or
sub-heading names. Everything else is read as the generic profile reads it, and the full outline
is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..blocks import Block, Furniture
from ..model import ConditionCoverage, Policy, Statement
from ..outline import build_list_tree
from ..phrases.approval import Phase, parse_approval
from ._common import Findings, flatten_node_text, node_span, slugify
from ._condition_names import named_condition, related_condition
from ._criteria_tree import criteria_from_nodes
from ._fields import ICD10_CODE
from .base import NO_MATCH, Match, Profile
from .generic import find_title
from .generic import is_structure as generic_is_structure
from .generic import read_base_policy as read_generic

__all__ = ["PROFILE"]

NAME = "anthem"
PAYER = "Anthem"
_HEADER = re.compile(r"^\s*Medical\s+Drug\s+Clinical\s+Criteria\s*$", re.I)
_NUMBER = re.compile(r"\bDocument\s*#\s*:?\s*\|?\s*(?P<number>CC-\d{3,5})\b", re.I)
_CRITERIA_HEADING = re.compile(r"^\s*Clinical\s+Criteria\s*$", re.I)
_REQUESTS = r"(?:requests?\s+for|of\s+therapy\s+with)"
_FOR_CONDITION = (
    r"\s+for\s+(?:the\s+(?:treatment|prevention)\s+of\s+)?(?P<condition>.+?)\s+may\s+be\b"
)
_INITIAL = re.compile(rf"^\s*(?:initial\s+)?requests\s+for\s+(?P<drug>.+?){_FOR_CONDITION}", re.I)
_CONTINUATION = re.compile(
    rf"^\s*(?:continuation|renewal|reauthorization)\s+{_REQUESTS}\s+(?P<drug>.+?){_FOR_CONDITION}",
    re.I,
)
_NOT_APPROVED = re.compile(r"\bmay\s+not\s+be\s+approved\s+for\s+the\s+following\b", re.I)
_DURATION_BOX = re.compile(
    r"^\s*Approval\s+Duration\b(?:\s+for\s+(?P<condition>[^:]+?))?\s*:?\s*$", re.I
)
_DURATION_LINE = re.compile(r"^\s*(?:initial|continuation|renewal)\s+requests?\s*:", re.I)
_SECTION_END = re.compile(
    r"^\s*(?:quantity\s+limits|coding|document\s+history|references|background|overview)\s*$",
    re.I,
)
_ICD_HEADING = re.compile(r"\bICD-?10\b", re.I)
_CODE_ROW = re.compile(rf"^\s*{ICD10_CODE}")
_CODE_RUN = re.compile(rf"^[\s,;|]*(?:{ICD10_CODE}(?:\s*[-–—]\s*{ICD10_CODE})?[\s,;|]*)+")


def match(blocks: Sequence[Block]) -> Match:
    """A CC-numbered document with the clinical-criteria header, section or lead-ins."""
    first_pages = [b for b in blocks[:80] if (b.span.page or 1) <= 2]
    number = next((m for b in first_pages if (m := _NUMBER.search(b.full_text))), None)
    if number is None:
        return NO_MATCH
    evidence = [
        f"document number {number.group('number')!r} in the CC- clinical-criteria scheme "
        "(Anthem/Carelon)"
    ]
    if any(_HEADER.match(b.full_text) for b in first_pages):
        evidence.append("header 'Medical Drug Clinical Criteria'")
    if any(b.kind == "heading" and _CRITERIA_HEADING.match(b.full_text) for b in blocks):
        evidence.append("heading 'Clinical Criteria'")
    if any(_INITIAL.match(b.full_text) or _CONTINUATION.match(b.full_text) for b in blocks):
        evidence.append("'requests for ... may be approved' lead-ins")
    if len(evidence) < 3:
        return NO_MATCH
    return Match(len(evidence) / 4, tuple(evidence))


@dataclass(slots=True)
class _Lead:
    """A lead-in paragraph and the list (with its notes) that follows it."""

    block: Block
    items: list[Block] = field(default_factory=list)


def _criteria_blocks(blocks: Sequence[Block]) -> list[Block]:
    """The blocks of the "Clinical Criteria" section."""
    headings = (i for i, b in enumerate(blocks) if b.kind == "heading")
    start = next((i for i in headings if _CRITERIA_HEADING.match(blocks[i].text)), None)
    if start is None:
        return []
    section: list[Block] = []
    for block in blocks[start + 1 :]:
        if block.kind == "heading" and _SECTION_END.match(block.full_text):
            break
        section.append(block)
    return section


def _as_note_item(block: Block) -> Block:
    """A note paragraph between list items, kept as an unlabelled item at its own indentation
    (so it nests under the item it is indented beneath)."""
    return Block(
        kind="list_item", text=block.full_text, span=block.span, marker="-", indent=block.indent
    )


def _leads(blocks: Sequence[Block]) -> list[_Lead]:
    """Every paragraph followed by list items, with those items; a paragraph indented deeper
    than the list item above it is a note on that item."""
    leads: list[_Lead] = []
    current: _Lead | None = None
    for block in blocks:
        if block.kind == "list_item" and current is not None:
            current.items.append(block)
        elif (
            block.kind == "paragraph"
            and current is not None
            and current.items
            and block.indent > current.items[-1].indent + 2
            and block.indent > current.block.indent + 2
        ):
            current.items.append(_as_note_item(block))
        elif block.kind == "paragraph":
            current = _Lead(block)
            leads.append(current)
        else:
            current = None
    return leads


def _condition_name(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().rstrip(":,")


@dataclass(slots=True)
class _Reading:
    """What the criteria section gave so far: conditions in order, the box being read."""

    policy: Policy
    findings: Findings
    box_target: ConditionCoverage | None = None


def _read_lead(lead: _Lead, reading: _Reading) -> None:
    text = lead.block.full_text
    coverage = reading.policy.coverage
    if _DURATION_BOX.match(text):
        named = _DURATION_BOX.match(text)
        mention = named.group("condition") if named else None
        target = named_condition(mention, coverage) if mention else None
        reading.box_target = target or (coverage[-1] if coverage else None)
        return
    if _DURATION_LINE.match(text) and reading.box_target is not None:
        period = parse_approval(text, _phase_of(text))
        if period is not None:
            period.span = lead.block.span
            reading.box_target.coverage_periods.append(period)
        return
    reading.box_target = None
    if _NOT_APPROVED.search(text):
        reading.policy.not_covered.extend(_statements(lead))
    elif (found := _CONTINUATION.match(text)) and lead.items:
        _attach_continuation(found.group("condition"), lead, reading)
    elif (found := _INITIAL.match(text)) and lead.items:
        name = _condition_name(found.group("condition"))
        coverage.append(
            ConditionCoverage(
                id=slugify(name),
                condition=name,
                criteria=criteria_from_nodes(lead.block, build_list_tree(lead.items)),
                span=lead.block.span,
            )
        )


def _phase_of(text: str) -> Phase:
    return "initial" if text.strip().lower().startswith("initial") else "continuation"


def _statements(lead: _Lead) -> list[Statement]:
    """Each top-level item of a "may not be approved" list, with its sub-items, verbatim."""
    return [
        Statement(text=flatten_node_text(node), span=node_span([node]))
        for node in build_list_tree(lead.items)
    ]


def _attach_continuation(mention: str, lead: _Lead, reading: _Reading) -> None:
    coverage = reading.policy.coverage
    target = named_condition(_condition_name(mention), coverage)
    if target is None:
        reading.findings.warn(
            "section-not-read",
            f"Clinical Criteria: continuation criteria for {mention!r} name no indication read "
            "before them; kept in 'outline'",
            lead.block.span,
        )
        return
    target.continuation_criteria = criteria_from_nodes(lead.block, build_list_tree(lead.items))


def _tie_icd10_codes(policy: Policy, blocks: Sequence[Block]) -> None:
    """Tie each coding-table ICD-10 row to the indication its sub-heading or description names."""
    in_icd = False
    group: ConditionCoverage | None = None
    rows: dict[str, ConditionCoverage] = {}
    for block in blocks:
        text = block.full_text
        if block.kind == "heading":
            in_icd = bool(_ICD_HEADING.search(text))
            group = None
            continue
        if not in_icd:
            continue
        if not _CODE_ROW.match(text):
            group = named_condition(_condition_name(text), policy.coverage) or group
            continue
        description = _CODE_RUN.sub("", text).strip(" |")
        target = group or (related_condition(description, policy.coverage) if description else None)
        for code in policy.icd10:
            if target is not None and code.span == block.span and code.code not in rows:
                rows[code.code] = target
    for code in policy.icd10:
        target = rows.get(code.code)
        if target is not None:
            code.applies_to = [target.id]
            target.icd10.append(code.model_copy(deep=True))


def _read_payer(policy: Policy, blocks: Sequence[Block]) -> None:
    """The CC- numbering is Anthem's; a payer the document prints itself wins."""
    if policy.payer is not None:
        return
    for block in blocks[:80]:
        if _NUMBER.search(block.full_text):
            policy.payer = PAYER
            policy.spans["payer"] = block.span
            return


def read_policy(blocks: Sequence[Block], furniture: Sequence[Furniture]) -> tuple[Policy, Findings]:
    """The generic reading, with the indications, criteria, approval durations and exclusions."""
    policy, findings = read_generic(blocks, furniture)
    policy.warnings = []
    findings.warnings = [w for w in findings.warnings if w.code != "template-not-recognised"]
    _read_payer(policy, blocks)
    header = next((b for b in blocks[:20] if _HEADER.match(b.full_text)), None)
    if header is not None:
        policy.policy_type = header.full_text.strip()
        policy.spans["policy_type"] = header.span
    reading = _Reading(policy, findings)
    for lead in _leads(_criteria_blocks(blocks)):
        _read_lead(lead, reading)
    if not policy.coverage:
        findings.warn(
            "section-not-read",
            "Clinical Criteria: no 'Initial requests for ... may be approved' lead-ins with "
            "criteria found; kept in 'outline'",
        )
    _tie_icd10_codes(policy, blocks)
    return policy, findings


def is_structure(block: Block) -> bool:
    return generic_is_structure(block)


PROFILE = Profile(NAME, match, find_title, read_policy, is_structure)
