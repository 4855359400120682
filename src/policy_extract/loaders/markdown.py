"""Markdown loader: markdown-it-py tokens, with their line maps, become Blocks.

CommonMark knows ``1.`` lists and ``-`` bullets but not the ``a.`` / ``i.`` labels policies use
inside them, and it nests lists by exact indentation, which converted documents get wrong. So this
loader emits every list item flat, with its own label as ``marker`` and its list depth as
``indent``; the outline stage rebuilds the tree from the labels.
"""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from ..blocks import Block, Cell, Document, Notice, Span, split_list_label, table_text
from .text import parse_text

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["MARKDOWN_PARSERS", "PARSER_VARIABLE", "parse_markdown"]

# The parsers that can read Markdown; the first is the default. ``POLICY_EXTRACT_MARKDOWN_PARSER``
# chooses the other (both give the same Blocks: a test holds them equal).
MARKDOWN_PARSERS = ("pyromark", "markdown-it")
PARSER_VARIABLE = "POLICY_EXTRACT_MARKDOWN_PARSER"
# A paragraph made only of adjacent bold runs: "**Condition****Meets ...:**" is two headings.
_BOLD_RUN = r"\*\*(?:(?!\*\*).)+?\*\*"
_ONLY_BOLD_RUNS = re.compile(rf"^(?:{_BOLD_RUN}\s*)+$")
_BOLD_LEAD = re.compile(r"^\*\*((?:(?!\*\*).)+?)\*\*\s*(?=\S)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


class _Token(Protocol):
    """What the conversion reads of a token: markdown-it's ``Token``, or ``EventToken``."""

    @property
    def type(self) -> str: ...
    @property
    def map(self) -> list[int] | None: ...
    @property
    def tag(self) -> str: ...
    @property
    def info(self) -> str: ...
    @property
    def markup(self) -> str: ...
    @property
    def content(self) -> str: ...
    @property
    def children(self) -> Sequence[_Token] | None: ...
    def attrGet(self, name: str) -> str | int | float | None: ...


def parse_markdown(
    text: str, *, path: str = "<string>", sha256: str = "", parser: str | None = None
) -> Document:
    """Parse Markdown source into a Document of flat Blocks in reading order.

    ``parser`` is one of ``MARKDOWN_PARSERS`` (default: ``POLICY_EXTRACT_MARKDOWN_PARSER``, else
    pyromark). A document nested too deeply for markdown-it is read line by line as plain text
    instead, with a ``markdown-too-deep`` notice, so no part of it is dropped.
    """
    tokens: Sequence[_Token] | None = None
    if resolve_parser(parser) == "pyromark":
        from ._markdown_events import event_tokens

        tokens = event_tokens(text)
    if tokens is None:
        from ._markdown_it import markdown_it_tokens

        tokens = markdown_it_tokens(text)
    if tokens is None:
        return _plain_text_fallback(text, path=path, sha256=sha256)
    blocks = list(_blocks_from_tokens(tokens))
    return Document(
        path=path, format="markdown", sha256=sha256, blocks=blocks, lines=text.split("\n")
    )


def resolve_parser(parser: str | None = None) -> str:
    """The parser asked for, else ``POLICY_EXTRACT_MARKDOWN_PARSER``, else pyromark; ValueError
    naming where an unknown name came from."""
    asked = (parser or "").strip().lower()
    chosen = asked or os.environ.get(PARSER_VARIABLE, "").strip().lower() or MARKDOWN_PARSERS[0]
    if chosen not in MARKDOWN_PARSERS:
        origin = "" if asked else f" (from {PARSER_VARIABLE})"
        names = " or ".join(MARKDOWN_PARSERS)
        raise ValueError(f"unknown Markdown parser {chosen!r}{origin}; use {names}")
    return chosen


def _plain_text_fallback(text: str, *, path: str, sha256: str) -> Document:
    document = parse_text(text, path=path, sha256=sha256)
    notice = Notice(
        "markdown-too-deep",
        "Markdown lists or quotes nest deeper than the Markdown parser reads: the document was "
        "read line by line as plain text, so none of it is dropped",
    )
    return dataclasses.replace(document, format="markdown", notices=[notice])


@dataclass(slots=True)
class _TableRows:
    """A whole table: its line map, and per row its source line (1-based) and cells' plain text."""

    map: list[int]
    rows: list[tuple[int, list[str]]] = field(default_factory=list)
    type: str = "table"
    tag: str = ""


def _blocks_from_tokens(tokens: Sequence[_Token]) -> Iterator[Block]:
    list_depth = 0
    item_marker: str | None = None
    stream = _collapse_tables(tokens)
    for index, token in enumerate(stream):
        if isinstance(token, _TableRows):
            yield _table_block(token)
        elif token.type in ("bullet_list_open", "ordered_list_open"):
            list_depth += 1
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            list_depth -= 1
        elif token.type == "list_item_open":
            item_marker = f"{token.info}{token.markup}" if token.info else "-"
        elif token.type in ("html_block", "code_block", "fence") and token.map is not None:
            yield from _verbatim_blocks(token)
        elif token.type == "inline" and token.map is not None:
            opener = stream[index - 1]
            if list_depth and item_marker is not None:
                yield from _list_item_blocks(token, item_marker, list_depth)
                item_marker = None  # a second paragraph in the same item is a continuation
            elif opener.type == "heading_open":
                level = int(opener.tag[1:])
                yield Block("heading", _plain(token), _span(token), True, indent=level, level=level)
            else:
                yield from _paragraph_blocks(token, list_depth=list_depth)


def _collapse_tables(tokens: Sequence[_Token]) -> list[_Token | _TableRows]:
    """Each table's tokens become one ``_TableRows``; every other token is kept."""
    result: list[_Token | _TableRows] = []
    table: _TableRows | None = None
    for token in tokens:
        if token.type == "table_open" and token.map is not None:
            table = _TableRows(token.map)
        elif token.type == "table_close" and table is not None:
            result.append(table)
            table = None
        elif table is None:
            result.append(token)
        elif token.type == "tr_open" and token.map is not None:
            table.rows.append((token.map[0] + 1, []))
        elif token.type == "inline" and table.rows:
            table.rows[-1][1].append(_plain(token))
    return result


def _table_block(table: _TableRows) -> Block:
    rows = [
        [Cell(text, Span(line_start=line, line_end=line)) for text in cells]
        for line, cells in table.rows
    ]
    span = Span(line_start=table.map[0] + 1, line_end=table.map[1])
    return Block("table", table_text(rows), span, rows=rows)


def _verbatim_blocks(token: _Token) -> Iterator[Block]:
    """Raw HTML and code blocks: kept line by line as paragraphs, never dropped."""
    assert token.map is not None
    first = token.map[0] + 1 + (1 if token.type == "fence" else 0)
    for offset, line in enumerate(token.content.split("\n")):
        if line.strip():
            number = first + offset
            yield Block("paragraph", line.strip(), Span(line_start=number, line_end=number))


def _span(token: _Token, offset: int = 0, count: int | None = None) -> Span:
    assert token.map is not None
    start = token.map[0] + 1 + offset
    end = token.map[1] if count is None else start + count - 1
    return Span(line_start=start, line_end=end)


def _list_item_blocks(token: _Token, marker: str, depth: int) -> Iterator[Block]:
    """The item; a line of its text that opens with a label of its own ("a. Member is 18 ...",
    which CommonMark reads as the same paragraph) is a sub-item, one level deeper."""
    parts = _labelled_lines(token)
    for index, (first, children) in enumerate(parts):
        following = parts[index + 1][0] if index + 1 < len(parts) else None
        span = _part_span(token, first, following)
        text = _join_text(children)
        label, rest = split_list_label(text)
        urls = _urls(children)
        if index:
            yield Block("list_item", rest, span, marker=label, indent=depth + 1, urls=urls)
            continue
        if marker == "-" and label is not None:
            marker, text = label, rest
        yield Block("list_item", text, span, marker=marker, indent=depth, urls=urls)


def _part_span(token: _Token, first: int, following: int | None) -> Span:
    """Lines ``first`` to the line before ``following`` (offsets in the token), else to the end."""
    assert token.map is not None
    start = token.map[0] + 1 + first
    end = token.map[1] if following is None else token.map[0] + following
    return Span(line_start=start, line_end=max(start, end))


def _labelled_lines(token: _Token) -> list[tuple[int, list[_Token]]]:
    """The item's text cut where a line after the first opens with a list label: (line offset,
    tokens) of each part."""
    parts: list[tuple[int, list[_Token]]] = [(0, [])]
    line = 0
    children = list(token.children or [])
    for index, child in enumerate(children):
        if child.type in ("softbreak", "hardbreak"):
            line += 1
            following = children[index + 1] if index + 1 < len(children) else None
            if (
                following is not None
                and following.type == "text"
                and split_list_label(following.content.lstrip())[0] is not None
            ):
                parts.append((line, []))
                continue
        parts[-1][1].append(child)
    return parts


def _paragraph_blocks(token: _Token, *, list_depth: int) -> Iterator[Block]:
    """One block per hard line break; a paragraph of bold runs gives one heading per run, and
    one that opens with a list label ("a. Member is 18 ...", which CommonMark does not take for
    a list) is a list item, one level inside the list it is in."""
    in_list = bool(list_depth)
    for offset, line_tokens, raw in _split_hardbreaks(token):
        span = _span(token, offset, raw.count("\n") + 1)
        raw = raw.strip()
        bold_lead = raw.startswith("**")  # both bold patterns start so
        if bold_lead and not in_list and _ONLY_BOLD_RUNS.match(raw):
            for run in re.findall(_BOLD_RUN, raw):
                yield Block("heading", _unescape(run[2:-2]).strip(), span, bold=True)
            continue
        text = _join_text(line_tokens)
        urls = [t.attrGet("href") for t in line_tokens if t.type == "link_open"]
        label = None
        lead = _BOLD_LEAD.match(raw) if bold_lead else None
        if lead:
            label = _unescape(lead.group(1)).strip()
            text = text[len(label) :].strip() if text.startswith(label) else text
        italic = bool(line_tokens) and line_tokens[0].type == "em_open"
        item_label, rest = split_list_label(text) if label is None else (None, text)
        if item_label is not None and not italic:
            links = [str(u) for u in urls if u]
            yield Block(
                "list_item", rest, span, marker=item_label, indent=list_depth + 1, urls=links
            )
            continue
        yield Block(
            "paragraph",
            text,
            span,
            label=label,
            italic=italic,
            urls=[str(u) for u in urls if u],
        )


def _split_hardbreaks(token: _Token) -> Iterator[tuple[int, Sequence[_Token], str]]:
    children = token.children or []
    if not any(child.type == "hardbreak" for child in children):
        yield 0, children, token.content
        return
    raw_lines = token.content.split("\n")
    current: list[_Token] = []
    line_offset = 0
    first_line = 0
    for child in children:
        if child.type == "hardbreak":
            yield first_line, current, "\n".join(raw_lines[first_line : line_offset + 1])
            current, first_line = [], line_offset + 1
            line_offset += 1
        else:
            if child.type == "softbreak":
                line_offset += 1
            current.append(child)
    yield first_line, current, "\n".join(raw_lines[first_line:])


def _join_text(children: Sequence[_Token]) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "text_special", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return " ".join("".join(parts).split())  # runs of whitespace as one space, ends stripped


def _plain(token: _Token) -> str:
    return _join_text(token.children or [])


def _urls(children: Sequence[_Token]) -> list[str]:
    return [str(c.attrGet("href")) for c in children if c.type == "link_open"]


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text) if "\\" in text else text
