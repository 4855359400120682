"""The Blue Shield of California medical-benefit drug policy template.

The template is a sequence of bold section headings (Place of Service, Drug Details, Condition(s)
listed in policy, Special Instructions, Coverage Criteria with one block per condition, References,
Review History). Each heading is matched by a rule in ``SECTION_RULES``; a heading no rule claims
inside Coverage Criteria names a condition. Anything else goes to ``unparsed`` with a warning.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from ..blocks import Block, Furniture
from ..model import (
    Policy,
    Reference,
)
from ..outline import Node, Section, build_sections
from ..phrases import (
    parse_hcpcs_line,
)
from ._common import Findings, find_urls, flatten_node_text, node_span, parse_drug_names
from ._fields import read_front_matter
from .base import NO_MATCH, Match, Profile
from .bsc_coverage import (
    Reader,
    Rule,
    close_condition,
    open_condition,
    prior_auth,
    read_criteria,
    read_doses,
    read_icd10,
    read_periods,
    start_coverage,
)

__all__ = [
    "FOOTER_PATTERNS",
    "NAME",
    "PROFILE",
    "find_title",
    "is_structure",
    "match",
    "read_policy",
]

NAME = "bsc"
FOOTER_PATTERNS = (
    re.compile(r"^\s*(?P<payer>.+?)\s+Medication Policy to Determine Medical Necessity\s*$", re.I),
    re.compile(r"^\s*Reviewed by P&T Committee\s*$", re.I),
)


def _heading(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{pattern}\s*:?\s*$", re.IGNORECASE)


PLACE_OF_SERVICE = _heading(r"places?\s+of\s+service")
DRUG_DETAILS = _heading(r"drug\s+details")
HCPCS = _heading(r"hcpcs(?:\s+codes?)?")
HOW_SUPPLIED = _heading(r"how\s+supplied")
CONDITIONS_LISTED = _heading(r"conditions?(?:\(s\))?\s+listed\s+in\s+(?:this\s+)?policy.*")
SPECIAL_INSTRUCTIONS = _heading(r"special\s+instructions.*")
COVERAGE_CRITERIA = _heading(r"coverage\s+criteria")
PA_NOT_REQUIRED = _heading(
    r"the\s+following\s+conditions?(?:\(s\))?\s+(?:do|does)\s+not\s+require.*"
)
PA_REQUIRED = _heading(r"the\s+following\s+conditions?(?:\(s\))?\s+requires?\s+prior.*")
CRITERIA_INTRO = _heading(r"meets\s+medical\s+necessity.*")
DOSES = _heading(r"covered\s+doses?")
PERIODS = _heading(r"coverage\s+periods?")
ICD10 = _heading(r"icd-?10(?:-cm)?(?:\s+codes?)?")
REFERENCES = _heading(r"references")
REVIEW_HISTORY = _heading(r"review\s+history")
_LABELLED = re.compile(r"^(?P<label>[A-Z][\w ()/-]{1,40}:)\s+(?P<rest>\S.*)$")
_LAST_REVIEW = re.compile(
    r"last\s+annual\s+review\s*:?\s*(?P<date>.+?)\s*(?P<changes>\bchanges\s+from\s+previous.*)?$",
    re.IGNORECASE,
)
_CHANGES = re.compile(r"^changes\s+from\s+previous", re.IGNORECASE)

_KNOWN_HEADINGS = (
    PLACE_OF_SERVICE, DRUG_DETAILS, HCPCS, HOW_SUPPLIED, CONDITIONS_LISTED, SPECIAL_INSTRUCTIONS,
    COVERAGE_CRITERIA, PA_NOT_REQUIRED, PA_REQUIRED, CRITERIA_INTRO, DOSES, PERIODS, ICD10,
    REFERENCES, REVIEW_HISTORY,
)  # fmt: skip
_SIGNATURE = (CONDITIONS_LISTED, COVERAGE_CRITERIA, CRITERIA_INTRO, DOSES, PERIODS, ICD10)


def match(blocks: Sequence[Block]) -> Match:
    """Most signature headings present: the score is the share found (at least 4 of 6)."""
    found: dict[str, str] = {}
    for block in blocks:
        text = block.full_text
        for pattern in _SIGNATURE:
            if pattern.pattern not in found and pattern.match(text):
                found[pattern.pattern] = f"heading {text.strip()!r}"
        if len(found) == len(_SIGNATURE):
            break
    if len(found) < 4:
        return NO_MATCH
    return Match(len(found) / len(_SIGNATURE), tuple(found.values()))


def find_title(blocks: Sequence[Block]) -> str | None:
    """The first block's text: the template opens with the policy title."""
    return blocks[0].full_text if blocks else None


