"""The consistency checks and ``lint_policy`` / ``lint_file`` (see the package docs)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from difflib import get_close_matches
from pathlib import Path

from ..blocks import Span
from ..loaders import load_document
from ..model import CriteriaNode, Policy
from ..pipeline import run_pipeline
from .codes import (
    CODE_CHECKS,
    Check,
    Finding,
    LintContext,
    normalise_icd10,
)
from .codes import finding_at as _finding

__all__ = ["CHECKS", "lint_file", "lint_policy", "repeated_phrase"]


def lint_policy(
    policy: Policy,
    *,
    hcpcs_codes: frozenset[str] | None = None,
    source_lines: Sequence[str] | None = None,
) -> list[Finding]:
    """Every finding for ``policy``, in file order (page, line), then by path.

    ``source_lines`` (the lines spans number: ``Document.lines``) lets findings about values the
    model keeps without a span (a listed condition, the review date) name their line.
    """
    context = LintContext(policy, hcpcs_codes, source_lines)
    findings = [finding for check in CHECKS for finding in check(context)]
    return sorted(findings, key=_file_order)


def lint_file(
    path: str | Path,
    *,
    hcpcs_codes: frozenset[str] | None = None,
    pdf_engine: str | None = None,
) -> list[Finding]:
    """Extract a policy file and lint it, with its source lines; raise PolicyExtractError if the
    file cannot be read as a policy."""
    extraction = run_pipeline(load_document(Path(path), pdf_engine))
    return lint_policy(
        extraction.policy, hcpcs_codes=hcpcs_codes, source_lines=extraction.document.lines
    )


def _file_order(finding: Finding) -> tuple[bool, int, int, str, str, str]:
    # Findings with no place in the source (empty sections) come last; numbers in paths compare
    # as numbers ("coverage[10]" after "coverage[2]").
    unplaced = finding.line is None and finding.page is None
    path = re.sub(r"\d+", lambda m: m[0].zfill(6), finding.path)
    return (unplaced, finding.page or 0, finding.line or 0, path, finding.code, finding.message)


def _first_line(span: Span | None) -> Span | None:
    """A section's heading line: where a finding about the whole section points."""
    if span is None or span.line_start is None:
        return span
    return Span(page=span.page, line_start=span.line_start, line_end=span.line_start)


_MARKUP = re.compile(r"^\s*(?:[-*+•]|\d+[.)])?\s*|[*_]+")


def _locate(context: LintContext, text: str, *, after: int = 0, whole: bool = True) -> Span | None:
    """The first source line after line ``after`` that reads ``text`` (``whole``) or holds it."""
    if context.source_lines is None:
        return None
    wanted = _normal_name(text)
    for number, line in enumerate(context.source_lines, start=1):
        found = _normal_name(_MARKUP.sub("", line))
        if number > after and (found == wanted if whole else wanted in found):
            return Span(line_start=number, line_end=number)
    return None


# --- Consistency -------------------------------------------------------------------------------


