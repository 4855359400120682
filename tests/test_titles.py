"""The template-free title: what a reader of the first page takes as the policy's title."""

from __future__ import annotations

from policy_extract.blocks import Block, Furniture, Span
from policy_extract.profiles._title import read_title


def _page(*lines: tuple[str, str], page: int = 1) -> list[Block]:
    return [
        Block(kind, text, Span(page=page, line_start=n, line_end=n), kind == "heading")
        for n, (kind, text) in enumerate(lines, start=1)
    ]


def _footer(text: str) -> Furniture:
    return Furniture(text, "running-footer", Span(page=2, line_start=90, line_end=90))


def test_the_heading_the_running_footer_repeats_is_the_title_not_the_payer_above_it() -> None:
    blocks = _page(
        ("heading", "Acme Health® Commercial"),
        ("heading", "Medical Benefit Drug Policy"),
        ("heading", "Botulinum Toxins A and B"),
        ("paragraph", "Policy Number: 2026D0017AN"),
    )
    footers = [_footer("Botulinum Toxins A and B | Page 2 of 28")]
    assert read_title(blocks, footers) == "Botulinum Toxins A and B"
    assert read_title(blocks, []) == "Acme Health® Commercial"  # no footer: the first heading


def test_a_labelled_title_field_wins_over_headings() -> None:
    blocks = _page(("heading", "Clinical Policy"), ("paragraph", "Subject: | Breyanzi | Page: | 1"))
    assert read_title(blocks, [_footer("Clinical Policy | Page 2 of 5")]) == "Breyanzi"


def test_a_title_heading_that_wraps_is_read_whole() -> None:
    blocks = _page(
        ("heading", "Denosumab:"),
        ("heading", "Prolia®; Xgeva®;"),
        ("heading", "Wyost®"),
        ("heading", "(Subcutaneous)"),
        ("heading", "Overview"),
    )
    assert read_title(blocks, []) == "Denosumab: Prolia®; Xgeva®; Wyost® (Subcutaneous)"


def test_headings_that_do_not_run_on_stay_apart_and_pages_part_them() -> None:
    assert read_title(_page(("heading", "Infliximab"), ("heading", "Overview")), []) == "Infliximab"
    first = _page(("heading", "Denosumab:"))
    second = _page(("heading", "Prolia"), page=2)
    assert read_title([*first, *second], []) == "Denosumab:"


def test_a_document_without_headings_takes_its_first_line() -> None:
    assert read_title(_page(("paragraph", "Atgam policy text")), []) == "Atgam policy text"
    assert read_title([], []) is None


def test_a_section_heading_after_the_first_text_is_not_taken_for_the_title() -> None:
    blocks = _page(
        ("heading", "Xolair (omalizumab)"),
        ("paragraph", "Policy Number: 1234"),
        ("heading", "Overview"),
    )
    assert read_title(blocks, [_footer("Overview | Page 2 of 9")]) == "Xolair (omalizumab)"
