"""Coverage Criteria in the BSC template: prior-authorization blocks, and per condition its
criteria tree, covered doses, coverage periods and ICD-10 codes."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from ..model import ConditionCoverage, CriteriaNode, Dose, Period, Policy
from ..outline import Node, Section
from ..phrases import (
    criteria_operator,
    link_period_to_dose,
    parse_dose,
    parse_icd10_line,
    parse_period,
)
from ..phrases.connectors import join_to_previous
from ..phrases.criteria import strip_criterion_text
from ._common import Findings, flatten_node_text, node_span, slugify

__all__ = [
    "Reader",
    "Rule",
    "close_condition",
    "criteria_node",
    "open_condition",
    "prior_auth",
    "read_criteria",
    "read_doses",
    "read_icd10",
    "read_periods",
    "start_coverage",
]


@dataclass
class Reader:
    """State while reading sections in order: the policy so far and the open condition."""

    policy: Policy
    findings: Findings
    in_coverage: bool = False
    prior_auth: bool | None = None
    condition: ConditionCoverage | None = None
    conditions: list[ConditionCoverage] = field(default_factory=list)


Rule = Callable[[Reader, Section], None]


def start_coverage(reader: Reader, section: Section) -> None:
    reader.in_coverage = True
    reader.findings.keep_unparsed(section.nodes, "Coverage Criteria")


def prior_auth(required: bool) -> Rule:
    def rule(reader: Reader, section: Section) -> None:
        close_condition(reader)
        reader.in_coverage = True
        reader.prior_auth = required
        reader.findings.keep_unparsed(section.nodes, "Coverage Criteria")

    return rule


def open_condition(reader: Reader, section: Section) -> None:
    assert section.heading is not None
    close_condition(reader)
    name = section.heading.full_text
    if reader.prior_auth is None:
        reader.findings.warn(
            "prior-authorization-unknown",
            f"condition {name!r} is not under a 'require Prior Authorization' heading",
            section.heading.span,
        )
    reader.condition = ConditionCoverage(
        id=slugify(name),
        condition=name,
        prior_authorization_required=reader.prior_auth,
        span=node_span(section.nodes, section.heading),
    )
    reader.findings.keep_unparsed(section.nodes, f"condition {name!r}")


def close_condition(reader: Reader) -> None:
    if reader.condition is not None:
        reader.conditions.append(reader.condition)
        reader.condition = None


def _current_condition(reader: Reader, section: Section) -> ConditionCoverage | None:
    """The open condition, or None after recording the section as unparsed."""
    if reader.condition is None:
        heading = section.heading.full_text if section.heading else "section"
        reader.findings.keep_unparsed(
            [Node(section.heading)] if section.heading else [], f"{heading} outside a condition"
        )
        reader.findings.keep_unparsed(section.nodes, f"{heading} outside a condition")
        return None
    _extend_span(reader.condition, section)
    return reader.condition


def _extend_span(condition: ConditionCoverage, section: Section) -> None:
    span = node_span(section.nodes, section.heading)
    if span is not None:
        condition.span = span if condition.span is None else condition.span.merge(span)


def read_criteria(reader: Reader, section: Section) -> None:
    condition = _current_condition(reader, section)
    if condition is None or section.heading is None:
        return
    items = [node for node in section.nodes if node.block.kind == "list_item"]
    others = [node for node in section.nodes if node.block.kind != "list_item"]
    reader.findings.keep_unparsed(others, f"criteria of {condition.condition!r}")
    root = Node(section.heading, children=items)
    condition.criteria = criteria_node(root, reader.findings, is_root=True)


def criteria_node(node: Node, findings: Findings, *, is_root: bool = False) -> CriteriaNode:
    """A criteria tree from an outline node: label, verbatim text, operator from its wording."""
    text = strip_criterion_text(node.block.full_text)
    operator, count = criteria_operator(text)
    if node.children and operator is None:
        findings.warn(
            "criteria-logic-unknown",
            f"criterion with sub-items does not say how they combine: {text!r}",
            node.block.span,
        )
    if not node.children and operator is not None and not is_root:
        findings.warn(
            "criteria-items-missing",
            f"criterion announces sub-items but has none: {text!r}",
            node.block.span,
        )
    has_children = bool(node.children)
    return CriteriaNode(
        label=None if is_root else node.label,
        text=text,
        operator=operator if has_children or is_root else None,
        min_count=count if has_children or is_root else None,
        children=[criteria_node(child, findings) for child in node.children],
        span=node_span(node.children, node.block),
    )


def read_doses(reader: Reader, section: Section) -> None:
    condition = _current_condition(reader, section)
    if condition is None:
        return
    for node in section.nodes:
        text = _after_connector(node, condition.doses[-1] if condition.doses else None)
        if text is None:
            continue
        dose = parse_dose(text)
        dose.span = node_span([node])
        if dose.amount is None or dose.unit is None:
            reader.findings.warn(
                "dose-unreadable",
                f"{condition.condition}: no amount and unit found in dose {dose.text!r}",
                dose.span,
            )
        condition.doses.append(dose)


def read_periods(reader: Reader, section: Section) -> None:
    condition = _current_condition(reader, section)
    if condition is None:
        return
    periods = condition.coverage_periods
    for node in section.nodes:
        text = _after_connector(node, periods[-1] if periods else None)
        if text is None:
            continue
        period = parse_period(text)
        period.span = node_span([node])
        period.dose_index = link_period_to_dose(period, condition.doses)
        if period.max_doses is None and period.duration is None:
            reader.findings.warn(
                "period-unreadable",
                f"{condition.condition}: no duration or dose count in period {period.text!r}",
                period.span,
            )
        periods.append(period)


def _after_connector(node: Node, previous: Dose | Period | None) -> str | None:
    """The node's text to parse, once a connector that joins it to ``previous`` is given to
    ``previous.joined_by`` (``join_to_previous``)."""
    return join_to_previous(flatten_node_text(node), node_span([node]), previous)


def read_icd10(reader: Reader, section: Section) -> None:
    condition = _current_condition(reader, section)
    if condition is None:
        return
    for node in section.nodes:
        codes, leftover = parse_icd10_line(flatten_node_text(node))
        for code in codes:
            code.span = node.block.span
        condition.icd10.extend(codes)
        if leftover or not codes:
            reader.findings.keep_unparsed([node], f"ICD-10 of {condition.condition!r}")
