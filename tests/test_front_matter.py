"""Contract v1.1 front matter: dates, effective date, policy number, payer, approval durations."""

from __future__ import annotations

import pytest

from policy_extract.blocks import Block, Furniture, Span
from policy_extract.model import PolicyDate, choose_effective_date
from policy_extract.phrases.approval import parse_approval
from policy_extract.phrases.dates import find_dated_statements, parse_date
from policy_extract.profiles._fields import (
    find_icd10_codes,
    read_header_number,
    read_policy_number,
)
from policy_extract.profiles._payers import find_payer


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("03/15/2026", "2026-03-15"),
        ("2025-09-10", "2025-09-10"),
        ("January 1, 2026", "2026-01-01"),
        ("Mar 10, 2025", "2025-03-10"),
        ("09/2025", "2025-09-01"),
        ("March 2025", "2025-03-01"),
        ("3Q2025", "2025-07-01"),
        ("13/45/2025", None),
        ("Smarch 3, 2025", None),
    ],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Effective Date .................. 03/15/2026", [("effective", "2026-03-15")]),
        (
            "Section: | Prescription Drugs | Effective Date: | April 1, 2025",
            [("effective", "2025-04-01")],
        ),
        ("Document #: CC-0029 | Publish Date: | 09/10/2025", [("published", "2025-09-10")]),
        ("Status: | Revised | Last Review Date: 08/15/2025", [("reviewed", "2025-08-15")]),
        ("Date of Origin: 11/28/2011", [("original", "2011-11-28")]),
        (
            "Dates Reviewed: 12/2011, 11/2025",
            [("reviewed", "2011-12-01"), ("reviewed", "2025-11-01")],
        ),
        ("Next Review Date: 01/2027", [("next_review", "2027-01-01")]),
        # A date inside a sentence is not the policy's date.
        ("Q5161 – Injection, biosimilar, 1 mg (Effective 04/01/2026)", []),
    ],
)
def test_labelled_dates(line: str, expected: list[tuple[str, str]]) -> None:
    assert [(s.kind, s.date) for s in find_dated_statements(line)] == expected


def _date(kind: str, date: str) -> PolicyDate:
    return PolicyDate.model_validate({"kind": kind, "date": date, "text": f"{kind} {date}"})


def test_effective_date_rule() -> None:
    published, reviewed = _date("published", "2025-09-10"), _date("reviewed", "2025-08-15")
    assert choose_effective_date([published, reviewed]) == reviewed  # review beats publication
    effective = _date("effective", "2025-01-01")
    assert choose_effective_date([reviewed, effective]) == effective  # explicit date wins
    assert choose_effective_date([_date("next_review", "2026-01-01")]) is None


@pytest.mark.parametrize(
    ("text", "duration", "phase", "max_doses"),
    [
        (
            "Initial Therapy. Approve for 6 months if the patient meets BOTH",
            (6, "mo"),
            "initial",
            None,
        ),
        (
            "Patient is Currently Receiving the drug. Approve for 1 year if",
            (1, "a"),
            "continuation",
            None,
        ),
        ("Initial authorization will be for no more than 12 months", (12, "mo"), "initial", None),
        ("Reauthorization will be for no more than 12 months", (12, "mo"), "continuation", None),
        ("Continuation Requests: 12 months", (12, "mo"), "continuation", None),
        ("Approval duration: 180 days", (180, "d"), None, None),
        (
            "Renewal: validity may be renewed every 12 months thereafter.",
            (12, "mo"),
            "continuation",
            None,
        ),
        ("One infusion (only one approval for one infusion per lifetime)", None, None, 1),
        ("Patient has tried one agent for at least 3 months", None, None, None),
    ],
)
def test_approval_durations(
    text: str, duration: tuple[int, str] | None, phase: str | None, max_doses: int | None
) -> None:
    period = parse_approval(text)
    if duration is None and max_doses is None:
        assert period is None
        return
    assert period is not None
    got = (period.duration.value, period.duration.unit) if period.duration else None
    assert (got, period.phase, period.max_doses) == (duration, phase, max_doses)


def _block(text: str, page: int = 1) -> Block:
    return Block(kind="paragraph", text=text, span=Span(page=page, line_start=1, line_end=1))


def test_policy_number_from_a_labelled_field_on_the_first_pages() -> None:
    assert read_policy_number([_block("Coverage Policy Number .......... IP0660")]) is not None
    found = read_policy_number([_block("Intro"), _block("Policy Number: 2026D0017AN")])
    assert found is not None and found[0] == "2026D0017AN"
    assert read_policy_number([_block("Policy Number: 2026D0017AN", page=5)]) is None
    assert read_policy_number([_block("Policy number: none")]) is None


def test_policy_number_printed_alone_in_the_running_header() -> None:
    """FEP prints "5.21.169" unlabelled in a header box every page repeats; a phone number in
    the letterhead, a version "1.0" or a number only page 1 prints is not a policy number."""

    def block(text: str, page: int = 1) -> Block:
        return Block("paragraph", text, Span(page=page, line_start=1, line_end=1))

    def header(text: str) -> Furniture:
        return Furniture(text, "running-header", Span(page=2, line_start=40, line_end=40))

    blocks = [block("1-800-624-5060"), block("1.0"), block("5.21.169"), block("Breyanzi")]
    furniture = [header("1-800-624-5060"), header("1.0"), header("5.21.169")]
    found = read_header_number(blocks, furniture)
    assert found is not None and found[0] == "5.21.169"
    assert read_header_number(blocks, furniture[:2]) is None  # not repeated: not a header
    assert read_header_number([block("CC-0029")], [header("CC-0029")]) == (
        "CC-0029",
        Span(page=1, line_start=1, line_end=1),
    )


def test_icd10_codes_need_icd_context_when_undotted() -> None:
    codes = find_icd10_codes(
        [_block("Vitamin B12 deficiency"), _block("ICD-10: J82, M05.00–M05.9, G24.3")]
    )
    assert [c.code for c in codes] == ["J82", "M05.00-M05.9", "G24.3"]
    assert codes[1].start == "M05.00" and codes[1].end == "M05.9"


def test_payer_from_the_documents_own_words() -> None:
    found = find_payer([_block("This policy applies to plans administered by Cigna Companies.")])
    assert found is not None and found[0] == "Cigna"
    assert find_payer([_block("A drug policy of a plan nobody knows")]) is None


def _heading(text: str) -> Block:
    return Block(kind="heading", text=text, span=Span(page=1, line_start=1, line_end=1))


def test_icd10_table_rows_under_a_coding_heading_and_ranges_broken_over_lines() -> None:
    codes = find_icd10_codes(
        [
            _heading("Diagnosis Code | Description"),
            _block("R61 | Generalized hyperhidrosis | X | X"),
            _block("C50.011-"),
            _block("Malignant neoplasms of breast"),
            _block("C50.929"),
            _heading("Background"),
            _block("Patients with B12 deficiency were excluded."),
        ]
    )
    assert [c.code for c in codes] == ["R61", "C50.011-C50.929"]
