"""The round trip: account for every body line of the source.

Each non-blank line of the source (each extracted text line, for PDF) is claimed by one of:
a structured field whose ``span`` covers it (the most specific span wins), a string field whose
value is that line's text, a section heading the profile read (structure), page furniture, or
``unparsed``. What nothing claims is lost. Verification passes when nothing is unparsed or lost.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import BaseModel

from .blocks import Block, Span
from .furniture import normalise_line
from .model import Policy
from .pipeline import Extraction

__all__ = ["LineClaim", "VerifyReport", "verify_extraction"]

FURNITURE = "furniture"
UNPARSED = "unparsed"
STRUCTURE = "structure (section heading)"
LOST = "lost"
# Span-carrying values that stand for exactly the lines they cover.
_LEAF_MODELS = {
    "CriteriaNode",
    "Dose",
    "Period",
    "Icd10Code",
    "Hcpcs",
    "Reference",
    "OutlineBlock",
    "TableCell",
}
# Lines that are pure Markdown markup (rules, table borders) carry no content.
_MARKUP_ONLY = re.compile(r"^[\s\-*_=#>|:`~]*$")


@dataclass(frozen=True, slots=True)
class LineClaim:
    """Who accounts for one source line."""

    line: int
    claim: str
    text: str
    page: int | None = None


@dataclass(slots=True)
class VerifyReport:
    """Per-line accounting of one source; ``ok`` when nothing is unparsed or lost."""

    source: str
    lines: list[LineClaim] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def problems(self) -> list[LineClaim]:
        return [c for c in self.lines if c.claim in (UNPARSED, LOST)]

    @property
    def structured_lines(self) -> int:
        """Body lines read into a structured field (anything but the outline)."""
        return sum(1 for c in self.lines if _is_field(c.claim) and not _in_outline(c.claim))

    @property
    def outline_only_lines(self) -> int:
        """Body lines kept only in ``outline``: accounted for, but not structured."""
        return sum(1 for c in self.lines if _in_outline(c.claim))

    def totals(self) -> list[tuple[str, int]]:
        """Line counts per claim group, indices dropped: ``coverage[].doses[]``, sorted."""
        groups = Counter(re.sub(r"\[\d+\]", "[]", c.claim) for c in self.lines)
        return sorted(groups.items())


def verify_extraction(extraction: Extraction) -> VerifyReport:
    """Account for every body line of the extraction's source."""
    document, policy = extraction.document, extraction.policy
    claims: dict[int, str] = {}
    for item in extraction.furniture:
        _claim_span(claims, item.span, FURNITURE)
    for unparsed in policy.unparsed:
        _claim_span(claims, unparsed.span, UNPARSED)
    # Outline spans first, then structured fields; larger first within each, so the most
    # specific structured field is written last and wins over the outline.
    spans = sorted(
        _leaf_spans(policy),
        key=lambda pair: (not _in_outline(pair[0]), -_size(pair[1])),
    )
    specific: dict[int, str] = {}
    for path, span in spans:
        for line in _lines(span):
            specific[line] = path
    for line, path in specific.items():
        claims.setdefault(line, path)
    texts = _string_fields(policy)
    for block in document.blocks:
        owner = _owner_by_text(texts, block)
        if owner is None and extraction.is_structure(block):
            owner = STRUCTURE
        if owner is not None:
            _claim_span(claims, block.span, owner)
    report = VerifyReport(source=document.path)
    pages = _pages_by_line(document.blocks)
    for number, text in enumerate(document.lines, start=1):
        if _MARKUP_ONLY.match(text):
            continue
        claim = claims.get(number, LOST)
        report.lines.append(LineClaim(number, claim, text.strip(), pages.get(number)))
    return report


def _is_field(claim: str) -> bool:
    return claim not in (FURNITURE, UNPARSED, STRUCTURE, LOST)


def _in_outline(path: str) -> bool:
    return path.startswith("outline")


def _claim_span(claims: dict[int, str], span: Span | None, owner: str) -> None:
    for line in _lines(span):
        claims.setdefault(line, owner)


def _lines(span: Span | None) -> range:
    if span is None or span.line_start is None:
        return range(0)
    return range(span.line_start, (span.line_end or span.line_start) + 1)


def _size(span: Span) -> int:
    return len(_lines(span))


def _leaf_spans(value: object, path: str = "") -> Iterator[tuple[str, Span]]:
    """(JSON path, span) of every leaf value in the Policy that carries a span."""
    if isinstance(value, BaseModel):
        span = getattr(value, "span", None)
        if type(value).__name__ in _LEAF_MODELS and isinstance(span, Span):
            yield path, span
        for name in type(value).model_fields:
            if name in ("span", "source", "warnings", "unparsed"):
                continue
            yield from _leaf_spans(getattr(value, name), f"{path}.{name}" if path else name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _leaf_spans(item, f"{path}[{index}]")


def _string_fields(policy: Policy) -> dict[str, str]:
    """Normalised text -> JSON path, for the string fields that carry no span."""
    fields: dict[str, str] = {}

    def add(text: str | None, path: str) -> None:
        if text:
            fields.setdefault(normalise_line(text), path)

    add(policy.title, "title")
    add(policy.policy_type, "policy_type")
    add(policy.drug_details.usp_category, "drug_details.usp_category")
    add(policy.drug_details.mechanism_of_action, "drug_details.mechanism_of_action")
    add(policy.unlisted_condition_policy, "unlisted_condition_policy")
    for name in ("places_of_service", "conditions_listed", "special_instructions"):
        for index, text in enumerate(getattr(policy, name)):
            add(text, f"{name}[{index}]")
    for index, text in enumerate(policy.drug_details.how_supplied):
        add(text, f"drug_details.how_supplied[{index}]")
    for index, condition in enumerate(policy.coverage):
        add(condition.condition, f"coverage[{index}].condition")
    history = policy.review_history
    for index, text in enumerate(history.changes):
        add(text, f"review_history.changes[{index}]")
    if history.last_annual_review:
        add(history.last_annual_review, "review_history.last_annual_review")
    return fields


def _owner_by_text(texts: dict[str, str], block: Block) -> str | None:
    """The string field whose value is this block's text, or its value after a ``Label:``."""
    candidates = [block.text, block.full_text]
    if ":" in block.text:
        candidates.append(block.text.split(":", 1)[1])
    for candidate in candidates:
        owner = texts.get(normalise_line(candidate))
        if owner is not None:
            return owner
    return None


def _pages_by_line(blocks: list[Block]) -> dict[int, int]:
    pages: dict[int, int] = {}
    for block in blocks:
        if block.span.page is not None:
            for line in _lines(block.span):
                pages[line] = block.span.page
    return pages
