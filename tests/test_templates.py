"""The Jinja templates: the reviewer's summaries (Markdown, HTML) and canonical ``policy.md``."""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from markupsafe import escape

from conftest import FIXTURES, SEED, bsc_fixture_documents, fixture_documents
from policy_extract.errors import PolicyExtractError
from policy_extract.model import CriteriaNode, Dose, Period, Policy, Quantity, Timing
from policy_extract.pipeline import extract
from policy_extract.render.jinja import (
    TEMPLATES,
    angle_urls,
    dose_words,
    operator_words,
    period_words,
    quantity_words,
    render_template,
    timing_words,
)

DOCUMENTS = fixture_documents()
DOCUMENT_IDS = [path.name for path in DOCUMENTS]
# policy.md is the canonical form of the Blue Shield template; other templates render their outline.
BSC_DOCUMENTS = bsc_fixture_documents()


@cache
def policy_of(path: Path) -> Policy:
    return extract(path)


def walk(node: CriteriaNode) -> list[CriteriaNode]:
    return [node, *(n for child in node.children for n in walk(child))]


# --- every template, every fixture ---------------------------------------------------------------


@pytest.mark.parametrize("name", TEMPLATES)
@pytest.mark.parametrize("path", DOCUMENTS, ids=DOCUMENT_IDS)
def test_every_template_renders_every_fixture_the_same_way_twice(path: Path, name: str) -> None:
    first = render_template(policy_of(path), name)
    assert first.strip()
    assert first.endswith("\n")
    assert render_template(policy_of(path).model_copy(deep=True), name) == first


def test_unknown_template_is_a_clear_error() -> None:
    with pytest.raises(PolicyExtractError, match=r"unknown template 'summary\.pdf'"):
        render_template(policy_of(SEED), "summary.pdf")


# --- summary.md ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", DOCUMENTS, ids=DOCUMENT_IDS)
def test_summary_md_has_a_section_per_condition_with_prior_auth(path: Path) -> None:
    policy = policy_of(path)
    summary = render_template(policy, "summary.md")
    headings = re.findall(r"^## (.+)$", summary, re.MULTILINE)
    assert headings[: len(policy.coverage)] == [c.condition for c in policy.coverage]
    assert summary.count("Prior authorization: **") == len(policy.coverage)


@pytest.mark.parametrize("path", DOCUMENTS, ids=DOCUMENT_IDS)
def test_summary_md_makes_the_criteria_logic_explicit(path: Path) -> None:
    policy = policy_of(path)
    summary = render_template(policy, "summary.md")
    nodes = [n for c in policy.coverage if c.criteria for n in walk(c.criteria)]
    for operator, words in (("all", "**ALL of:**"), ("any", "**ANY of:**")):
        if any(node.operator == operator for node in nodes):
            assert words in summary
    for node in nodes:
        if node.operator == "at_least":
            assert f"**AT LEAST {node.min_count} of:**" in summary
        assert node.text in summary


@pytest.mark.parametrize("path", DOCUMENTS, ids=DOCUMENT_IDS)
def test_summary_md_lists_every_icd10_code(path: Path) -> None:
    policy = policy_of(path)
    summary = render_template(policy, "summary.md")
    for code in (code for c in policy.coverage for code in c.icd10):
        shown = f"{code.start}–{code.end}" if code.start and code.end else code.code
        assert shown in summary


def test_summary_md_puts_doses_and_periods_in_plain_words() -> None:
    summary = render_template(policy_of(SEED), "summary.md")
    assert "Up to 15 mg/kg given as an intravenous infusion twice per day" in summary
    assert "*up to 15 mg/kg IV, twice a day*" in summary
    assert "- 40 mg/kg dose for 4 days — *for 4 days — dose 1*" in summary
    assert "**Coverage period** — one of these periods" in summary
    assert "**ICD-10:** D61.9" in summary
    assert "**Unparsed items:** 0" in summary


# --- summary.html --------------------------------------------------------------------------------