def read_policy(blocks: Sequence[Block], furniture: Sequence[Furniture]) -> tuple[Policy, Findings]:
    """Fill a Policy from the content blocks of a BSC-template document."""
    reader = Reader(policy=Policy(), findings=Findings())
    sections = build_sections(promote_headings(blocks))
    opening, sections = _split_opening(sections)
    _read_opening(reader, opening)
    for section in sections:
        _dispatch(reader, section)
    close_condition(reader)
    reader.policy.coverage = reader.conditions
    reader.policy.payer = _payer_from_footer(furniture)
    read_front_matter(reader.policy, blocks, icd10=False)
    _warn_missing(reader)
    return reader.policy, reader.findings


def promote_headings(blocks: Sequence[Block]) -> list[Block]:
    """Mark as headings the lines a source without bold cannot mark.

    Known section names are always headings. When the source marks no headings at all (plain
    text), the opening lines before the first section (title, policy type) and a line standing
    right before a criteria or doses heading (a condition name) are headings too.
    """
    unmarked = not any(block.kind == "heading" for block in blocks)
    result = list(blocks)
    seen_section = False
    for index, block in enumerate(result):
        known = _is_known(block)
        promote = known or (unmarked and (not seen_section or _names_next(result, index)))
        if block.kind == "paragraph" and not block.label and promote:
            result[index] = Block("heading", block.text, block.span, bold=block.bold)
        seen_section = seen_section or known
    return result


def _names_next(blocks: Sequence[Block], index: int) -> bool:
    if index + 1 >= len(blocks):
        return False
    following = blocks[index + 1].full_text
    return bool(CRITERIA_INTRO.match(following) or DOSES.match(following))


def is_structure(block: Block) -> bool:
    """A section heading this profile reads (its content goes to fields, the heading itself
    is structure)."""
    return _is_known(block) or bool(_CHANGES.match(block.full_text))


def _is_known(block: Block) -> bool:
    return _is_known_heading(block.full_text)


@lru_cache(maxsize=4096)
def _is_known_heading(text: str) -> bool:
    """Asked of every block several times per document (a pure function of the text)."""
    return any(p.match(text) for p in _KNOWN_HEADINGS)


def _split_opening(sections: list[Section]) -> tuple[list[Section], list[Section]]:
    for index, section in enumerate(sections):
        if section.heading is not None and _is_known(section.heading):
            return sections[:index], sections[index:]
    return sections, []


def _read_opening(reader: Reader, opening: Sequence[Section]) -> None:
    headings = [s.heading for s in opening if s.heading is not None]
    if headings:
        reader.policy.title = headings[0].full_text
        reader.policy.drug = parse_drug_names(headings[0].full_text)
    if len(headings) > 1:
        reader.policy.policy_type = headings[1].full_text
    for extra in headings[2:]:
        reader.findings.keep_unparsed_block(extra, "opening")
    for section in opening:
        reader.findings.keep_unparsed(section.nodes, "opening")


def _dispatch(reader: Reader, section: Section) -> None:
    assert section.heading is not None
    heading = section.heading.full_text
    for pattern, rule in SECTION_RULES:
        if pattern.match(heading):
            rule(reader, section)
            return
    if reader.in_coverage:
        open_condition(reader, section)
    else:
        reader.findings.keep_unparsed([Node(section.heading), *section.nodes], "unknown section")


def _nodes_text(section: Section) -> list[str]:
    return [flatten_node_text(node) for node in section.nodes]


def _read_places(reader: Reader, section: Section) -> None:
    reader.policy.places_of_service = _nodes_text(section)


def _read_drug_details(reader: Reader, section: Section) -> None:
    details = reader.policy.drug_details
    for node in section.nodes:
        label, value = _label_and_value(node.block)
        key = (label or "").lower()
        if key.startswith("usp category"):
            details.usp_category = value
        elif key.startswith("mechanism of action"):
            details.mechanism_of_action = value
        elif HCPCS.match(label or ""):
            _add_hcpcs(reader, node.block, value)
        else:
            reader.findings.keep_unparsed([node], "Drug Details")


