"""Code lines: ICD-10 lists (``"D89.810, M05.00-M05.9"``) and HCPCS lines (``"J7504:..."``)."""

from __future__ import annotations

import re

from ..model import Hcpcs, Icd10Code

__all__ = ["ICD10_CODE", "parse_hcpcs_line", "parse_icd10_line"]

ICD10_CODE = r"[A-Za-z][0-9][0-9A-Za-z](?:\.?[0-9A-Za-z]{1,4})?"
_ICD10_ITEM = re.compile(
    rf"(?<![\w.])(?P<start>{ICD10_CODE})(?:\s*(?:-|–|—|to|through)\s*(?P<end>{ICD10_CODE}))?(?![\w.])"
)
# Possessive runs: two adjacent "[\s,;/]*" would split a long run of separators every possible way
# before failing on the word after it.
_SEPARATORS = re.compile(r"^[\s,;/]*+(?:(?:and|or)[\s,;/]*+)?$", re.IGNORECASE)
_HCPCS = re.compile(r"^\s*(?P<code>[A-Za-z]\d{4})\b\s*[:\-–—]?\s*(?P<description>.*)$")


def parse_icd10_line(text: str) -> tuple[list[Icd10Code], str]:
    """Codes in a line, and whatever text between them is not a code or a separator.

    A line with one code and trailing words (``"T86.11 Kidney transplant rejection"``) gives the
    words as that code's description; leftover text is otherwise returned for ``unparsed``.
    """
    codes: list[Icd10Code] = []
    leftovers: list[str] = []
    position = 0
    for match in _ICD10_ITEM.finditer(text):
        between = text[position : match.start()]
        if not _SEPARATORS.match(between):
            leftovers.append(between)
        start, end = match.group("start"), match.group("end")
        codes.append(
            Icd10Code(code=f"{start}-{end}", start=start, end=end) if end else Icd10Code(code=start)
        )
        position = match.end()
    tail = text[position:]
    if not _SEPARATORS.match(tail):
        leftovers.append(tail)
    leftover = " ".join(part.strip(" ,;:-–") for part in leftovers).strip()
    if len(codes) == 1 and leftover and text.strip().startswith(codes[0].code):
        codes[0].description = leftover
        leftover = ""
    return codes, leftover


def parse_hcpcs_line(text: str) -> Hcpcs | None:
    """``"J7504:Lymphocyte immune globulin, ..."`` -> code and description; None if no code."""
    match = _HCPCS.match(text)
    if not match:
        return None
    return Hcpcs(
        code=match.group("code"), description=match.group("description").strip() or None, text=text
    )
