"""The template-free reader: indications, criteria trees, durations, general criteria and
not-covered statements from layout and language alone, for documents no profile knows.

Building blocks other profiles may reuse: ``tree`` (criteria trees that tolerate notes and
lead-in paragraphs inside lists), ``criteria`` (operators from wording or trailing connectors),
``language`` (section roles, lead-ins, condition names), ``indications`` (the reading itself).
"""

from __future__ import annotations

from collections.abc import Sequence

from ...blocks import Block
from ...model import ConditionCoverage, CriteriaNode, Period, Policy
from .._common import Findings, slugify
from .indications import FoundIndication, Reading, read_indications
from .language import PRIOR_AUTH

__all__ = ["read_coverage"]


def read_coverage(policy: Policy, blocks: Sequence[Block], findings: Findings) -> None:
    """Fill ``coverage``, ``general_criteria`` and ``not_covered`` of ``policy``."""
    reading = read_indications(blocks)
    prior_auth = True if any(PRIOR_AUTH.search(b.full_text) for b in blocks) else None
    used: set[str] = set()
    for found in reading.indications:
        if found.criteria is None and found.continuation is None:
            continue
        slug = _unique(slugify(found.name), used)
        policy.coverage.append(
            ConditionCoverage(
                id=slug,
                condition=found.name,
                prior_authorization_required=prior_auth,
                criteria=found.criteria,
                continuation_criteria=found.continuation,
                coverage_periods=_coverage_periods(found, reading),
                span=found.block.span,
            )
        )
    policy.general_criteria = _general(reading.general)
    policy.not_covered = reading.not_covered
    if not policy.coverage:
        findings.warn(
            "no-indications-found",
            "no indication with criteria was recognised; the document is kept in 'outline'",
        )


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    used.add(candidate)
    return candidate


def _coverage_periods(found: FoundIndication, reading: Reading) -> list[Period]:
    """The indication's own durations; a duration without a phase covers both phases it has
    criteria for; the document's general durations fill a phase the indication does not state."""
    periods: list[Period] = []
    for period in found.periods:
        phases = [p.phase for p in periods]
        if period.phase is None:
            if "initial" not in phases:
                periods.append(period.model_copy(update={"phase": "initial"}))
            if found.continuation is not None and "continuation" not in phases:
                periods.append(period.model_copy(update={"phase": "continuation"}))
        elif period.phase not in phases:
            periods.append(period)
    for period in reading.document_periods:
        if period.phase not in [p.phase for p in periods]:
            periods.append(period)
    return periods


def _general(nodes: list[CriteriaNode]) -> CriteriaNode | None:
    if len(nodes) <= 1:
        return nodes[0] if nodes else None
    return CriteriaNode(
        text=nodes[0].text,
        operator=nodes[0].operator,
        min_count=nodes[0].min_count,
        children=[*nodes[0].children, *nodes[1:]],
        span=nodes[0].span,
    )