def _label_and_value(block: Block) -> tuple[str | None, str]:
    if block.label:
        return block.label.rstrip(":").strip() + ":", block.text
    match = _LABELLED.match(block.text)
    if match:
        return match.group("label"), match.group("rest")
    return None, block.text


def _read_hcpcs(reader: Reader, section: Section) -> None:
    for node in section.nodes:
        _add_hcpcs(reader, node.block, flatten_node_text(node))


def _add_hcpcs(reader: Reader, block: Block, text: str) -> None:
    code = parse_hcpcs_line(text)
    if code is None:
        reader.findings.keep_unparsed_block(block, "HCPCS")
        return
    code.span = block.span
    reader.policy.drug_details.hcpcs.append(code)


def _read_how_supplied(reader: Reader, section: Section) -> None:
    reader.policy.drug_details.how_supplied.extend(_nodes_text(section))


def _read_conditions_listed(reader: Reader, section: Section) -> None:
    for node in section.nodes:
        if node.block.kind == "list_item":
            reader.policy.conditions_listed.append(flatten_node_text(node))
        elif re.search(r"\bnot\s+listed\b", node.block.text, re.I) and (
            reader.policy.unlisted_condition_policy is None
        ):
            reader.policy.unlisted_condition_policy = node.block.full_text
        else:
            reader.findings.keep_unparsed([node], "Condition(s) listed in policy")


def _read_special_instructions(reader: Reader, section: Section) -> None:
    reader.policy.special_instructions.extend(_nodes_text(section))


def _read_references(reader: Reader, section: Section) -> None:
    close_condition(reader)
    reader.in_coverage = False
    for node in section.nodes:
        label = node.label
        urls = find_urls(node.block)
        reader.policy.references.append(
            Reference(
                number=int(label) if label and label.isdigit() else None,
                text=flatten_node_text(node),
                url=urls[0] if urls else None,
                span=node_span([node]),
            )
        )


def _read_review_history(reader: Reader, section: Section) -> None:
    close_condition(reader)
    reader.in_coverage = False
    history = reader.policy.review_history
    history.span = node_span(section.nodes, section.heading)
    in_changes = False
    for node in section.nodes:
        text = flatten_node_text(node)
        last_review = _LAST_REVIEW.search(text) if node.block.kind == "paragraph" else None
        if last_review and history.last_annual_review is None:
            history.last_annual_review = last_review.group("date").strip()
            in_changes = last_review.group("changes") is not None  # one line holds both labels
        elif _CHANGES.match(text):
            in_changes = True
        elif in_changes:
            history.changes.append(text)
        else:
            reader.findings.keep_unparsed([node], "Review History")


def _payer_from_footer(furniture: Sequence[Furniture]) -> str | None:
    for item in furniture:
        match = FOOTER_PATTERNS[0].match(item.text)
        if match:
            return match.group("payer").strip()
    return None


def _warn_missing(reader: Reader) -> None:
    policy = reader.policy
    expected = {
        "Place of Service": bool(policy.places_of_service),
        "Condition(s) listed in policy": bool(policy.conditions_listed),
        "Coverage Criteria": bool(policy.coverage),
        "References": bool(policy.references),
        "Review History": policy.review_history.last_annual_review is not None,
    }
    for name, present in expected.items():
        if not present:
            reader.findings.warn("missing-section", f"section {name!r} not found or empty")


SECTION_RULES: list[tuple[re.Pattern[str], Rule]] = [
    (PLACE_OF_SERVICE, _read_places),
    (DRUG_DETAILS, _read_drug_details),
    (HCPCS, _read_hcpcs),
    (HOW_SUPPLIED, _read_how_supplied),
    (CONDITIONS_LISTED, _read_conditions_listed),
    (SPECIAL_INSTRUCTIONS, _read_special_instructions),
    (COVERAGE_CRITERIA, start_coverage),
    (PA_NOT_REQUIRED, prior_auth(False)),
    (PA_REQUIRED, prior_auth(True)),
    (CRITERIA_INTRO, read_criteria),
    (DOSES, read_doses),
    (PERIODS, read_periods),
    (ICD10, read_icd10),
    (REFERENCES, _read_references),
    (REVIEW_HISTORY, _read_review_history),
]


PROFILE = Profile(NAME, match, find_title, read_policy, is_structure, FOOTER_PATTERNS)
