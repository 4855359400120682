"""Headings of a plain-text policy, from layout alone.

Plain text has no bold and no ``#``: its loader makes every line that is not a list item a
paragraph, and leaves headings to the profile. Without a profile, a line set apart by blank lines
above and below, short, with no digit, starting with a capital and ending without a sentence's
punctuation (a ":" allowed at the end: "Covered Doses:", "ICD-10:"; "Initial: 6 months" is a
field) is read as a heading: "Coverage Criteria",
"Rheumatoid Arthritis", "Meets medical necessity if all the following are met:". Dose lines,
periods and codes have digits; wrapped sentences end in punctuation or run on.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Sequence

from ...blocks import Block

__all__ = ["plain_text_headings"]

_MAX_WORDS = 12
_DIGIT = re.compile(r"\d")
_SENTENCE_END = re.compile(r"[.;,!?]\s*$")
_URL = re.compile(r"https?://|www\.", re.IGNORECASE)
_FIELD = re.compile(r":\s*\S")  # "Continuation: Yearly ...", "Policy Title: ..."


def plain_text_headings(blocks: Sequence[Block]) -> list[Block]:
    """``blocks`` with each heading-like paragraph made a heading; as they are when the
    document has headings of its own (a Markdown or PDF loader found them)."""
    if any(block.kind == "heading" for block in blocks):
        return list(blocks)
    result: list[Block] = []
    for index, block in enumerate(blocks):
        before = blocks[index - 1] if index else None
        after = blocks[index + 1] if index + 1 < len(blocks) else None
        if _heading_like(block, first=not index) and _set_apart(block, before, after):
            block = dataclasses.replace(block, kind="heading")
        result.append(block)
    return result


def _heading_like(block: Block, *, first: bool) -> bool:
    """Short, capitalised (the first line, the title, may be a lower-case drug name), no digit
    unless it is a label ("ICD-10:"), no sentence end, and no "Label: value" field."""
    text = block.full_text.strip()
    return (
        block.kind == "paragraph"
        and (first or text[:1].isupper())
        and not _FIELD.search(text)
        and len(text.split()) <= _MAX_WORDS
        and (text.endswith(":") or not _DIGIT.search(text))  # "ICD-10:" is a label
        and not _SENTENCE_END.search(text)
        and not _URL.search(text)
    )


def _set_apart(block: Block, before: Block | None, after: Block | None) -> bool:
    """One source line with a blank line (or the document's edge) above and below it."""
    start, end = block.span.line_start, block.span.line_end
    if start is None or start != end:
        return False
    above = before is None or (before.span.line_end or 0) < start - 1
    below = after is None or (after.span.line_start or 0) > end + 1
    return above and below
