"""The Coverage Rationale of the UnitedHealthcare template: general requirements, the
diagnosis-specific requirements (conditions with criteria), and the unproven lists.

Diagnosis-Specific Requirements list, per product, the conditions it "is proven in the treatment
of". Only a condition followed by criteria of its own ("Myobloc is medically necessary for the
treatment of X when all of the following criteria are met:", "... when the following criterion is
met:") becomes a coverage entry; every listed condition is kept on its product
(``Product.conditions``), so the plain lists do not inflate coverage. A criteria block split into
"For initial therapy" and "For continuation of therapy" gives ``criteria`` and
``continuation_criteria``; its "Initial authorization / Reauthorization will be for no more than
12 months" lines become ``coverage_periods`` rather than criteria.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..blocks import Block
from ..model import ConditionCoverage, CriteriaNode, Period, Statement
from ..outline import Node
from ..phrases.approval import Phase, is_duration_statement, parse_approval
from ..phrases.criteria import criteria_operator, strip_criterion_text
from ._common import Findings, node_span, slugify
from .uhc_layout import nest_by_position, text_position

__all__ = [
    "ProductConditions",
    "RationaleReading",
    "read_rationale",
]

_GENERAL = re.compile(r"^\s*general\s+requirements\b", re.IGNORECASE)
_DIAGNOSIS = re.compile(r"^\s*diagnosis[-\s]specific\s+requirements\b", re.IGNORECASE)
_UNPROVEN = re.compile(r"^\s*unproven\b(?:\s+and\s+not\s+medically\s+necessary)?\s*:?\s*$", re.I)
_PRODUCT_LEAD = re.compile(
    r"^(?P<product>.+?)\s+(?:is|are)\s+proven\s+(?:and\s+medically\s+necessary\s+)?"
    r"(?:in|for)\s+the\s+treatment\s+of\s+the\s+following\s+conditions?\s*:?\s*$",
    re.IGNORECASE,
)
_CRITERIA_LEAD = re.compile(
    r"\b(?:proven|medically\s+necessary)\b.*\bcriteri(?:a|on)\b.*:\s*$", re.IGNORECASE
)
_SINGLE_CRITERION = re.compile(r"\bcriterion\s+is\s+met\b", re.IGNORECASE)
_ADDITIONAL_INFO = re.compile(r"^\s*additional\s+information\b.*:\s*$", re.IGNORECASE)
_CONDITION_IN_LEAD = re.compile(
    r"\b(?:treatment|prophylaxis|prevention|management)\s+of\s+(?P<condition>.+?)\s+"
    r"(?:when|in\s+(?:patients|members|individuals)|for\s+(?:patients|members)|who)\b",
    re.IGNORECASE,
)
_PHASE_LEAD = re.compile(
    r"^\s*for\s+(?:the\s+)?(?:(?P<initial>initial)|(?P<continuation>continuation|continued"
    r"|re-?authori[sz]ation|renewal))\b",
    re.IGNORECASE,
)
# A bullet that only states how long an authorization lasts is a period, not a criterion.
_NOT_COVERED = re.compile(r"\bunproven\b|\bnot\s+medically\s+necessary\b", re.IGNORECASE)


@dataclass(slots=True)
class ProductConditions:
    """A "<product> is proven in the treatment of the following conditions:" list."""

    product: str
    lead: Block
    conditions: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class RationaleReading:
    general_criteria: CriteriaNode | None = None
    coverage: list[ConditionCoverage] = field(default_factory=list)
    product_conditions: list[ProductConditions] = field(default_factory=list)
    not_covered: list[Statement] = field(default_factory=list)


def read_rationale(blocks: Sequence[Block], findings: Findings) -> RationaleReading:
    """Read the Coverage Rationale blocks (its heading excluded, up to the next section)."""
    reading = RationaleReading()
    general = _find(blocks, _GENERAL)
    diagnosis = _find(blocks, _DIAGNOSIS)
    unproven = _find(blocks, _UNPROVEN)
    end = unproven if unproven is not None else len(blocks)
    if general is not None:
        stop = diagnosis if diagnosis is not None else _first_lead(blocks, general + 1, end)
        reading.general_criteria = _general_criteria(blocks[general], blocks[general + 1 : stop])
    start = diagnosis if diagnosis is not None else general if general is not None else -1
    _read_diagnosis_specific(reading, blocks[start + 1 : end], findings)
    if unproven is not None:
        reading.not_covered = _not_covered(blocks[unproven + 1 :])
    if not reading.coverage:
        findings.warn(
            "section-not-read",
            "Coverage Rationale: no condition with criteria of its own was found",
        )
    return reading


def _find(blocks: Sequence[Block], pattern: re.Pattern[str]) -> int | None:
    return next((i for i, b in enumerate(blocks) if pattern.match(b.full_text)), None)


def _first_lead(blocks: Sequence[Block], start: int, end: int) -> int:
    for index in range(start, end):
        text = blocks[index].full_text
        if _PRODUCT_LEAD.match(text) or _CRITERIA_LEAD.search(text):
            return index
    return end


def _positioned(blocks: Sequence[Block]) -> list[tuple[float, Block]]:
    return [(text_position(block), block) for block in blocks]


def to_criteria(
    node: Node, periods: list[Period] | None = None, phase: Phase | None = None
) -> CriteriaNode:
    """A criteria tree from an outline node; duration-only items go to ``periods``."""
    children = []
    for child in node.children:
        text = child.block.full_text
        period = parse_approval(text, phase) if is_duration_statement(text) else None
        if period is not None and not child.children and periods is not None:
            period.span = child.block.span
            periods.append(period)
            continue
        children.append(to_criteria(child, periods, phase))
    operator, count = criteria_operator(node.block.full_text) if children else (None, None)
    return CriteriaNode(
        text=strip_criterion_text(node.block.full_text),
        operator=operator,
        min_count=count,
        children=children,
        span=node_span([node]),
    )


def _general_criteria(heading: Block, blocks: Sequence[Block]) -> CriteriaNode | None:
    nodes = nest_by_position(_positioned(blocks))
    if not nodes:
        return None
    if len(nodes) == 1:
        return to_criteria(nodes[0])
    root = to_criteria(Node(heading, children=nodes))
    return root.model_copy(update={"span": node_span(nodes, heading)})


def _read_diagnosis_specific(
    reading: RationaleReading, blocks: Sequence[Block], findings: Findings
) -> None:
    group: ProductConditions | None = None
    condition: Block | None = None
    index = 0
    while index < len(blocks):
        block = blocks[index]
        text = block.full_text
        product = _PRODUCT_LEAD.match(text)
        if product:
            group = ProductConditions(product.group("product").strip(), block)
            reading.product_conditions.append(group)
            condition = None
        elif _CRITERIA_LEAD.search(text):
            end = _criteria_end(blocks, index)
            entry = _coverage_entry(condition, block, blocks[index + 1 : end], group, findings)
            if entry is not None:
                reading.coverage.append(_unique_id(entry, reading.coverage, group))
            condition = None
            index = end
            continue
        elif not _ADDITIONAL_INFO.match(text) and group is not None:
            group.conditions.append(block)
            condition = block
        index += 1


def _criteria_end(blocks: Sequence[Block], lead_index: int) -> int:
    """Index after the lead's items: those right of the lead; with "the following criterion is
    met" exactly one item (and its sub-items); a bold line at the items' level is the next
    condition's name."""
    lead = blocks[lead_index]
    lead_x = text_position(lead)
    single = bool(_SINGLE_CRITERION.search(lead.full_text))
    first_x: float | None = None
    index = lead_index + 1
    while index < len(blocks):
        block = blocks[index]
        x, text = text_position(block), block.full_text
        if x <= lead_x + 0.5 or _PRODUCT_LEAD.match(text) or _CRITERIA_LEAD.search(text):
            break
        if _ADDITIONAL_INFO.match(text):
            break
        if first_x is not None and x <= first_x + 0.5 and (single or block.bold):
            break
        first_x = x if first_x is None else first_x
        index += 1
    return index


