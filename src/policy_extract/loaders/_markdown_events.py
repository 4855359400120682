"""pyromark's events (pulldown-cmark, with byte ranges) as the token stream ``markdown`` reads.

pulldown-cmark parses a policy about twenty times faster than markdown-it-py. Its events are turned
into the few token kinds the Markdown loader reads from markdown-it (``paragraph_open``,
``heading_open``, list and item openers with their marker, ``inline`` with its children and raw
source, table rows, verbatim lines), so both parsers feed one conversion to Blocks; a test holds
the two readings equal on every Markdown document the suite has.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any, cast

import pyromark

__all__ = ["EventToken", "event_tokens"]

_OPTIONS = pyromark.Options.ENABLE_TABLES
# An item's own marker, read from the source where the item starts.
_ITEM_MARKER = re.compile(r"[ \t]*(?:(\d{1,9})([.)])|[-+*])")
# Nesting at which the document is left to markdown-it, whose depth limit and plain-text
# fallback then decide (its limit, 99 token levels, is never reached below this).
DEEPEST_NESTING = 90
_BLOCK_STARTS = frozenset(
    (
        *("Paragraph", "Heading", "List", "Item", "BlockQuote", "CodeBlock", "HtmlBlock"),
        *("Table", "TableHead", "TableRow", "TableCell"),
    )
)
_VERBATIM = frozenset(("CodeBlock", "HtmlBlock"))  # kept line by line, as markdown-it's blocks
_RUNS = frozenset(("Paragraph", "Heading", "TableCell", "Item"))  # blocks that end an inline run
_INLINE_OPENERS = {"Emphasis": "em_open", "Strong": "strong_open", "Strikethrough": "s_open"}
_INLINE_CLOSERS = {name: kind.replace("_open", "_close") for name, kind in _INLINE_OPENERS.items()}
_LEAVES = {"Text": "text", "Code": "code_inline", "InlineHtml": "html_inline"}
_LEAVES["Html"] = "html_inline"
_BREAKS = {"SoftBreak": "softbreak", "HardBreak": "hardbreak"}


@dataclass(slots=True)
class EventToken:
    """The part of a markdown-it token the loader reads (same names, same meanings)."""

    type: str
    map: list[int] | None = None
    tag: str = ""
    info: str = ""
    markup: str = ""
    content: str = ""
    children: list[EventToken] | None = None
    href: str | None = None

    def attrGet(self, name: str) -> str | None:
        return self.href if name == "href" else None


def event_tokens(text: str) -> list[EventToken] | None:
    """The document's tokens, or None when it nests deeper than ``DEEPEST_NESTING``."""
    return _Reader(text).read()


