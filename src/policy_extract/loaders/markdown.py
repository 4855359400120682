"""Markdown loader: markdown-it-py tokens, with their line maps, become Blocks.

CommonMark knows ``1.`` lists and ``-`` bullets but not the ``a.`` / ``i.`` labels policies use
inside them, and it nests lists by exact indentation, which converted documents get wrong. So this
loader emits every list item flat, with its own label as ``marker`` and its list depth as
``indent``; the outline stage rebuilds the tree from the labels.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator

from markdown_it import MarkdownIt
from markdown_it.token import Token

from ..blocks import Block, Cell, Document, Notice, Span, split_list_label, table_text
from .text import parse_text

__all__ = ["parse_markdown"]

_PARSER = MarkdownIt("commonmark").enable("table")
# Inline markup is parsed only where a line can hold some (see _parse_inline): most policy lines
# are plain words, and parsing them inline was about a fifth of a Markdown conversion.
_PARSER.disable("inline")
# The characters commonmark's inline rules act on, and a hard break (two spaces ending a line);
# a line with neither gives the same tokens as plain text joined by soft breaks.
_INLINE_MARKUP = re.compile(r"[\\`*_\[\]!<&]| \n")
# markdown-it stops reading a block nested deeper than maxNesting and drops the rest of the
# document without a word (commonmark's 20 is about 9 list levels). Raised to about 49 list
# levels, still well inside Python's recursion limit; deeper documents are read as plain text.
_MAX_NESTING = 100
_PARSER.options["maxNesting"] = _MAX_NESTING
# A paragraph made only of adjacent bold runs: "**Condition****Meets ...:**" is two headings.
_BOLD_RUN = r"\*\*(?:(?!\*\*).)+?\*\*"
_ONLY_BOLD_RUNS = re.compile(rf"^(?:{_BOLD_RUN}\s*)+$")
_BOLD_LEAD = re.compile(r"^\*\*((?:(?!\*\*).)+?)\*\*\s*(?=\S)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")


def parse_markdown(text: str, *, path: str = "<string>", sha256: str = "") -> Document:
    """Parse Markdown source into a Document of flat Blocks in reading order.

    A document nested too deeply for markdown-it is read line by line as plain text instead, with
    a ``markdown-too-deep`` notice, so no part of it is dropped.
    """
    env: dict[str, object] = {}
    try:
        tokens = _PARSER.parse(text, env)
    except RecursionError:
        tokens = None
    if tokens is None or any(token.level >= _MAX_NESTING - 1 for token in tokens):
        return _plain_text_fallback(text, path=path, sha256=sha256)
    for token in tokens:
        if token.type == "inline":
            token.children = _parse_inline(token.content, env)
    blocks = list(_blocks_from_tokens(tokens))
    return Document(
        path=path, format="markdown", sha256=sha256, blocks=blocks, lines=text.split("\n")
    )


def _parse_inline(content: str, env: dict[str, object]) -> list[Token]:
    """markdown-it's inline tokens for one block's text (links may use the document's reference
    definitions, gathered in ``env``). Plain text, the common case, skips the inline parser."""
    if not content:
        return []
    if _INLINE_MARKUP.search(content):
        children: list[Token] = []
        _PARSER.inline.parse(content, _PARSER, env, children)
        return children
    plain: list[Token] = []
    for number, line in enumerate(content.split("\n")):
        if number:
            plain.append(Token("softbreak", "br", 0))
        plain.append(Token("text", "", 0, content=line))
    return plain


def _plain_text_fallback(text: str, *, path: str, sha256: str) -> Document:
    document = parse_text(text, path=path, sha256=sha256)
    notice = Notice(
        "markdown-too-deep",
        "Markdown lists or quotes nest deeper than the Markdown parser reads: the document was "
        "read line by line as plain text, so none of it is dropped",
    )
    return dataclasses.replace(document, format="markdown", notices=[notice])


def _blocks_from_tokens(tokens: list[Token]) -> Iterator[Block]:
    list_depth = 0
    item_marker: str | None = None
    tokens = _collapse_tables(tokens)
    for index, token in enumerate(tokens):
        if token.type == "table" and token.map is not None:
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
            opener = tokens[index - 1]
            if list_depth and item_marker is not None:
                yield from _list_item_blocks(token, item_marker, list_depth)
                item_marker = None  # a second paragraph in the same item is a continuation
            elif opener.type == "heading_open":
                level = int(opener.tag[1:])
                yield Block("heading", _plain(token), _span(token), True, indent=level, level=level)
            else:
                yield from _paragraph_blocks(token, in_list=bool(list_depth))


def _collapse_tables(tokens: list[Token]) -> list[Token]:
    """Each table becomes one ``table`` token whose ``meta["rows"]`` holds, per row, its source
    line (1-based) and its cells' plain text; the table's line map is kept."""
    result: list[Token] = []
    table: Token | None = None
    for token in tokens:
        if token.type == "table_open":
            table = Token("table", "", 0, map=token.map, meta={"rows": []})
        elif token.type == "table_close" and table is not None:
            result.append(table)
            table = None
        elif table is None:
            result.append(token)
        elif token.type == "tr_open" and token.map is not None:
            table.meta["rows"].append((token.map[0] + 1, []))
        elif token.type == "inline" and table.meta["rows"]:
            table.meta["rows"][-1][1].append(_plain(token))
    return result


def _table_block(token: Token) -> Block:
    rows = [
        [Cell(text, Span(line_start=line, line_end=line)) for text in cells]
        for line, cells in token.meta["rows"]
    ]
    return Block("table", table_text(rows), _span(token), rows=rows)


def _verbatim_blocks(token: Token) -> Iterator[Block]:
    """Raw HTML and code blocks: kept line by line as paragraphs, never dropped."""
    assert token.map is not None
    first = token.map[0] + 1 + (1 if token.type == "fence" else 0)
    for offset, line in enumerate(token.content.split("\n")):
        if line.strip():
            number = first + offset
            yield Block("paragraph", line.strip(), Span(line_start=number, line_end=number))


def _span(token: Token, offset: int = 0, count: int | None = None) -> Span:
    assert token.map is not None
    start = token.map[0] + 1 + offset
    end = token.map[1] if count is None else start + count - 1
    return Span(line_start=start, line_end=end)


def _list_item_blocks(token: Token, marker: str, depth: int) -> Iterator[Block]:
    text = _plain(token)
    label, rest = split_list_label(text)
    if marker == "-" and label is not None:
        marker, text = label, rest
    yield Block("list_item", text, _span(token), marker=marker, indent=depth, urls=_urls(token))


def _paragraph_blocks(token: Token, *, in_list: bool) -> Iterator[Block]:
    """One block per hard line break; a paragraph of bold runs gives one heading per run."""
    for offset, line_tokens, raw in _split_hardbreaks(token):
        span = _span(token, offset, raw.count("\n") + 1)
        raw = raw.strip()
        if not in_list and _ONLY_BOLD_RUNS.match(raw):
            for run in re.findall(_BOLD_RUN, raw):
                yield Block("heading", _unescape(run[2:-2]).strip(), span, bold=True)
            continue
        text = _join_text(line_tokens)
        urls = [t.attrGet("href") for t in line_tokens if t.type == "link_open"]
        label = None
        lead = _BOLD_LEAD.match(raw)
        if lead:
            label = _unescape(lead.group(1)).strip()
            text = text[len(label) :].strip() if text.startswith(label) else text
        italic = bool(line_tokens) and line_tokens[0].type == "em_open"
        yield Block(
            "paragraph",
            text,
            span,
            label=label,
            italic=italic,
            urls=[str(u) for u in urls if u],
        )


def _split_hardbreaks(token: Token) -> Iterator[tuple[int, list[Token], str]]:
    raw_lines = token.content.split("\n")
    children = token.children or []
    current: list[Token] = []
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


def _join_text(children: list[Token]) -> str:
    parts = []
    for child in children:
        if child.type in ("text", "text_special", "code_inline", "html_inline"):
            parts.append(child.content)
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def _plain(token: Token) -> str:
    return _join_text(token.children or [])


def _urls(token: Token) -> list[str]:
    return [str(c.attrGet("href")) for c in token.children or [] if c.type == "link_open"]


def _unescape(text: str) -> str:
    return _ESCAPE.sub(r"\1", text)