def _coverage_entry(
    condition: Block | None,
    lead: Block,
    items: Sequence[Block],
    group: ProductConditions | None,
    findings: Findings,
) -> ConditionCoverage | None:
    name = _condition_name(condition, lead)
    if name is None:
        findings.warn(
            "section-not-read",
            f"Diagnosis-Specific Requirements: criteria without a condition name "
            f"({lead.span.describe()})",
            lead.span,
        )
        return None
    nodes = nest_by_position(_positioned(items))
    periods: list[Period] = []
    initial = next((n for n in nodes if _phase(n) == "initial"), None)
    continuation = next((n for n in nodes if _phase(n) == "continuation"), None)
    if initial is None:
        criteria = to_criteria(Node(lead, children=nodes), periods, "initial")
    else:
        criteria = to_criteria(initial, periods, "initial")
    continuation_criteria = None
    if continuation is not None:
        tree = to_criteria(continuation, periods, "continuation")
        continuation_criteria = tree if tree.children else None
    span = node_span(nodes, condition if condition is not None else lead)
    return ConditionCoverage(
        id=slugify(name),
        condition=name,
        criteria=criteria,
        continuation_criteria=continuation_criteria,
        coverage_periods=periods,
        span=span.merge(lead.span) if span is not None else lead.span,
    )


def _condition_name(condition: Block | None, lead: Block) -> str | None:
    if condition is not None:
        return condition.full_text.strip()
    match = _CONDITION_IN_LEAD.search(lead.full_text)
    return match.group("condition").strip() if match else None


def _phase(node: Node) -> Phase | None:
    match = _PHASE_LEAD.match(node.block.full_text)
    if match is None:
        return None
    return "initial" if match.group("initial") else "continuation"


def _unique_id(
    entry: ConditionCoverage, earlier: Sequence[ConditionCoverage], group: ProductConditions | None
) -> ConditionCoverage:
    """The same condition with criteria under two products gets the product in its id."""
    if group is not None and any(other.id == entry.id for other in earlier):
        entry.id = f"{entry.id}-{slugify(group.product)}"
    return entry


def _not_covered(blocks: Sequence[Block]) -> list[Statement]:
    """Unproven statements verbatim; a list after "... the following conditions:" gives one
    statement per item (two-column lists come as rows of cells joined by " | ")."""
    statements: list[Statement] = []
    in_list = False
    for block in blocks:
        text = block.full_text.strip()
        if _NOT_COVERED.search(text):
            in_list = text.endswith(":")
            if not in_list:
                statements.append(Statement(text=text, span=block.span))
            continue
        if in_list:
            for cell in text.split(" | "):
                if cell.strip():
                    statements.append(Statement(text=cell.strip(), span=block.span))
    return statements
