"""Markdown and plain-text loaders: blocks, labels and line spans a user can trace back."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from policy_extract.errors import LoadError
from policy_extract.loaders import load_document
from policy_extract.loaders.markdown import parse_markdown
from policy_extract.loaders.text import parse_text


def test_fused_bold_runs_become_two_headings_on_the_same_line() -> None:
    doc = parse_markdown("**Myelodysplastic syndrome (MDS)****Meets medical necessity if:**\n")
    assert [(b.kind, b.text, b.span.line_start) for b in doc.blocks] == [
        ("heading", "Myelodysplastic syndrome (MDS)", 1),
        ("heading", "Meets medical necessity if:", 1),
    ]


def test_bold_lead_in_is_a_label_not_part_of_the_text() -> None:
    (block,) = parse_markdown("**USP Category:** IMMUNOLOGICAL AGENTS\n").blocks
    assert (block.kind, block.label, block.text) == (
        "paragraph",
        "USP Category:",
        "IMMUNOLOGICAL AGENTS",
    )


def test_lettered_bullets_carry_their_own_label_and_line() -> None:
    source = "1. Meets either of the following:\n  - a. For GVHD:\n    - i. Steroid refractory\n"
    blocks = parse_markdown(source).blocks
    assert [(b.marker, b.text, b.span.line_start) for b in blocks] == [
        ("1.", "Meets either of the following:", 1),
        ("a.", "For GVHD:", 2),
        ("i.", "Steroid refractory", 3),
    ]


def test_hard_line_break_splits_lines_with_their_own_line_numbers() -> None:
    blocks = parse_markdown("\n*Payer Footer*  \nReviewed by P&T Committee\n").blocks
    assert [(b.text, b.span.line_start, b.italic) for b in blocks] == [
        ("Payer Footer", 2, True),
        ("Reviewed by P&T Committee", 3, False),
    ]


def test_autolinks_keep_their_url() -> None:
    (block,) = parse_markdown("1. AHFS. Available at <http://www.lexi.com>\n").blocks
    assert block.text == "AHFS. Available at http://www.lexi.com"
    assert block.urls == ["http://www.lexi.com"]


def test_plain_text_lists_use_labels_and_indentation_and_join_wrapped_lines() -> None:
    source = "Criteria\n\n1. Patient is 18 years\n   of age or older\n   a. Either of:\n"
    blocks = parse_text(source).blocks
    assert [(b.kind, b.marker, b.text) for b in blocks] == [
        ("paragraph", None, "Criteria"),
        ("list_item", "1.", "Patient is 18 years of age or older"),
        ("list_item", "a.", "Either of:"),
    ]
    assert (blocks[1].span.line_start, blocks[1].span.line_end) == (3, 4)


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.md", b"", "file is empty"),
        ("blank.txt", b"  \n\n", "file is empty"),
        ("latin1.md", "Caf\u00e9 policy".encode("latin-1"), "not valid UTF-8"),
        ("binary.md", b"\x00\x01\x02policy", "binary"),
        ("policy.docx", b"whatever", "unsupported file type"),
    ],
)
def test_unreadable_text_files_raise_load_error_naming_file_and_reason(
    tmp_path: Path, name: str, content: bytes, reason: str
) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(LoadError) as caught:
        load_document(path)
    assert reason in str(caught.value)
    assert str(path) in str(caught.value)


def test_inline_and_block_html_are_kept_as_text_never_dropped() -> None:
    source = "Patient has disease & <script>alert(1)</script>\n\n<div>\nraw block\n</div>\n"
    blocks = parse_markdown(source).blocks
    assert [(b.text, b.span.line_start) for b in blocks] == [
        ("Patient has disease & <script>alert(1)</script>", 1),
        ("<div>", 3),
        ("raw block", 4),
        ("</div>", 5),
    ]


def test_errors_survive_pickling_for_worker_processes() -> None:
    import pickle

    error = LoadError("a.pdf", "PDF is encrypted; a password is needed", line=3)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is LoadError
    assert (copy.path, copy.reason, copy.line) == ("a.pdf", error.reason, 3)
    assert str(copy) == "a.pdf:3: PDF is encrypted; a password is needed"


def test_a_table_is_one_block_whose_text_joins_cells_by_bars() -> None:
    source = "| Code | Description |\n|---|---|\n| J1745 | Injection, infliximab |\n"
    blocks = parse_markdown(source).blocks
    assert [(b.kind, b.text, b.span.line_start) for b in blocks] == [
        ("table", "Code | Description\nJ1745 | Injection, infliximab", 1),
    ]


_MARKUP_LINES = [
    "Plain words, then a soft break\nand a second line",
    "Two spaces end this line  \nso the next is its own block",
    "A backslash ends this line\\\nas a hard break too",
    "**Bold lead:** then *italic* and _underscore_ and `code`",
    "A [reference link][ref] and an [inline](https://example.org/a) one\n\n[ref]: https://example.org/r",
    "An image ![alt text](pic.png) and an <https://example.org/auto> link",
    "Entities &amp; &lt;tags&gt; &#169; and an escaped \\* star",
    "- a. lettered item with [a link](https://example.org/l)\n- plain item\n  wrapped",
    "| Code | Description |\n| --- | --- |\n| J7504 | *Atgam* [ref] |\n|  | |",
    "# Heading with `code`\n\nText with <b>inline html</b> and a lone ] bracket",
]


@pytest.mark.parametrize("text", _MARKUP_LINES)
def test_plain_lines_skip_the_inline_parser_with_the_same_blocks(
    text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from policy_extract.loaders import _markdown_it

    fast = parse_markdown(text, parser="markdown-it")
    monkeypatch.setattr(_markdown_it, "_INLINE_MARKUP", re.compile(""))  # every line parsed inline
    assert parse_markdown(text, parser="markdown-it") == fast


def test_every_markdown_fixture_reads_the_same_without_inline_parsing_of_plain_lines(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from policy_extract.loaders import _markdown_it

    root = Path(__file__).parent
    paths = [root.parent / "source_docs" / "atgam.md", *sorted(root.glob("fixtures/**/*.md"))]
    texts = [path.read_text(encoding="utf-8") for path in paths]
    fast = [parse_markdown(text, parser="markdown-it") for text in texts]
    monkeypatch.setattr(_markdown_it, "_INLINE_MARKUP", re.compile(""))
    assert [parse_markdown(text, parser="markdown-it") for text in texts] == fast
