"""Plain-text loader: one block per line, list items from their labels and indentation.

Plain text has no bold, so every non-list line is a paragraph; the profile decides which lines
are headings. A line that starts in lowercase, or is indented under a list item's text, continues
the block before it (a wrapped line).
"""

from __future__ import annotations

import re

from ..blocks import Block, Document, Span, split_list_label

__all__ = ["parse_text"]

_BULLET = re.compile(r"^([-*•▪◦–])\s+(?=\S)")


def parse_text(text: str, *, path: str = "<string>", sha256: str = "") -> Document:
    """Parse plain text into a Document of flat Blocks in reading order."""
    lines = text.split("\n")
    blocks: list[Block] = []
    previous_blank = True
    for number, raw in enumerate(lines, start=1):
        # Runs of spaces inside a line are layout, as in the other loaders' text: one space
        # each, so no later pattern ever scans a long run of them.
        stripped = " ".join(raw.split())
        if not stripped:
            previous_blank = True
            continue
        indent = len(raw) - len(raw.lstrip(" \t"))
        block = _line_block(stripped, indent, number)
        last = blocks[-1] if blocks else None
        if last is not None and not previous_blank and _continues(last, block, indent):
            last.text = f"{last.text} {stripped}"
            last.span = last.span.merge(block.span)
        else:
            blocks.append(block)
        previous_blank = False
    return Document(path=path, format="text", sha256=sha256, blocks=blocks, lines=lines)


def _line_block(stripped: str, indent: int, number: int) -> Block:
    span = Span(line_start=number, line_end=number)
    bullet = _BULLET.match(stripped)
    if bullet:
        label, rest = split_list_label(stripped[bullet.end() :])
        text = rest if label else stripped[bullet.end() :]
        return Block("list_item", text, span, marker=label or "-", indent=indent)
    label, rest = split_list_label(stripped)
    if label is not None:
        return Block("list_item", rest, span, marker=label, indent=indent)
    return Block("paragraph", stripped, span, indent=indent)


def _continues(last: Block, block: Block, indent: int) -> bool:
    if block.kind != "paragraph":
        return False
    if last.kind == "list_item" and indent > last.indent:
        return True
    return block.text[:1].islower() and not last.text.rstrip().endswith((".", ":"))
