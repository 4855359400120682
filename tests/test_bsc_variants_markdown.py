"""Issue 14, the BSC template variants that broke, read from Markdown: a title with a route or
form after the brands, the review block's labels, paragraphs of special instructions, and doses
or periods joined by "or" / "and"; with what summaries, ``policy.md`` and the diff make of them.

Fixtures: ``ustekinumab_sc.md`` (``"generic (Brand1, Brand2), subcutaneous"``, ``", or"`` at the
end of dose and period lines, the review date and the changes label on one hard-broken line) and
``rituximab_iv.md`` (``"generic (Brands) intravenous infusion"``, a lone ``or`` line, a line
opening with ``Or``, doses joined by ``and``).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, SEED
from policy_extract.diff import diff_policies, load_for_diff
from policy_extract.loaders.markdown import parse_markdown
from policy_extract.model import Drug, Policy
from policy_extract.phrases.connectors import (
    connector_only,
    split_leading_connector,
    split_trailing_connector,
)
from policy_extract.pipeline import extract, extract_document
from policy_extract.profiles._common import parse_drug_names
from policy_extract.render.jinja import render_template

USTEKINUMAB = FIXTURES / "ustekinumab_sc.md"
RITUXIMAB = FIXTURES / "rituximab_iv.md"


def policy_of(path: Path) -> Policy:
    return extract(path)


def condition(policy: Policy, name: str):  # type: ignore[no-untyped-def]
    return next(c for c in policy.coverage if c.condition == name)


# --- 1. a qualifier after the brands -------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("ustekinumab (Stelara, Wezlana), subcutaneous",
         Drug(generic_name="ustekinumab", brand_names=["Stelara", "Wezlana"],
              qualifier="subcutaneous")),
        ("pegloticase (Krystexxa) injection",
         Drug(generic_name="pegloticase", brand_names=["Krystexxa"], qualifier="injection")),
        ("golimumab (Simponi Aria) - for intravenous use",
         Drug(generic_name="golimumab", brand_names=["Simponi Aria"],
              qualifier="for intravenous use")),
        ("anti-thymocyte globulin (Atgam)",
         Drug(generic_name="anti-thymocyte globulin", brand_names=["Atgam"])),
        ("Remicade (infliximab)", Drug(generic_name="infliximab", brand_names=["Remicade"])),
        ("methotrexate injection", Drug(generic_name="methotrexate injection")),
    ],
)  # fmt: skip
def test_title_names_generic_brands_and_qualifier(title: str, expected: Drug) -> None:
    assert parse_drug_names(title) == expected


def test_fixture_titles_keep_the_whole_line_and_split_the_drug() -> None:
    ustekinumab, rituximab = policy_of(USTEKINUMAB), policy_of(RITUXIMAB)
    assert ustekinumab.title == "ustekinumab (Stelara, Wezlana), subcutaneous"
    assert ustekinumab.drug == Drug(
        generic_name="ustekinumab", brand_names=["Stelara", "Wezlana"], qualifier="subcutaneous"
    )
    assert rituximab.drug == Drug(
        generic_name="rituximab",
        brand_names=["Rituxan", "Truxima", "Ruxience", "Riabni"],
        qualifier="intravenous infusion",
    )


def test_summaries_show_the_route_or_form() -> None:
    policy = policy_of(USTEKINUMAB)
    assert "- **Route or form:** subcutaneous" in render_template(policy, "summary.md")
    assert "<dt>Route or form</dt><dd>subcutaneous</dd>" in render_template(policy, "summary.html")
    assert "Route or form" not in render_template(policy_of(SEED), "summary.md")


# --- 2. the review block's labels ----------------------------------------------------------------


def test_review_date_and_changes_on_hard_broken_lines() -> None:
    history = policy_of(USTEKINUMAB).review_history
    assert history.last_annual_review == "2Q2025"
    assert history.changes == ["Added Wezlana.", "Updated references."]


def test_review_date_and_changes_label_in_one_paragraph() -> None:
    """A soft line break makes one paragraph of both labels: the date stops at the second."""
    text = RITUXIMAB.read_text(encoding="utf-8").replace(
        "Date of Last Annual Review: 1Q2025\n\nChanges",
        "Date of Last Annual Review: 1Q2025\nChanges",
    )
    policy = extract_document(parse_markdown(text, path="rituximab.md"))
    assert policy.review_history.last_annual_review == "1Q2025"
    assert len(policy.review_history.changes) == 2
    assert policy.unparsed == []


# --- 3. paragraphs of special instructions -------------------------------------------------------


@pytest.mark.parametrize("path", [USTEKINUMAB, RITUXIMAB], ids=lambda p: p.stem)
def test_each_special_instruction_paragraph_is_one_entry(path: Path) -> None:
    instructions = policy_of(path).special_instructions
    assert len(instructions) == 3
    assert instructions[0].startswith("Provider must submit documentation")
    assert all(text.endswith(".") for text in instructions)


# --- 4. connectors between doses and between periods ---------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("40 mg/kg given as an IV infusion once daily, or",
         ("40 mg/kg given as an IV infusion once daily", "or")),
        ("1,000 mg on day 1, and", ("1,000 mg on day 1", "and")),
        ("45 mg dose for 6 doses or", ("45 mg dose for 6 doses", "or")),
        ("Up to 44 days", ("Up to 44 days", None)),
        ("or", ("or", None)),  # nothing before it: not a connector to split off
        ("Weight less than 30 kg or more than 100 kg",
         ("Weight less than 30 kg or more than 100 kg", None)),
    ],
)  # fmt: skip
def test_trailing_connector_is_split_off(text: str, expected: tuple[str, str | None]) -> None:
    assert split_trailing_connector(text) == expected


def test_leading_and_lone_connectors() -> None:
    assert split_leading_connector("Or 500 mg every 6 months") == ("500 mg every 6 months", "or")
    assert split_leading_connector("Oral 500 mg daily") == ("Oral 500 mg daily", None)
    assert [connector_only(t) for t in ("or", " OR ", "and,", "or 5 mg", "")] == [
        "or", "or", "and", None, None,
    ]  # fmt: skip


def test_doses_and_periods_joined_by_or_at_line_end() -> None:
    arthritis = condition(policy_of(USTEKINUMAB), "Psoriatic Arthritis")
    assert [(d.amount, d.joined_by) for d in arthritis.doses] == [(45, "or"), (90, None)]
    assert not any(d.text.endswith("or") for d in arthritis.doses)
    periods = arthritis.coverage_periods
    assert [(p.text, p.joined_by, p.dose_index) for p in periods] == [
        ("45 mg dose to allow for up to 6 doses", "or", 0),
        ("90 mg dose to allow for up to 6 doses", None, 1),
    ]


def test_lone_or_line_joins_the_lines_around_it_and_keeps_its_place() -> None:
    gpa = policy_of(RITUXIMAB).coverage[0]
    assert [(d.amount, d.unit, d.joined_by) for d in gpa.doses] == [
        (375, "mg/m2", "or"), (1000, "mg", None),
    ]  # fmt: skip
    assert [(p.max_doses, p.joined_by, p.dose_index) for p in gpa.coverage_periods] == [
        (4, "or", 0), (2, None, 1),
    ]  # fmt: skip
    first = gpa.doses[0].span
    assert first is not None and (first.line_end or 0) - (first.line_start or 0) == 2  # the "or"


def test_line_opening_with_or_and_doses_joined_by_and() -> None:
    policy = policy_of(RITUXIMAB)
    pemphigus = condition(policy, "Pemphigus Vulgaris")
    assert [(d.text, d.joined_by) for d in pemphigus.doses] == [
        ("1,000 mg given as an IV infusion every 2 weeks for 2 doses", "or"),
        ("500 mg given as an IV infusion every 6 months for maintenance", None),
    ]
    arthritis = condition(policy, "Rheumatoid Arthritis")
    assert [d.joined_by for d in arthritis.doses] == ["and", None]
    assert [w.code for w in policy.warnings] == []


def test_summary_says_one_of_these_regimens_for_alternatives_only() -> None:
    summary = render_template(policy_of(RITUXIMAB), "summary.md")
    granulomatosis = summary[summary.index("## Granulomatosis") : summary.index("## Pemphigus")]
    assert "**Covered doses** — one of these regimens" in granulomatosis
    assert "**Coverage period** — one of these periods" in granulomatosis
    arthritis = summary[summary.index("## Rheumatoid Arthritis") :]
    assert "one of these" not in arthritis
    assert "1,000 mg given as an IV infusion on day 1 — *1000 mg IV* — **and**" in arthritis
    html = render_template(policy_of(RITUXIMAB), "summary.html")
    assert "<h3>Covered doses — one of these regimens</h3>" in html
    assert '<strong class="logic">and</strong>' in html


def test_policy_md_writes_the_connector_back_at_line_end() -> None:
    canonical = render_template(policy_of(RITUXIMAB), "policy.md")
    assert "375 mg/m2 given as an IV infusion once weekly for 4 weeks, or\n" in canonical
    assert "1,000 mg given as an IV infusion every 2 weeks for 2 doses, or\n" in canonical
    assert "1,000 mg given as an IV infusion on day 1, and\n" in canonical


# --- the diff on a changed connector -------------------------------------------------------------


def _diff(tmp_path: Path, old: str, new: str):  # type: ignore[no-untyped-def]
    text = RITUXIMAB.read_text(encoding="utf-8")
    assert text.count(old) == 1
    (tmp_path / "old.md").write_text(text, encoding="utf-8")
    (tmp_path / "new.md").write_text(text.replace(old, new), encoding="utf-8")
    return diff_policies(load_for_diff(tmp_path / "old.md"), load_for_diff(tmp_path / "new.md"))


def test_diff_alternatives_becoming_a_combination_is_flagged(tmp_path: Path) -> None:
    diff = _diff(tmp_path, "once weekly for 4 weeks\n\nor\n", "once weekly for 4 weeks, and\n")
    [change] = diff.changes
    assert change.path.endswith(".doses[0]")
    assert change.impact == "narrows"  # its direction cannot be told: flagged for a reader
    assert "connector to the next or → and" in change.summary


def test_diff_connector_written_differently_is_no_change(tmp_path: Path) -> None:
    diff = _diff(tmp_path, "once weekly for 4 weeks\n\nor\n", "once weekly for 4 weeks, or\n")
    assert diff.changes == []


def test_diff_dropping_an_implied_or_is_editorial(tmp_path: Path) -> None:
    diff = _diff(tmp_path, "2 doses\n\nOr 500 mg", "2 doses\n\n500 mg")
    [change] = diff.changes
    assert (change.kind, change.impact) == ("changed", "editorial")