class _Reader:
    """One pass over the events; ``blocks`` holds the kinds of the open blocks, innermost last."""

    def __init__(self, text: str) -> None:
        data = text.encode("utf-8")
        # Ranges are UTF-8 byte offsets: slice the text itself when every character is one byte.
        self.source: str | bytes = text if len(data) == len(text) else data
        self.line_starts = [0, *(m.end() for m in re.finditer(b"\n", data))]
        self.text = text
        self.tokens: list[EventToken] = []
        self.blocks: list[str] = []
        self.inline: _Inline | None = None
        self.image_depth = 0  # inside an image its alt text is not text (as markdown-it reads it)

    def line(self, offset: int) -> int:
        """0-based line of a byte offset."""
        return bisect_right(self.line_starts, offset) - 1

    def slice(self, start: int, end: int) -> str:
        piece = self.source[start:end]
        return piece if isinstance(piece, str) else piece.decode("utf-8", "replace")

    def read(self) -> list[EventToken] | None:
        blocks = self.blocks
        for event, span in pyromark.events_with_range(self.text, options=_OPTIONS):
            if isinstance(event, str):
                self.on_break(event, span["start"], span["end"])
                continue
            ((kind, value),) = cast("dict[str, Any]", event).items()
            run = self.inline
            if kind == "Text" and run is not None and not self.image_depth:
                # the common case, inlined: text in a paragraph, a heading or a cell
                run.children.append(EventToken("text", content=value))
                if run.first < 0:
                    run.first = span["start"]
                run.last = max(run.last, span["end"])
            elif kind in _LEAVES:
                self.on_leaf(kind, value, span["start"], span["end"])
            elif kind == "Start":
                name = value if isinstance(value, str) else next(iter(value))
                if name not in _BLOCK_STARTS:
                    self.inline_start(name, value, span["start"])
                elif len(blocks) >= DEEPEST_NESTING:
                    return None
                else:
                    self.block_start(name, value, span["start"], span["end"])
            elif kind == "End":
                name = value if isinstance(value, str) else next(iter(value))
                if name not in _BLOCK_STARTS:
                    self.inline_end(name, span["end"])
                else:
                    self.block_end(name, value)
        return self.tokens

    def on_leaf(self, kind: str, value: str, start: int, end: int) -> None:
        run = self.inline
        if run is not None and not self.image_depth:  # code or inline HTML in a run
            run.add(EventToken(_LEAVES[kind], content=value), start, end)
        elif self.blocks and self.blocks[-1] in _VERBATIM:
            line = self.line(start)
            self.tokens.append(EventToken("code_block", [line, line + 1], content=value))
        elif self.image_depth:
            self.extend(start, end)
        else:
            self.add(EventToken(_LEAVES[kind], content=value), start, end)

    def on_break(self, kind: str, start: int, end: int) -> None:
        if kind in _BREAKS and self.inline is not None:
            self.inline.add(EventToken(_BREAKS[kind]), start, end)
            if not self.image_depth:
                self.inline.end_line()

    def block_start(self, name: str, value: Any, start: int, end: int) -> None:
        if self.blocks and self.blocks[-1] == "Item":
            self.close_inline()  # a tight item's text ends where the item's next block starts
        self.blocks.append(name)
        if name == "Paragraph":
            self.open_inline("paragraph_open", "", start)
        elif name == "Item":
            self.tokens.append(self.item_opener(start))
        elif name == "List":
            ordered = value["List"] is not None
            self.tokens.append(EventToken("ordered_list_open" if ordered else "bullet_list_open"))
        elif name == "Heading":
            self.open_inline("heading_open", value["Heading"]["level"].lower(), start)
        elif name == "Table":
            self.tokens.append(EventToken("table_open", [self.line(start), self.line(end - 1) + 1]))
        elif name in ("TableHead", "TableRow"):
            line = self.line(start)
            self.tokens.append(EventToken("tr_open", [line, line + 1]))
        elif name == "TableCell":
            self.open_inline(None, "", start)

    def block_end(self, name: str, value: Any) -> None:
        if name in _RUNS:
            self.close_inline()
        if name == "List":
            ordered = isinstance(value, dict) and value["List"] is True
            self.tokens.append(EventToken("ordered_list_close" if ordered else "bullet_list_close"))
        elif name == "Table":
            self.tokens.append(EventToken("table_close"))
        self.blocks.pop()

    def inline_start(self, name: str, value: Any, start: int) -> None:
        if self.image_depth or name == "Image":
            self.image_depth += name == "Image"
            self.extend(start, start)
        elif name == "Link":
            link = EventToken("link_open", href=value["Link"]["dest_url"])
            self.add(link, start, start)
        elif name in _INLINE_OPENERS:
            self.add(EventToken(_INLINE_OPENERS[name]), start, start)

    def inline_end(self, name: str, end: int) -> None:
        if self.image_depth:
            self.image_depth -= name == "Image"
            self.extend(end, end)
        elif name in _INLINE_CLOSERS:
            self.add(EventToken(_INLINE_CLOSERS[name]), end, end)

    def open_inline(self, opener: str | None, tag: str, start: int) -> _Inline:
        """A new run, after its opener token (a table cell has none)."""
        if opener is not None:
            self.tokens.append(EventToken(opener, tag=tag))
        line = self.line(start)
        self.inline = _Inline(self, EventToken("inline", [line, line + 1]))
        return self.inline

    def close_inline(self) -> None:
        inline, self.inline = self.inline, None
        if inline is not None:
            self.tokens.append(inline.finish())

    def run(self, start: int) -> _Inline | None:
        """The inline run an event at ``start`` belongs to; a tight item's text opens one."""
        if self.inline is None and self.blocks and self.blocks[-1] == "Item":
            return self.open_inline("paragraph_open", "", start)
        return self.inline

    def extend(self, start: int, end: int) -> None:
        run = self.run(start)
        if run is not None:
            run.extend(start, end)

    def add(self, token: EventToken, start: int, end: int) -> None:
        run = self.run(start)
        if run is not None:
            run.add(token, start, end)

    def item_opener(self, start: int) -> EventToken:
        found = _ITEM_MARKER.match(self.slice(start, start + 16))
        if found is None or found.group(1) is None:
            return EventToken("list_item_open", markup="-")
        return EventToken("list_item_open", info=found.group(1), markup=found.group(2))


class _Inline:
    """An inline run being read: its token, and the byte extent of each of its source lines."""

    __slots__ = ("children", "first", "last", "lines", "reader", "token")

    def __init__(self, reader: _Reader, token: EventToken) -> None:
        self.reader = reader
        self.token = token
        self.children: list[EventToken] = []
        token.children = self.children
        self.lines: list[tuple[int, int]] = []  # byte range of each finished line's events
        self.first = -1  # byte range of the current line's events
        self.last = -1

    def add(self, token: EventToken, start: int, end: int) -> None:
        self.children.append(token)
        self.extend(start, end)

    def extend(self, start: int, end: int) -> None:
        if self.first < 0:
            self.first = start
        if end > self.last:
            self.last = end

    def end_line(self) -> None:
        self.lines.append((self.first, self.last))
        self.first = self.last = -1

    def finish(self) -> EventToken:
        """The run's token, its map from its first event's line to its last's, and its content
        the raw source of each line (markup included, stripped) as markdown-it gives it."""
        self.end_line()
        token, reader = self.token, self.reader
        if len(self.lines) == 1:  # most runs are one line
            first, last = self.lines[0]
            if first >= 0:
                token.map = [reader.line(first), reader.line(last - 1) + 1]
                token.content = reader.slice(first, last).strip()
            return token
        spans = [(first, last) for first, last in self.lines if first >= 0]
        if spans and token.map is not None:
            token.map = [reader.line(spans[0][0]), reader.line(spans[-1][1] - 1) + 1]
        raw = (reader.slice(a, b).strip() if a >= 0 else "" for a, b in self.lines)
        token.content = "\n".join(raw).strip()
        return token
