"""The Markdown loader's two parsers give the same Blocks.

pyromark (pulldown-cmark) is the default; markdown-it-py is the reference reading. Every Markdown
document the suite has, a set of snippets chosen to be tricky, and generated documents built from
the pieces policies are made of must read the same through both.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from policy_extract.loaders.markdown import MARKDOWN_PARSERS, PARSER_VARIABLE, parse_markdown

ROOT = Path(__file__).parent

_SNIPPETS = [
    "# Title\n\nPlain words, then a soft break\nand a second line",
    "Two spaces end this line  \nso the next is its own block",
    "A backslash ends this line\\\nas a hard break too",
    "**Bold lead:** then *italic* and _underscore_ and `code`",
    "**Condition****Meets medical necessity if all the following are met:**",
    "**A**  \n**B**\n**C** tail",
    "A [reference link][ref] and an [inline](https://example.org/a) one\n\n[ref]: https://e.org/r",
    "An image ![alt *text*](pic.png) and an <https://example.org/auto> link",
    "Entities &amp; &lt;tags&gt; &#169; and an escaped \\* star",
    "- a. lettered item with [a link](https://example.org/l)\n- plain item\n  wrapped",
    "1. one\n   a. sub\n      i. deeper\n2. two\n\n   second paragraph of two\n3) other",
    "007) zero-padded\n008) next",
    "- tight\n  - nested\n    - deeper\n- back\n\n- loose now\n\n  continued",
    "-\n- empty item above\n* star\n+ plus",
    "- item\n  # heading in an item\n  text after it",
    "- - nested at once\n  - second",
    "> quoted **bold**\n> and more\n>\n> - quoted item\n>   1. deeper",
    "| Code | Description |\n| --- | --- |\n| J7504 | *Atgam* [ref] |\n|  | |",
    "Para line\n| a | b |\n|---|---|\n| c | d | e |\n| f |",
    "| a |\n|---|\n| \\| escaped pipe | \n",
    "# Heading with `code`\n\nText with <b>inline html</b> and a lone ] bracket",
    "Setext heading\n===\n\nAnother\n---\n\n---\n***",
    "```python\ncode line\n\n  indented\n```\n\n    indented code\n    second\n\n~~~\nunclosed",
    "<div>\nraw html\n\n</div>\n\n<!-- comment -->\ntext",
    "- item\n\n  ```\n  fenced in item\n  ```\n- next",
    "Unicode: café — naïve ≥ 12 years; **Bold é**\n- ü item\n\n| ñ | ß |\n|---|---|\n| é | ø |",
    "Tabs\tinside\n\t- tab item\n1.\tone",
    "#\n\n##   \n\n# Closed heading ##",
    "Text `code\nspan` across lines\nand after **bold\nacross** lines",
    "*a **b** c*\n\n***both***\n\n**unclosed\n\n__under__ bold",
    "Line one\n\n\n\nLine after blanks   \n",
]


def _markdown_documents() -> list[Path]:
    paths = [ROOT.parent / "source_docs" / "atgam.md", *sorted(ROOT.glob("fixtures/**/*.md"))]
    paths += sorted(ROOT.glob("golden/**/*.md"))
    return paths


def test_both_parsers_read_every_markdown_document_the_same() -> None:
    paths = _markdown_documents()
    assert len(paths) >= 10
    for path in paths:
        text = path.read_text(encoding="utf-8")
        assert parse_markdown(text, parser="pyromark") == parse_markdown(
            text, parser="markdown-it"
        ), path.name


@pytest.mark.parametrize("text", _SNIPPETS)
def test_both_parsers_read_tricky_markdown_the_same(text: str) -> None:
    assert parse_markdown(text, parser="pyromark") == parse_markdown(text, parser="markdown-it")


_PREFIXES = ["", "", "", "# ", "## ", "- ", "* ", "1. ", "2) ", "  - ", "    - ", "   1. ", "> "]
_PREFIXES += ["> - ", "    ", "\t", "a. ", "i. ", "   "]
_BODIES = [
    "Patient is 18 years of age or older",
    "**Bold**",
    "**Covered Doses:**",
    "**Label:** value text",
    "*italic* words",
    "_under_ and __strong__",
    "`code` span",
    "[link](https://example.org/a)",
    "<https://example.org/auto>",
    "&amp; &#169; &nbsp;",
    "\\* escaped \\[",
    "| a | b |",
    "|---|---|",
    "| J1234 | Injection, 1 mg |",
    "---",
    "===",
    "```",
    "<div>",
    "![img](p.png) after",
    "é unicode ü — ≥",
    "ends in two spaces  ",
    "ends in a backslash\\",
    "a. lettered",
    "ii. roman",
    "All of the following:",
    "J7504, T86.11, D61.9",
]
_LINES = st.builds(lambda p, b: p + b, st.sampled_from(_PREFIXES), st.sampled_from(_BODIES))
_DOCUMENTS = st.lists(st.one_of(_LINES, st.just("")), min_size=1, max_size=24).map("\n".join)


# Where the two parsers are known to disagree (both CommonMark readings keep every word):
# - a line indented as code (4 spaces or a tab) in the paragraph of a list item whose text starts
#   further right: pulldown-cmark continues the paragraph (a lazy continuation line); markdown-it
#   starts the block the line would start (a rule, a fence, raw HTML, a list);
# - a rule or setext underline (``---``, ``===``) inside nested list items;
# - GFM table edges: a row indented as code, and a delimiter row that could start a list item.
_ITEM = re.compile(r" {0,3}(?:\d{1,9}[.)]|[-+*]) +")
_CODE_INDENT = re.compile(r"(?: {4,}|\t)\S")
_RULE_IN_ITEM = re.compile(r"\s*(?:[-+*]\s+)*(?:-{3,}|={3,}|\*{3,})\s*$")
_DELIMITER_ROW = re.compile(r" {0,3}[-+*] .*\|")


def _known_disagreement(text: str) -> bool:
    deep_item = in_list = False  # within one run of non-blank lines
    before = ""
    for line in text.split("\n"):
        if not line.strip():
            deep_item = in_list = False
        elif (
            (_CODE_INDENT.match(line) and (deep_item or "|" in before))
            or (in_list and _RULE_IN_ITEM.match(line))
            or ("|" in before and _DELIMITER_ROW.match(line))
        ):
            return True
        item = _ITEM.match(line)
        in_list = in_list or item is not None
        deep_item = deep_item or (item is not None and item.end() > 4)
        before = line
    return False


@pytest.mark.parametrize(
    "text",
    [
        "   1. **Covered Doses:**\n    <div>",
        "   1. Patient is 18 years of age or older\n\t---",
        "| a | b |\n|---|---|\n    Patient is 18 years of age or older",
        "a | b\n- | ---",
    ],
)
def test_where_the_parsers_disagree_the_default_reading_keeps_every_word(text: str) -> None:
    assert _known_disagreement(text)
    words = {word for block in parse_markdown(text).blocks for word in block.text.split()}
    assert set(re.findall(r"[A-Za-z]{2,}", text)) <= {w.strip("*<>:") for w in words}


@settings(
    max_examples=400,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
@given(_DOCUMENTS)
def test_both_parsers_read_generated_policies_the_same(text: str) -> None:
    assume(not _known_disagreement(text))
    assert parse_markdown(text, parser="pyromark") == parse_markdown(text, parser="markdown-it")


def test_a_document_nested_too_deeply_reads_as_text_through_either_parser() -> None:
    text = "".join("  " * depth + "- level\n" for depth in range(120))
    default = parse_markdown(text, parser="pyromark")
    assert default == parse_markdown(text, parser="markdown-it")
    assert [notice.code for notice in default.notices] == ["markdown-too-deep"]
    assert len(default.blocks) == 120


def test_the_parser_comes_from_the_environment_and_a_wrong_name_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from policy_extract.loaders import _markdown_events

    def not_this_one(text: str) -> None:
        raise AssertionError("pyromark was asked to read")

    assert MARKDOWN_PARSERS[0] == "pyromark"
    monkeypatch.setattr(_markdown_events, "event_tokens", not_this_one)
    monkeypatch.setenv(PARSER_VARIABLE, "markdown-it")
    assert parse_markdown("# T\n\ntext").blocks[0].text == "T"
    with pytest.raises(AssertionError, match="pyromark"):
        parse_markdown("text", parser="pyromark")
    monkeypatch.setenv(PARSER_VARIABLE, "commonmark")
    with pytest.raises(ValueError, match=rf"'commonmark' \(from {PARSER_VARIABLE}\)"):
        parse_markdown("text")