class _TagBalance(HTMLParser):
    VOID = frozenset({"meta", "br", "hr", "img", "link", "input"})

    def __init__(self) -> None:
        super().__init__()
        self.open: list[str] = []
        self.seen: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append(tag)
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        assert self.open and self.open[-1] == tag, f"</{tag}> closes {self.open[-1:]}"
        self.open.pop()


@pytest.mark.parametrize("path", DOCUMENTS, ids=DOCUMENT_IDS)
def test_summary_html_is_one_self_contained_well_formed_page(path: Path) -> None:
    page = render_template(policy_of(path), "summary.html")
    assert page.startswith("<!DOCTYPE html>")
    assert "<style>" in page and "@media print" in page
    for tag in re.findall(r"<(?:link|script|img|iframe)\b[^>]*>", page, re.IGNORECASE):
        assert "http" not in tag
    parser = _TagBalance()
    parser.feed(page)
    parser.close()
    assert parser.open == []
    assert parser.seen.count("html") == 1
    assert "script" not in parser.seen


def test_summary_html_shows_policy_text_as_text() -> None:
    hostile = "<script>alert(1)</script> & co"
    policy = policy_of(SEED).model_copy(deep=True)
    first = policy.coverage[0]
    first.condition = hostile
    assert first.criteria is not None
    first.criteria.children[0].text = hostile
    first.doses[0].text = hostile
    page = render_template(policy, "summary.html")
    assert "<script>" not in page
    assert page.count("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co") >= 4  # + the nav link


@pytest.mark.parametrize("name", ["summary.md", "summary.html"])
def test_summaries_show_front_matter_general_and_continuation_criteria(name: str) -> None:
    """Both summaries carry the v1.1 facts a reviewer looks for first, and every criteria tree."""
    policy = policy_of(FIXTURES / "fep_velmarex.md")
    assert policy.policy_number and policy.effective_date and policy.general_criteria
    renewals = [c.continuation_criteria for c in policy.coverage if c.continuation_criteria]
    assert renewals
    page = render_template(policy, name)
    assert policy.policy_number in page and policy.effective_date in page
    assert "Requirements for every indication" in page and "Continuation criteria" in page
    shown = (lambda text: str(escape(text))) if name.endswith(".html") else str
    for node in [policy.general_criteria, *renewals]:
        assert all(shown(child.text) in page for child in walk(node)[1:])


def test_only_the_html_template_escapes() -> None:
    policy = policy_of(SEED).model_copy(deep=True)
    policy.coverage[0].condition = "A & B <C>"
    for name in ("summary.md", "policy.md"):
        assert "A & B <C>" in render_template(policy, name)


# --- policy.md: the canonical source -------------------------------------------------------------

# atgam.md's page furniture: the running title (a plain line), and the footer at the end. The
# footer line naming the payer stays: policy.md writes it once, as the payer's only source.
_SEED_TITLE = "anti-thymocyte globulin (Atgam)"
_SEED_FOOTER = ("Reviewed by P&T Committee",)


def without_furniture(text: str) -> str:
    lines = text.splitlines()
    kept = [line for line in lines if line.strip() not in (_SEED_TITLE, *_SEED_FOOTER)]
    # The PDF-to-Markdown conversion fused one condition heading with its criteria heading
    # (``**MDS****Meets...**``); the canonical form gives each bold heading its own paragraph.
    return "\n".join(kept).replace("****", "**\n\n**")


def normalised(text: str) -> str:
    lines = "\n".join(line.rstrip() for line in text.splitlines())
    return re.sub(r"\n{3,}", "\n\n", lines).strip("\n") + "\n"


def test_policy_md_of_the_seed_is_the_seed_without_furniture() -> None:
    rendered = render_template(policy_of(SEED), "policy.md")
    assert rendered == normalised(without_furniture(SEED.read_text(encoding="utf-8")))


def comparable(policy: Policy, *exclude: str) -> Any:
    return _without_spans(policy.model_dump(exclude={"source", "warnings", *exclude}))


