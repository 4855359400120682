"""Repairs for Prime Therapeutics' (EmblemHealth) criteria text: footnote marks and reference
numbers after a heading, and paragraphs printed between list items. The "item; AND" + indented
alternatives repair its lists need is a general one: ``_criteria_tree.regroup_connected_items``.
"""

from __future__ import annotations

import re

from ..blocks import Block

__all__ = ["as_note_item", "strip_footnote_marks"]

# Footnote marks and reference numbers after a heading: "Osteoporosis † ‡ 1-8,40,41".
_NUMBER = r"\d{1,3}(?:\s*[-–]\s*\d{1,3})?"
_REFERENCE_NUMBERS = re.compile(rf"\s+{_NUMBER}(?:\s*,\s*{_NUMBER})*\s*$")
_MARKS = re.compile(r"[\s†‡Фф¥±◊§*]+$")


def strip_footnote_marks(text: str) -> str:
    """``"Giant Cell Tumor of the Bone † ‡ Ф 9-16,19"`` -> ``"Giant Cell Tumor of the Bone"``.

    A bare number is a reference only after a footnote mark or with a range or list."""
    marked = _MARKS.sub("", text)
    numbers = _REFERENCE_NUMBERS.search(marked)
    marks_before = numbers is not None and _MARKS.search(marked[: numbers.start()])
    if numbers and (re.search(r"[-–,]", numbers.group(0)) or marks_before):
        marked = marked[: numbers.start()]
    return _MARKS.sub("", marked).strip()


def as_note_item(block: Block) -> Block:
    """A paragraph between list items, kept as an unlabelled item at its own indentation."""
    return Block(
        kind="list_item", text=block.full_text, span=block.span, marker="-", indent=block.indent
    )
