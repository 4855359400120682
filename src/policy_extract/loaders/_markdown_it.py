"""markdown-it-py's tokens for a Markdown document: the reference parser of the Markdown loader.

The loader reads pyromark's events by default (``_markdown_events``, about twenty times faster);
markdown-it-py is what that reading is held equal to, and what reads a document nested deeper than
the events path takes.
"""

from __future__ import annotations

import re

from markdown_it import MarkdownIt
from markdown_it.token import Token

__all__ = ["markdown_it_tokens"]

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


def markdown_it_tokens(text: str) -> list[Token] | None:
    """The document's tokens with their inline children, or None when it nests too deeply."""
    env: dict[str, object] = {}
    try:
        tokens = _PARSER.parse(text, env)
    except RecursionError:
        return None
    if any(token.level >= _MAX_NESTING - 1 for token in tokens):
        return None
    for token in tokens:
        if token.type == "inline":
            token.children = _parse_inline(token.content, env)
    return tokens


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