def _without_spans(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_spans(v) for k, v in value.items() if k not in ("span", "spans")}
    if isinstance(value, list):
        return [_without_spans(v) for v in value]
    return value


@pytest.mark.parametrize("path", BSC_DOCUMENTS, ids=[p.name for p in BSC_DOCUMENTS])
def test_converting_policy_md_again_gives_the_same_policy(path: Path, tmp_path: Path) -> None:
    policy = policy_of(path)
    canonical = tmp_path / f"{path.stem}.md"
    canonical.write_text(render_template(policy, "policy.md"), encoding="utf-8")
    again = extract(canonical)
    assert comparable(again) == comparable(policy)
    assert render_template(again, "policy.md") == render_template(policy, "policy.md")


def test_converting_policy_md_again_keeps_the_payer(tmp_path: Path) -> None:
    canonical = tmp_path / "atgam.md"
    canonical.write_text(render_template(policy_of(SEED), "policy.md"), encoding="utf-8")
    assert extract(canonical).payer == policy_of(SEED).payer


def test_policy_md_groups_conditions_by_prior_authorization() -> None:
    policy = policy_of(SEED).model_copy(deep=True)
    policy.coverage[2].prior_authorization_required = False
    rendered = render_template(policy, "policy.md")
    require = "**The following condition(s) require Prior Authorization/Preservice.**"
    do_not = "**The following condition(s) DO NOT require Prior Authorization/Preservice.**"
    assert rendered.count(require) == 2
    assert rendered.count(do_not) == 1
    assert rendered.index(do_not) < rendered.index("**Hematopoietic Cell Transplantation**")


# --- the filters ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("timing", "words"),
    [
        (Timing(frequency=1, period=1, period_unit="d"), "once a day"),
        (Timing(frequency=2, period=1, period_unit="d"), "twice a day"),
        (Timing(frequency=2, period=1, period_unit="wk"), "twice a week"),
        (Timing(frequency=3, period=1, period_unit="h"), "3 times an hour"),
        (Timing(frequency=1, period=4, period_unit="wk"), "every 4 weeks"),
        (Timing(frequency=1, period=2, period_unit="d"), "every 2 days"),
        (Timing(frequency=2, period=3, period_unit="mo"), "twice every 3 months"),
    ],
)
def test_timing_in_words(timing: Timing, words: str) -> None:
    assert timing_words(timing) == words


@pytest.mark.parametrize(
    ("quantity", "words"),
    [
        (Quantity(value=44, unit="d"), "44 days"),
        (Quantity(value=1, unit="a"), "1 year"),
        (Quantity(value=14, unit="wk"), "14 weeks"),
        (Quantity(value=8, unit="h"), "8 hours"),
        (Quantity(value=800, unit="mg"), "800 mg"),
        (Quantity(value=7.5, unit="mg"), "7.5 mg"),
    ],
)
def test_quantity_in_words(quantity: Quantity, words: str) -> None:
    assert quantity_words(quantity) == words


@pytest.mark.parametrize(
    ("node", "words"),
    [
        (CriteriaNode(text="x", operator="all"), "ALL of"),
        (CriteriaNode(text="x", operator="any"), "ANY of"),
        (CriteriaNode(text="x", operator="at_least", min_count=2), "AT LEAST 2 of"),
        (CriteriaNode(text="x"), ""),
        (CriteriaNode(text="x", children=[CriteriaNode(text="y")]), "combination not stated"),
    ],
)
def test_operator_in_words(node: CriteriaNode, words: str) -> None:
    assert operator_words(node) == words