def _normal_name(name: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", name.casefold()).split())


def _did_you_mean(name: str, candidates: Sequence[str]) -> str:
    by_normal = {_normal_name(c): c for c in candidates}
    close = get_close_matches(_normal_name(name), list(by_normal), n=1, cutoff=0.6)
    return f"did you mean {by_normal[close[0]]!r}?" if close else ""


def check_listed_conditions_covered(context: LintContext) -> Iterator[Finding]:
    """Every listed condition has a coverage section."""
    policy = context.policy
    covered = [c.condition for c in policy.coverage]
    normal = {_normal_name(c) for c in covered}
    for i, condition in enumerate(policy.conditions_listed):
        if _normal_name(condition) not in normal:
            message = f"listed condition {condition!r} has no coverage section"
            hint = _did_you_mean(condition, covered) or "add its coverage criteria, or unlist it"
            span = _locate(context, condition)
            path = f"conditions_listed[{i}]"
            yield _finding("error", "condition-not-covered", message, hint, path, span)
    if not policy.conditions_listed and policy.coverage:
        message = 'no "Condition(s) listed in policy" entries'
        hint = "list every condition the coverage criteria cover"
        path = "conditions_listed"
        yield _finding("warning", "conditions-listed-empty", message, hint, path, None)


def check_coverage_listed(context: LintContext) -> Iterator[Finding]:
    """Every coverage section is for a listed condition."""
    listed = context.policy.conditions_listed
    normal = {_normal_name(c) for c in listed}
    for i, coverage in enumerate(context.policy.coverage):
        if listed and _normal_name(coverage.condition) not in normal:
            message = f"coverage section {coverage.condition!r} is not a listed condition"
            hint = _did_you_mean(coverage.condition, listed) or "add it to the listed conditions"
            path, span = f"coverage[{i}].condition", _first_line(coverage.span)
            yield _finding("error", "condition-not-listed", message, hint, path, span)


def check_criteria_present(context: LintContext) -> Iterator[Finding]:
    """Every condition has criteria, and a lead-in ("all the following") has items under it."""
    for i, coverage in enumerate(context.policy.coverage):
        criteria = coverage.criteria
        if criteria is None:
            message = f"{coverage.condition!r} has no medical-necessity criteria"
            span = _first_line(coverage.span)
        elif criteria.operator is not None and not criteria.children:
            message = f"{coverage.condition!r}: {criteria.text!r} has no criteria under it"
            span = criteria.span
        else:
            continue
        hint = 'add "Meets medical necessity if all the following are met:" and its items'
        yield _finding("error", "criteria-missing", message, hint, f"coverage[{i}]", span)


def _coverage_part_check(field: str, code: str, what: str) -> Check:
    def check(context: LintContext) -> Iterator[Finding]:
        for i, coverage in enumerate(context.policy.coverage):
            if not getattr(coverage, field):
                message = f"{coverage.condition!r} has no {what}"
                hint = f"add the {what} section, or say why there is none"
                span = _first_line(coverage.span)
                yield _finding("warning", code, message, hint, f"coverage[{i}].{field}", span)

    check.__name__ = f"check_{field}_present"
    check.__doc__ = f"Every condition has {what}."
    return check


check_doses_present = _coverage_part_check("doses", "doses-missing", "covered doses")
check_periods_present = _coverage_part_check(
    "coverage_periods", "periods-missing", "coverage period"
)
check_icd10_present = _coverage_part_check("icd10", "icd10-missing", "ICD-10 codes")


def check_dose_units(context: LintContext) -> Iterator[Finding]:
    """Every dose has an amount and a unit."""
    for c, coverage in enumerate(context.policy.coverage):
        for d, dose in enumerate(coverage.doses):
            if dose.amount is None or dose.unit is None:
                missing = "amount or unit" if dose.amount is None else "unit"
                message = f"dose {dose.text!r} has no {missing} the extractor could read"
                hint = 'write the dose as "<amount> <unit> ...", e.g. "15 mg/kg given ..."'
                path = f"coverage[{c}].doses[{d}]"
                yield _finding("error", "dose-unit-missing", message, hint, path, dose.span)


def check_periods_readable(context: LintContext) -> Iterator[Finding]:
    """Every coverage period says how many doses or for how long."""
    for c, coverage in enumerate(context.policy.coverage):
        for p, period in enumerate(coverage.coverage_periods):
            if period.max_doses is None and period.duration is None:
                message = f"period {period.text!r} gives neither a number of doses nor a duration"
                hint = 'write e.g. "To allow for up to 21 doses" or "Up to 44 days"'
                path = f"coverage[{c}].coverage_periods[{p}]"
                yield _finding("warning", "period-unreadable", message, hint, path, period.span)


_WORD = re.compile(r"[a-z0-9]+(?:[-'][a-z0-9]+)*")
_FILLER = {"a", "all", "an", "and", "any", "as", "at", "be", "by", "for", "following", "in"}
_FILLER |= {"is", "not", "of", "on", "one", "or", "the", "to", "with"}


def repeated_phrase(text: str, min_words: int = 3) -> str | None:
    """The longest run of ``min_words`` or more words said twice (not overlapping) in ``text``.

    Runs of filler words only ("all of the") do not count.
    """
    words = _WORD.findall(text.casefold())
    for size in range(len(words) // 2, min_words - 1, -1):
        first_seen: dict[tuple[str, ...], int] = {}
        for start in range(len(words) - size + 1):
            run = tuple(words[start : start + size])
            repeated = run in first_seen and start >= first_seen[run] + size
            if repeated and not set(run) <= _FILLER:
                return " ".join(run)
            first_seen.setdefault(run, start)
    return None


def _criteria_nodes(node: CriteriaNode, path: str) -> Iterator[tuple[str, CriteriaNode]]:
    yield path, node
    for i, child in enumerate(node.children):
        yield from _criteria_nodes(child, f"{path}.children[{i}]")


def _every_criterion(policy: Policy) -> Iterator[tuple[str, CriteriaNode]]:
    """(JSON path, node) of every criteria node of every condition, in document order."""
    for c, coverage in enumerate(policy.coverage):
        if coverage.criteria is not None:
            yield from _criteria_nodes(coverage.criteria, f"coverage[{c}].criteria")


def check_criteria_repeated_phrase(context: LintContext) -> Iterator[Finding]:
    """A phrase said twice inside one criterion is usually a copy-and-paste slip."""
    for path, node in _every_criterion(context.policy):
        phrase = repeated_phrase(node.text)
        if phrase:
            message = f"{phrase!r} appears twice in this criterion"
            hint = "delete the repeated words"
            yield _finding("warning", "criterion-repeated-phrase", message, hint, path, node.span)


def check_at_least_reachable(context: LintContext) -> Iterator[Finding]:
    """An "at least N of the following" needs N sub-criteria to choose from."""
    for path, node in _every_criterion(context.policy):
        if node.operator == "at_least" and (node.min_count or 0) > len(node.children):
            message = f"asks for at least {node.min_count} of {len(node.children)} sub-criteria"
            hint = "add the missing sub-criteria or lower the count"
            yield _finding("error", "criteria-count-unreachable", message, hint, path, node.span)


def check_icd10_duplicates(context: LintContext) -> Iterator[Finding]:
    """The same ICD-10 code listed twice for one condition."""
    for c, coverage in enumerate(context.policy.coverage):
        seen: set[str] = set()
        for i, entry in enumerate(coverage.icd10):
            key = normalise_icd10(entry.code)
            if key in seen:
                message = f"{entry.code!r} is listed more than once for {coverage.condition!r}"
                path = f"coverage[{c}].icd10[{i}]"
                yield _finding(
                    "warning", "icd10-duplicate", message, "remove the repeat", path, entry.span
                )
            seen.add(key)


def _reads_template_fields(policy: Policy) -> bool:
    # The generic profile fills only title, references, review date and outline: an empty
    # field there says nothing about the document.
    return policy.source is None or policy.source.profile != "generic"


def _empty_list_check(field: str, code: str, section: str, *, template_only: bool = True) -> Check:
    def check(context: LintContext) -> Iterator[Finding]:
        if template_only and not _reads_template_fields(context.policy):
            return
        owner, _, name = field.rpartition(".")
        if not getattr(getattr(context.policy, owner) if owner else context.policy, name):
            message = f"the {section} section is missing or empty"
            yield _finding("warning", code, message, f"add the {section} entries", field, None)

    check.__name__ = f"check_{field.replace('.', '_')}_present"
    check.__doc__ = f"The policy has {section} entries."
    return check


check_places_of_service = _empty_list_check(
    "places_of_service", "places-of-service-empty", "Place of Service"
)
check_hcpcs_present = _empty_list_check("drug_details.hcpcs", "hcpcs-missing", "HCPCS")
check_how_supplied = _empty_list_check(
    "drug_details.how_supplied", "how-supplied-empty", "How Supplied"
)
check_references_present = _empty_list_check(
    "references", "references-empty", "References", template_only=False
)


def check_reference_numbers(context: LintContext) -> Iterator[Finding]:
    """References are numbered 1, 2, 3, ... with no gaps and no number used twice."""
    seen: dict[int, int] = {}
    previous = 0
    for i, reference in enumerate(context.policy.references):
        number, path, span = reference.number, f"references[{i}]", reference.span
        if number is None:
            continue
        if number in seen:
            message = f"reference number {number} is used twice (also references[{seen[number]}])"
            yield _finding("warning", "reference-number-duplicate", message, "renumber", path, span)
        elif number != previous + 1:
            message = f"reference {number} follows {previous or 'the start'}"
            if number > previous + 1:
                missing = ", ".join(str(n) for n in range(previous + 1, number))
                message += f": {missing} missing"
            yield _finding("warning", "reference-number-gap", message, "renumber", path, span)
        seen.setdefault(number, i)
        previous = max(previous, number)


_REVIEW_DATE = re.compile(r"^[1-4]Q\d{4}$")


def check_review_date(context: LintContext) -> Iterator[Finding]:
    """The last annual review reads ``<quarter>Q<year>``, e.g. ``3Q2025``."""
    history = context.policy.review_history
    date = history.last_annual_review
    if not _reads_template_fields(context.policy) or (date and _REVIEW_DATE.match(date)):
        return
    after = (history.span.line_start or 1) - 1 if history.span else 0
    span = _locate(context, date, after=after, whole=False) if date else None
    message = f"review date {date!r} is not in the form 3Q2025" if date else "no review date"
    hint = 'write "Date of Last Annual Review: <quarter>Q<year>", e.g. 3Q2025'
    path = "review_history.last_annual_review"
    yield _finding("warning", "review-date-format", message, hint, path, span or history.span)


def check_unparsed(context: LintContext) -> Iterator[Finding]:
    """Content no field claimed: each item is a warning (``verify`` fails on it)."""
    for i, item in enumerate(context.policy.unparsed):
        text = item.text if len(item.text) <= 80 else item.text[:79] + "…"
        message = f"content not recognised: {text!r}"
        hint = "move it under the section it belongs to, or fix its wording"
        yield _finding("warning", "unparsed-content", message, hint, f"unparsed[{i}]", item.span)


CHECKS: list[Check] = [
    *CODE_CHECKS,
    check_hcpcs_present,
    check_listed_conditions_covered,
    check_coverage_listed,
    check_criteria_present,
    check_doses_present,
    check_periods_present,
    check_icd10_present,
    check_dose_units,
    check_periods_readable,
    check_criteria_repeated_phrase,
    check_at_least_reachable,
    check_icd10_duplicates,
    check_places_of_service,
    check_references_present,
    check_how_supplied,
    check_reference_numbers,
    check_review_date,
    check_unparsed,
]
"""Every check, in the order run; ``lint_policy`` sorts what they find into file order."""
