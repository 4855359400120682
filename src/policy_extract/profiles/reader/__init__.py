"""The template-free reader: indications, criteria trees, durations, general criteria and
not-covered statements from layout and language alone, for documents no profile knows.

Building blocks other profiles may reuse: ``tree`` (criteria trees that tolerate notes and
lead-in paragraphs inside lists), ``criteria`` (operators from wording or trailing connectors),
``language`` (section roles, lead-ins, condition names), ``indications`` (the reading itself).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...blocks import Block
from ...model import ConditionCoverage, CriteriaNode, Period, Policy
from .._common import Findings, slugify
from .indications import read_indications
from .language import PRIOR_AUTH
from .reading import FoundIndication, Reading

__all__ = ["read_coverage"]

# "do NOT require" / "does not require": "not" just before a prior-authorization statement
_NEGATED = re.compile(r"\bnot\s*$", re.IGNORECASE)


def read_coverage(policy: Policy, blocks: Sequence[Block], findings: Findings) -> None:
    """Fill ``coverage``, ``general_criteria`` and ``not_covered`` of ``policy``."""
    reading = read_indications(blocks)
    statements = _prior_auth_statements(blocks)
    position = {id(block): index for index, block in enumerate(blocks)}
    used: set[str] = set()
    for found in reading.indications:
        if found.criteria is None and found.continuation is None:
            continue
        slug = _unique(slugify(found.name), used)
        policy.coverage.append(
            ConditionCoverage(
                id=slug,
                condition=found.name,
                prior_authorization_required=_prior_auth_at(
                    statements, position.get(id(found.block), len(blocks))
                ),
                criteria=found.criteria,
                continuation_criteria=found.continuation,
                coverage_periods=_coverage_periods(found, reading),
                doses=found.doses,
                icd10=found.icd10,
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


def _prior_auth_statements(blocks: Sequence[Block]) -> list[tuple[int, bool]]:
    """Where the document says prior authorization is (or is not) required: (block index,
    required). "The following conditions do NOT require prior authorization" says it is not."""
    found: list[tuple[int, bool]] = []
    for index, block in enumerate(blocks):
        text = block.full_text
        match = PRIOR_AUTH.search(text)
        if match is not None:
            found.append((index, not _NEGATED.search(text[: match.start()])))
    return found


def _prior_auth_at(statements: Sequence[tuple[int, bool]], index: int) -> bool | None:
    """What the last statement before the indication says; before any, the document's first
    statement (a policy statement on page 1, say); None where the document says nothing."""
    before = [required for at, required in statements if at <= index]
    if before:
        return before[-1]
    return statements[0][1] if statements else None


def _unique(slug: str, used: set[str]) -> str:
    candidate, n = slug, 2
    while candidate in used:
        candidate, n = f"{slug}-{n}", n + 1
    used.add(candidate)
    return candidate


def _coverage_periods(found: FoundIndication, reading: Reading) -> list[Period]:
    """The indication's own durations: a duration stated for a phase is that phase's; one
    without a phase fills each phase it has criteria for that none states ("Approve for 1
    year if ... A) Initial Therapy. Approve for 6 months": 6 months initial, 1 year
    continuation). Then the periods its "Coverage Period:" part lists, as printed; then the
    document's general durations for a phase still unstated."""
    chosen: dict[str, tuple[int, Period]] = {}
    for index, period in enumerate(found.periods):
        if period.phase is not None and period.phase not in chosen:
            chosen[period.phase] = (index, period)
    for index, period in enumerate(found.periods):
        if period.phase is not None:
            continue
        wanted = ["initial", "continuation"] if found.continuation is not None else ["initial"]
        for phase in wanted:
            if phase not in chosen:
                chosen[phase] = (index, period.model_copy(update={"phase": phase}))
    order = {"initial": 0, "continuation": 1}
    ranked = sorted(chosen.items(), key=lambda item: (item[1][0], order[item[0]]))
    periods = [period for _, (_, period) in ranked]
    periods.extend(found.listed_periods)
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