@pytest.mark.parametrize(
    ("dose", "words"),
    [
        (
            Dose(
                text="",
                amount=15,
                unit="mg/kg",
                route="intravenous",
                timing=Timing(frequency=1, period=1, period_unit="d"),
                max_per_administration=Quantity(value=800, unit="mg"),
                applies_when="Weight less than 30 kg",
            ),
            "15 mg/kg IV, once a day (max 800 mg per administration; when: Weight less than 30 kg)",
        ),
        (
            Dose(text="", amount=12, unit="mg", up_to=True, route="intrathecal"),
            "up to 12 mg intrathecal",
        ),
        (Dose(text="", amount=0.4, unit="mg/kg", route="subcutaneous"), "0.4 mg/kg SC"),
        (Dose(text="", escalation_to=Quantity(value=10, unit="mg/kg")), "may increase to 10 mg/kg"),
        (Dose(text="see the label"), ""),
    ],
)
def test_dose_in_words(dose: Dose, words: str) -> None:
    assert dose_words(dose) == words


@pytest.mark.parametrize(
    ("period", "words"),
    [
        (
            Period(text="", duration=Quantity(value=6, unit="mo"), phase="initial"),
            "Initial: 6 months",
        ),
        (Period(text="", max_doses=21), "up to 21 doses"),
        (
            Period(text="", duration=Quantity(value=4, unit="d"), dose_index=0),
            "for 4 days — dose 1",
        ),
        (
            Period(text="", max_doses=2, min_interval=Quantity(value=8, unit="h")),
            "up to 2 doses, at least 8 hours apart",
        ),
        (Period(text="", phase="continuation"), "Continuation"),
        (Period(text="as needed"), ""),
    ],
)
def test_period_in_words(period: Period, words: str) -> None:
    assert period_words(period) == words


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("Available at: https://www.nccn.org/.", "Available at: <https://www.nccn.org/>."),
        ("at http://www.lexi.com", "at <http://www.lexi.com>"),
        ("already <https://a.org/x>", "already <https://a.org/x>"),
        ("no link here", "no link here"),
    ],
)
def test_reference_urls_are_written_as_autolinks(text: str, written: str) -> None:
    assert angle_urls(text) == written


@given(
    frequency=st.integers(min_value=1, max_value=12),
    period=st.one_of(st.integers(min_value=1, max_value=52), st.floats(0.25, 52)),
    unit=st.sampled_from(["h", "d", "wk", "mo", "a"]),
)
def test_timing_words_never_fail(frequency: int, period: float, unit: Any) -> None:
    words = timing_words(Timing(frequency=frequency, period=period, period_unit=unit))
    assert words and "None" not in words


def source_without_its_furniture(path: Path) -> str:
    """The source with the lines the pipeline recorded as furniture dropped (any fixture)."""
    from policy_extract.loaders import load_document
    from policy_extract.pipeline import run_pipeline

    extraction = run_pipeline(load_document(path))
    payer = extraction.policy.payer or "\0"
    dropped = {
        line
        for item in extraction.furniture
        if payer not in item.text  # the footer naming the payer is kept once in policy.md
        for line in range(item.span.line_start or 0, (item.span.line_end or 0) + 1)
    }
    lines = path.read_text(encoding="utf-8").splitlines()
    kept = [line for number, line in enumerate(lines, start=1) if number not in dropped]
    return "\n".join(kept).replace("****", "**\n\n**")


# Sources not written in the canonical form: policy.md gives the same Policy, not the same text.
NOT_CANONICAL = {
    "rituximab_iv.md": "a lone 'or' line, a line opening 'Or': policy.md ends lines with them",
}
MARKDOWN_DOCUMENTS = [p for p in BSC_DOCUMENTS if p.suffix == ".md" and p.name not in NOT_CANONICAL]


@pytest.mark.parametrize("path", MARKDOWN_DOCUMENTS, ids=[p.name for p in MARKDOWN_DOCUMENTS])
def test_policy_md_is_the_source_without_furniture(path: Path) -> None:
    # Whitespace-insensitive: a dropped running header leaves a blank line inside a list, and a
    # code list may wrap onto a second source line.
    rendered = render_template(policy_of(path), "policy.md")
    assert rendered.split() == source_without_its_furniture(path).split()
