"""Readers every profile shares for the contract v1.1 front matter and code lists.

``read_front_matter(policy, blocks)`` fills ``dates``, ``effective_date``, ``policy_number``
(from a labelled field, else an identifier alone in the running header, unless the profile
already set one) and the document-level ``icd10``
list, and records their spans in ``policy.spans``. Profiles call it after reading their own
fields; each reader leaves a field alone when the document does not state it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..blocks import Block, Furniture, Span
from ..model import Icd10Code, Policy, PolicyDate, choose_effective_date
from ..phrases.dates import find_dated_statements

__all__ = [
    "ICD10_CODE",
    "find_icd10_codes",
    "read_dates",
    "read_front_matter",
    "read_header_number",
    "read_policy_number",
]

# A labelled policy number: "Policy Number: 2026D0017AN", "Coverage Policy Number ..... IP0660",
# "Document #: CC-0029", "Document Number: IC-0098", "Policy No. 5.01.503".
_POLICY_NUMBER = re.compile(
    r"(?:^|\|)\s*(?:coverage\s+|medical\s+|clinical\s+)?(?:policy|document|guideline)"
    r"\s*(?:number|no\.?|#|id)\s*[:.…|\s]{0,60}?(?P<number>[A-Z0-9][A-Z0-9.\-_/]{2,24}[A-Z0-9])\b",
    re.IGNORECASE,
)
_HAS_DIGIT = re.compile(r"\d")
# An identifier printed alone in the running header, unlabelled ("5.21.169", "CC-0029",
# "IP0660"): a letter prefix and digits, or digit groups joined by dots or dashes.
_BARE_NUMBER = re.compile(
    r"[A-Z]{1,5}[-.]?\d[\dA-Z]*(?:[.\-]\d[\dA-Z]*){0,3}|\d[\dA-Z]*(?:[.\-]\d[\dA-Z]*){1,3}"
)
_PHONE = re.compile(r"^(?:1-)?\d{3}-\d{3}-\d{4}$")
_ID_DIGITS = 4  # fewer digits is a version or section number ("1.0", "3.1.2")

# ICD-10-CM codes: a letter, two characters, optionally a dot and up to four more; a range
# "M05.00-M05.9" / "C00 – C14" is one entry. A three-character code without a dot ("J82") is
# taken only in a coding context: the line names ICD-10 or holds a dotted code, or a heading
# naming ICD-10 opened the section. "B12" in a sentence is a vitamin.
ICD10_CODE = r"[A-TV-Z][0-9][0-9A-Z](?:\.[0-9A-Z]{1,4})?"
_ICD10_ENTRY = re.compile(
    rf"(?<![\w.])(?P<start>{ICD10_CODE})(?:\s{{0,3}}[-–—]\s{{0,3}}(?P<end>{ICD10_CODE}))?(?![\w])"
)
_ICD10_CONTEXT = re.compile(r"\bICD|[A-TV-Z][0-9][0-9A-Z]\.[0-9A-Z]")
# A range broken over two lines: "C50.011-" then "C50.929".
_OPEN_RANGE = re.compile(rf"(?P<start>{ICD10_CODE})\s{{0,3}}[-–—]\s*$")
# A heading that opens (or continues) a coding section: "ICD-10 Codes", "Diagnosis Code |
# Description", "Applies to HCPCS Code", a repeated header row of HCPCS codes.
_CODING_HEADING = re.compile(r"\bICD|\bcodes?\b|\b[A-Z]\d{4}\b", re.IGNORECASE)
_LEADING_CODE = re.compile(rf"^\s*(?P<end>{ICD10_CODE})(?![\w])")


def read_dates(blocks: Iterable[Block]) -> list[PolicyDate]:
    """Every labelled date of the document, once each (kind, date), in reading order."""
    dates: list[PolicyDate] = []
    seen: set[tuple[str, str]] = set()
    for block in blocks:
        for line in block.full_text.split("\n"):
            for statement in find_dated_statements(line):
                key = (statement.kind, statement.date)
                if key not in seen:
                    seen.add(key)
                    dates.append(
                        PolicyDate(
                            kind=statement.kind,
                            date=statement.date,
                            text=statement.text,
                            span=block.span,
                        )
                    )
    return dates


def read_policy_number(blocks: Iterable[Block], pages: int = 2) -> tuple[str, Span] | None:
    """The first labelled policy or document number on the first ``pages`` pages."""
    for block in blocks:
        if (block.span.page or 1) > pages:
            break
        match = _POLICY_NUMBER.search(block.full_text)
        if match and _HAS_DIGIT.search(match.group("number")):
            return match.group("number").rstrip(".-"), block.span
    return None


def read_header_number(
    blocks: Iterable[Block], furniture: Sequence[Furniture]
) -> tuple[str, Span] | None:
    """An unlabelled identifier alone on a line of page 1 that every later page repeats in its
    running header: where a template prints its policy number with no label."""
    repeated = {item.text.strip() for item in furniture if item.reason == "running-header"}
    for block in blocks:
        if (block.span.page or 1) > 1:
            break
        text = block.full_text.strip()
        if (
            text in repeated
            and _BARE_NUMBER.fullmatch(text)
            and not _PHONE.match(text)
            and sum(c.isdigit() for c in text) >= _ID_DIGITS
        ):
            return text, block.span
    return None


def find_icd10_codes(blocks: Iterable[Block]) -> list[Icd10Code]:
    """Every ICD-10-CM code or range printed in ``blocks``, once each, in reading order."""
    codes: list[Icd10Code] = []
    seen: set[str] = set()
    in_coding_section = False
    open_start: str | None = None
    for block in blocks:
        text = block.full_text
        if block.kind == "heading":
            in_coding_section = bool(_CODING_HEADING.search(text))
        if not (in_coding_section or _ICD10_CONTEXT.search(text)):
            continue
        if open_start and (leading := _LEADING_CODE.match(text)):
            text = f"{open_start}-{leading.group('end')}{text[leading.end() :]}"
        if _ICD10_ENTRY.search(text):
            open_start = None
        open_range = _OPEN_RANGE.search(text)
        if open_range:
            open_start = open_range.group("start")
            text = text[: open_range.start()]
        for match in _ICD10_ENTRY.finditer(text):
            start, end = match.group("start"), match.group("end")
            code = f"{start}-{end}" if end else start
            if code not in seen:
                seen.add(code)
                entry = Icd10Code(code=code, span=block.span)
                if end:
                    entry.start, entry.end = start, end
                codes.append(entry)
    return codes


def read_front_matter(
    policy: Policy,
    blocks: Sequence[Block],
    *,
    icd10: bool = True,
    furniture: Sequence[Furniture] = (),
) -> None:
    """Fill ``dates``, ``effective_date``, ``policy_number`` (a labelled one, else an identifier
    the running header repeats, given the page ``furniture``) and (with ``icd10``) document
    ``icd10`` where the document states them and the profile has not; record their spans in
    ``policy.spans``."""
    if not policy.dates:
        policy.dates = read_dates(blocks)
    if policy.effective_date is None:
        chosen = choose_effective_date(policy.dates)
        if chosen is not None:
            policy.effective_date = chosen.date
            if chosen.span is not None:
                policy.spans["effective_date"] = chosen.span
    if policy.policy_number is None:
        found = read_policy_number(blocks) or read_header_number(blocks, furniture)
        if found is not None:
            policy.policy_number, policy.spans["policy_number"] = found
    if icd10 and not policy.icd10:
        policy.icd10 = find_icd10_codes(blocks)
