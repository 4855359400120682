"""Table-driven tests of the phrase grammars: the wording policies use, and what it means."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from policy_extract.model import Dose
from policy_extract.phrases import (
    criteria_operator,
    link_period_to_dose,
    parse_dose,
    parse_hcpcs_line,
    parse_icd10_line,
    parse_period,
)

T = {"frequency": 1, "period": 1, "period_unit": "d"}

DOSES: list[tuple[str, dict[str, Any]]] = [
    ("15 mg/kg given as an IV infusion per day",
     {"amount": 15, "unit": "mg/kg", "up_to": False, "route": "intravenous", "timing": T}),
    ("Up to 15 mg/kg given as an intravenous infusion twice per day",
     {"amount": 15, "up_to": True, "route": "intravenous",
      "timing": {"frequency": 2, "period": 1, "period_unit": "d"}}),
    ("20 mg/kg given as an IV infusion once daily", {"amount": 20, "timing": T}),
    ("40 mg/kg given as an IV infusion once daily, or",
     {"amount": 40, "timing": T, "text": "40 mg/kg given as an IV infusion once daily",
      "joined_by": "or"}),
    ("Weight less than 30 kg: 10 mg/kg given as an IV infusion every 4 weeks",
     {"applies_when": "Weight less than 30 kg", "amount": 10, "unit": "mg/kg",
      "timing": {"frequency": 1, "period": 4, "period_unit": "wk"}}),
    ("8 mg/kg given as an IV infusion every 4 weeks (maximum 800 mg per infusion)",
     {"amount": 8, "max_per_administration": {"value": 800, "unit": "mg"}}),
    ("162 mg given subcutaneously every 2 weeks",
     {"amount": 162, "unit": "mg", "route": "subcutaneous",
      "timing": {"frequency": 1, "period": 2, "period_unit": "wk"}}),
    ("1,000 mg given as an IV infusion once", {"amount": 1000, "timing": None}),
    ("5 mg/kg given as an IV infusion at weeks 0, 2, and 6, then every 8 weeks; "
     "may increase to 10 mg/kg",
     {"amount": 5, "escalation_to": {"value": 10, "unit": "mg/kg"},
      "timing": {"frequency": 1, "period": 8, "period_unit": "wk"}}),
    ("4 mg/kg given as an IV infusion every 4 weeks; may increase to 8 mg/kg "
     "(maximum 800 mg per infusion)",
     {"amount": 4, "escalation_to": {"value": 8, "unit": "mg/kg"},
      "max_per_administration": {"value": 800, "unit": "mg"}}),
    ("2.5 mg given orally twice daily",
     {"amount": 2.5, "route": "oral", "timing": {"frequency": 2, "period": 1, "period_unit": "d"}}),
    ("Dosing per prescriber", {"amount": None, "unit": None, "route": None, "timing": None}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), DOSES)
def test_dose_phrases(text: str, expected: dict[str, Any]) -> None:
    dose = parse_dose(text)
    assert dose.text == expected.get("text", text), "the verbatim text is kept (connector aside)"
    got = dose.model_dump()
    for key, value in expected.items():
        assert got[key] == value, key


PERIODS: list[tuple[str, dict[str, Any]]] = [
    ("To allow for up to 21 doses", {"max_doses": 21, "duration": None, "phase": None}),
    ("Up to 44 days", {"duration": {"value": 44, "unit": "d"}, "max_doses": None}),
    ("Initial: 6 months", {"phase": "initial", "duration": {"value": 6, "unit": "mo"}}),
    ("Continuation: Yearly, based upon documented positive clinical response",
     {"phase": "continuation", "duration": {"value": 1, "unit": "a"}}),
    ("To allow for up to 4 doses, at least 8 hours apart",
     {"max_doses": 4, "min_interval": {"value": 8, "unit": "h"}, "duration": None}),
    ("40 mg/kg dose for 4 days, or",
     {"duration": {"value": 4, "unit": "d"}, "text": "40 mg/kg dose for 4 days",
      "joined_by": "or"}),
    ("Up to 12 weeks", {"duration": {"value": 12, "unit": "wk"}}),
    ("As determined by the plan", {"duration": None, "max_doses": None}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), PERIODS)
def test_period_phrases(text: str, expected: dict[str, Any]) -> None:
    period = parse_period(text)
    assert period.text == expected.get("text", text)
    got = period.model_dump()
    for key, value in expected.items():
        assert got[key] == value, key


def test_period_names_its_dose_by_amount() -> None:
    doses = [parse_dose("40 mg/kg given once daily, or"), parse_dose("15 mg/kg given once daily")]
    assert link_period_to_dose(parse_period("40 mg/kg dose for 4 days, or"), doses) == 0
    assert link_period_to_dose(parse_period("15 mg/kg dose for 5 days"), doses) == 1
    assert link_period_to_dose(parse_period("20 mg/kg dose for 5 days"), doses) is None
    assert link_period_to_dose(parse_period("Up to 44 days"), [Dose(text="x")]) is None


OPERATORS = [
    ("Meets medical necessity if all the following are met:", ("all", None)),
    ("Meets either of the following:", ("any", None)),
    ("Either of the following", ("any", None)),
    ("One of the following:", ("any", None)),
    ("Any of the following", ("any", None)),
    ("At least two of the following:", ("at_least", 2)),
    ("At least 3 of the following", ("at_least", 3)),
    ("For graft-versus-host disease and all the following:", ("all", None)),
    ("Both of the following", ("all", None)),
    ("Used for steroid refractory disease", (None, None)),
]


@pytest.mark.parametrize(("text", "expected"), OPERATORS)
def test_criteria_operator_phrases(text: str, expected: tuple[str | None, int | None]) -> None:
    assert criteria_operator(text) == expected


def test_icd10_line_mixes_ranges_and_single_codes() -> None:
    codes, leftover = parse_icd10_line("M05.00-M05.9, M06.00 – M06.9, D46.A, T80.82XA")
    assert leftover == ""
    assert [c.code for c in codes] == ["M05.00-M05.9", "M06.00-M06.9", "D46.A", "T80.82XA"]
    assert (codes[0].start, codes[0].end) == ("M05.00", "M05.9")
    assert codes[2].start is None and codes[2].end is None


def test_icd10_line_with_one_code_and_words_keeps_the_description() -> None:
    codes, leftover = parse_icd10_line("T86.11 Kidney transplant rejection")
    assert [c.code for c in codes] == ["T86.11"]
    assert codes[0].description == "Kidney transplant rejection"
    assert leftover == ""


def test_icd10_line_returns_what_is_not_a_code() -> None:
    codes, leftover = parse_icd10_line("D61.9, see also the appendix, D46.0")
    assert [c.code for c in codes] == ["D61.9", "D46.0"]
    assert "appendix" in leftover


def test_hcpcs_line() -> None:
    code = parse_hcpcs_line("J7504:Lymphocyte immune globulin, equine, parenteral, 250 mg")
    assert code is not None
    assert code.code == "J7504"
    assert code.description == "Lymphocyte immune globulin, equine, parenteral, 250 mg"
    assert parse_hcpcs_line("Lymphocyte immune globulin") is None


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=120))
def test_phrase_parsers_never_raise_and_keep_the_text(text: str) -> None:
    assert parse_dose(text).text == text
    assert parse_period(text).text == text
    operator, count = criteria_operator(text)
    assert operator in (None, "all", "any", "at_least")
    assert count is None or count >= 2
    codes, leftover = parse_icd10_line(text)
    assert all(code.code for code in codes) and isinstance(leftover, str)
    parse_hcpcs_line(text)


@pytest.mark.parametrize(
    ("text", "operator"),
    [
        ("Approve if the patient meets the following (i and ii):", "all"),
        ("meets ALL of the following criteria (A, B, and C)", "all"),
        ("Approve for 1 year if the patient meets ONE of the following (A or B):", "any"),
        ("the patient has one of the following (a and/or b)", "any"),
        ("Patient is ≥ 18 years of age (see Note)", None),
        ("Methotrexate (oral or injectable)", None),  # no labels enumerated
    ],
)
def test_a_lead_in_enumerating_its_labels_says_how_they_combine(
    text: str, operator: str | None
) -> None:
    from policy_extract.phrases.criteria import enumerated_operator

    assert enumerated_operator(text) == operator
