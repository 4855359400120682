"""A policy's title, read from layout alone (the template-free reading; profiles may override).

In order: a labelled title field on the first page ("Subject: | Dupixent (dupilumab)",
"Policy Title.......Infliximab Intravenous"); else the heading the running header or footer
repeats, among the headings that open page 1 (the lines above it name the payer or the kind
of document: "UnitedHealthcare® Commercial", "Medical Benefit Drug Policy"); else the first
heading, with the headings it runs on into ("Denosumab:" / "Aukelso; Bildyos; ...;" / "Xgeva" /
"(Subcutaneous)"); else the first line.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from itertools import takewhile

from ..blocks import Block, Furniture

__all__ = ["read_title"]

# A labelled title field. Table cells come joined by " | ". The title ends at its last non-space
# character (no lazy match that rescans a run of spaces).
_TITLE_FIELD = re.compile(
    r"^\s*(?:subject|policy\s+title|title|policy\s+name)\s*+[:.…|\s]*[:.…][|\s]*+"
    r"(?P<title>[^|]*[^|\s])\s*(?:\|.*)?$",
    re.IGNORECASE,
)
# A heading that goes on in the next one: it ends with a colon, a semicolon or a comma, or the
# next one opens with a parenthesis or a lower-case word.
_WRAPS = re.compile(r"[:;,]\s*$")
_GOES_ON = re.compile(r"^\s*[(a-z]")
_TRADEMARKS = re.compile(r"[®™]")
_MAX_WRAPPED = 12  # heading lines one title may run over


def read_title(blocks: Sequence[Block], furniture: Sequence[Furniture]) -> str | None:
    """The document's title (see the module's docstring), or None for an empty document."""
    first_page = _first_page(blocks)
    for block in first_page:
        match = _TITLE_FIELD.match(block.full_text)
        if match:
            return match.group("title")
    repeated = _repeated_in_furniture(first_page, furniture)
    if repeated is not None:
        return repeated.full_text
    index = next((i for i, b in enumerate(blocks) if b.kind == "heading"), None)
    if index is None:
        return blocks[0].full_text if blocks else None
    return " ".join(b.full_text.strip() for b in _wrapped(blocks, index))


def _first_page(blocks: Sequence[Block]) -> list[Block]:
    page: list[Block] = []
    for block in blocks:
        if block.span.page not in (None, 1):
            break
        page.append(block)
    return page


def _repeated_in_furniture(
    first_page: Sequence[Block], furniture: Sequence[Furniture]
) -> Block | None:
    """A heading of the masthead (the headings that open page 1) that a running header or
    footer repeats; a heading after the first body text is a section, not the title."""
    running = [f for f in furniture if f.reason in ("running-header", "running-footer")]
    parts = {_key(part) for item in running for part in item.text.split(" | ")}
    parts.discard("")
    masthead = list(takewhile(lambda block: block.kind == "heading", first_page))
    return next((b for b in masthead if _key(b.full_text) in parts), None)


def _wrapped(blocks: Sequence[Block], index: int) -> list[Block]:
    """The heading at ``index`` and the headings of its page it runs on into."""
    lines = [blocks[index]]
    for block in blocks[index + 1 : index + _MAX_WRAPPED]:
        previous = lines[-1]
        if block.kind != "heading" or block.span.page != previous.span.page:
            break
        if not (_WRAPS.search(previous.full_text) or _GOES_ON.match(block.full_text)):
            break
        lines.append(block)
    return lines


def _key(text: str) -> str:
    return " ".join(_TRADEMARKS.sub("", text).split()).casefold()
