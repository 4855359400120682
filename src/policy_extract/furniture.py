"""Page furniture: running headers/footers and page numbers, removed from content and recorded.

Loaders for paginated input (PDF) find furniture by repetition across pages themselves. This stage
handles what survives into Markdown or text conversions: the title repeated as a running header
mid-document, page-number lines, and template footers a profile names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from .blocks import PAGE_NUMBER, Block, Furniture

__all__ = ["normalise_line", "remove_page_furniture"]


def normalise_line(text: str) -> str:
    """Case- and whitespace-insensitive form used to compare furniture candidates."""
    return " ".join(text.split()).casefold()  # str.split and re's \s: the same whitespace


def remove_page_furniture(
    blocks: Sequence[Block], title: str | None, footer_patterns: Sequence[re.Pattern[str]] = ()
) -> tuple[list[Block], list[Furniture]]:
    """Split ``blocks`` into content and furniture.

    The first block equal to ``title`` is the title; later plain copies of it are running
    headers. ``footer_patterns`` (from the profile) mark template footer lines.
    """
    wanted_title = normalise_line(title) if title else None
    seen_title = False
    content: list[Block] = []
    furniture: list[Furniture] = []
    for block in blocks:
        reason = None
        full_text = block.full_text
        if block.kind != "list_item":
            text = normalise_line(full_text)
            if wanted_title is not None and text == wanted_title:
                reason = "running-header" if seen_title else None
                seen_title = True
            elif PAGE_NUMBER.match(text):
                reason = "page-number"
            elif any(p.search(full_text) for p in footer_patterns):
                reason = "template-footer"
        if reason is None:
            content.append(block)
        else:
            furniture.append(Furniture(full_text, reason, block.span))
    return content, furniture
