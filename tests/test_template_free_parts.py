"""The template-free reader's labelled parts of an indication: doses, coverage periods and
ICD-10 codes under a label heading ("Covered Doses:") or a bold lead ("Dosing. Approve ...")."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES
from policy_extract.loaders import load_document
from policy_extract.loaders.markdown import parse_markdown
from policy_extract.model import ConditionCoverage, Policy
from policy_extract.pipeline import extract_document, run_pipeline
from policy_extract.profiles.reader.parts import part_label

ROOT = Path(__file__).parent.parent
PROFILES_OFF = ["bsc", "uhc", "cigna", "fep", "anthem", "emblem", "druglist"]

# A payer no profile knows, printing each indication's parts two ways.
_UNKNOWN_PAYER = """\
# Drug Coverage Guideline: Velotumab (Velorex®)

Guideline Number: NW-1042

## Clinical Criteria

### Neuromyelitis Optica Spectrum Disorder

Velorex is medically necessary for the treatment of neuromyelitis optica spectrum disorder when \
all of the following criteria are met:

1. Patient is 18 years of age or older
2. Diagnosis is confirmed by a positive anti-aquaporin-4 antibody test

**Covered Doses:**

300 mg given as an intravenous infusion on day 1 and day 15

or

600 mg given as an intravenous infusion every 6 months

**Coverage Period:**

Initial: 6 months

Continuation: 12 months

**ICD-10:**

G36.0

### Myasthenia Gravis

Velorex is medically necessary for the treatment of generalized myasthenia gravis when all of \
the following criteria are met:

1. Patient is anti-acetylcholine receptor antibody positive
2. Dose escalation is allowed only after a documented response

**Dosing.** Initial Therapy. Approve up to 900 mg intravenously every 2 weeks.

## Coding

**ICD-10 Codes**

G36.0, G70.00
"""


def _read(text: str) -> Policy:
    return extract_document(parse_markdown(text))


def _condition(policy: Policy, name: str) -> ConditionCoverage:
    return next(c for c in policy.coverage if c.condition == name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Covered Doses:", ("doses", "")),
        ("Dosing. Approve up to 60 mg", ("doses", "Approve up to 60 mg")),
        ("Dosage and Administration", ("doses", "")),
        ("Coverage Period:", ("periods", "")),
        ("ICD-10: T86.11", ("icd10", "T86.11")),
        ("ICD-10-CM Diagnosis Codes:", ("icd10", "")),
        ("Dose escalation is allowed after 12 weeks", None),
        ("Dosed by weight", None),
        ("The covered doses are listed below:", None),
    ],
)
def test_a_part_is_a_label_at_the_start_of_its_line(
    text: str, expected: tuple[str, str] | None
) -> None:
    assert part_label(text) == expected


def test_label_headings_give_the_indication_above_its_doses_periods_and_codes() -> None:
    policy = _read(_UNKNOWN_PAYER)
    assert policy.source is not None and policy.source.profile == "generic"
    nmosd = _condition(policy, "neuromyelitis optica spectrum disorder")
    assert [(d.amount, d.unit, d.route) for d in nmosd.doses] == [
        (300, "mg", "intravenous"),
        (600, "mg", "intravenous"),
    ]
    assert nmosd.doses[0].joined_by == "or"  # the line that is only "or"
    assert nmosd.doses[1].text == "600 mg given as an intravenous infusion every 6 months"
    assert [
        (p.phase, p.duration.value if p.duration else None) for p in nmosd.coverage_periods
    ] == [
        ("initial", 6),
        ("continuation", 12),
    ]
    assert [code.code for code in nmosd.icd10] == ["G36.0"]
    code_line = _UNKNOWN_PAYER.split("\n").index("G36.0") + 1
    assert nmosd.icd10[0].span is not None and nmosd.icd10[0].span.line_start == code_line


def test_a_bold_lead_after_the_criteria_gives_the_dose_and_when_it_applies() -> None:
    gmg = _condition(_read(_UNKNOWN_PAYER), "generalized myasthenia gravis")
    assert gmg.criteria is not None and len(gmg.criteria.children) == 2  # not the dose line
    [dose] = gmg.doses
    assert (dose.amount, dose.unit, dose.up_to, dose.applies_when) == (
        900,
        "mg",
        True,
        "Initial Therapy",
    )
    assert dose.text == "Initial Therapy. Approve up to 900 mg intravenously every 2 weeks."


def test_a_coding_section_after_the_last_indication_stays_the_documents() -> None:
    policy = _read(_UNKNOWN_PAYER)
    assert _condition(policy, "generalized myasthenia gravis").icd10 == []
    assert [code.code for code in policy.icd10] == ["G36.0", "G70.00"]


def test_a_line_no_grammar_reads_is_not_made_a_dose() -> None:
    text = _UNKNOWN_PAYER.replace(
        "600 mg given as an intravenous infusion every 6 months", "velotumab-abcd (Velorex)"
    )
    nmosd = _condition(_read(text), "neuromyelitis optica spectrum disorder")
    assert [d.amount for d in nmosd.doses] == [300]


def test_without_its_profile_the_reference_layout_gives_the_profiles_parts() -> None:
    checked = 0
    for path in [ROOT / "source_docs" / "atgam.md", *sorted(FIXTURES.glob("*.md"))]:
        document = load_document(path)
        with_profile = run_pipeline(document).policy
        if with_profile.source is None or with_profile.source.profile != "bsc":
            continue  # another template: its profile's parts are its own
        checked += 1
        without = {c.condition: c for c in run_pipeline(document, PROFILES_OFF).policy.coverage}
        for condition in with_profile.coverage:
            found = without[condition.condition]
            where = f"{path.name}: {condition.condition}"
            assert [(d.text, d.amount, d.unit) for d in found.doses] == [
                (d.text, d.amount, d.unit) for d in condition.doses
            ], where
            assert [c.code for c in found.icd10] == [c.code for c in condition.icd10], where
            listed = [(p.text, p.duration, p.max_doses) for p in found.coverage_periods]
            expected = [(p.text, p.duration, p.max_doses) for p in condition.coverage_periods]
            assert listed == expected, where
    assert checked >= 5  # the seed and the BSC fixtures


def test_plain_text_headings_are_short_lines_set_apart() -> None:
    from policy_extract.loaders.text import parse_text
    from policy_extract.profiles.reader.plain_headings import plain_text_headings

    text = "\n\n".join(
        [
            "velotumab",  # the first line: the title, whatever its case
            "Coverage Criteria",
            "Neuromyelitis Optica",
            "Meets medical necessity if all the following are met:",
            "1. Patient is 18 years of age or older",
            "Covered Doses:",
            "300 mg given as an intravenous infusion",  # a dose: digits
            "Continuation: Yearly, based upon response",  # a field
            "ICD-10:",
            "The member's benefit may impact coverage.",  # a sentence
        ]
    )
    blocks = plain_text_headings(parse_text(text).blocks)
    headings = [b.text for b in blocks if b.kind == "heading"]
    assert headings == [
        "velotumab",
        "Coverage Criteria",
        "Neuromyelitis Optica",
        "Meets medical necessity if all the following are met:",
        "Covered Doses:",
        "ICD-10:",
    ]
    wrapped = parse_text("Intro line\nCoverage Criteria\n\nA sentence.").blocks  # not apart
    assert all(b.kind != "heading" for b in plain_text_headings(wrapped))


def test_a_document_with_headings_keeps_its_own() -> None:
    from policy_extract.profiles.reader.plain_headings import plain_text_headings

    blocks = parse_markdown("# Title\n\nCoverage Criteria\n\nText.").blocks
    assert plain_text_headings(blocks) == blocks


def test_without_its_profile_the_reference_layout_in_plain_text_reads_as_with_it() -> None:
    document = load_document(FIXTURES / "methotrexate_inj.txt")
    with_profile = run_pipeline(document).policy
    without = run_pipeline(document, PROFILES_OFF).policy
    assert without.title == with_profile.title
    assert [c.condition.lower() for c in without.coverage] == [
        c.condition.lower() for c in with_profile.coverage
    ]
    for found, condition in zip(without.coverage, with_profile.coverage, strict=True):
        assert found.criteria is not None and condition.criteria is not None
        assert (found.criteria.operator, len(found.criteria.children)) == (
            condition.criteria.operator,
            len(condition.criteria.children),
        )
        assert found.prior_authorization_required == condition.prior_authorization_required
        assert [d.text for d in found.doses] == [d.text for d in condition.doses]
        assert [c.code for c in found.icd10] == [c.code for c in condition.icd10]
        assert [p.text for p in found.coverage_periods] == [
            p.text for p in condition.coverage_periods
        ]


def test_a_duration_stated_for_a_phase_wins_over_the_indications_own() -> None:
    # "Chronic Spontaneous Urticaria. Approve for 1 year if ... A) Initial Therapy. Approve for 6
    # months if ...; B) Patient is Currently Receiving ...": 6 months initial, 1 year after.
    policy = run_pipeline(load_document(FIXTURES / "cigna_zorvimab.md"), PROFILES_OFF).policy
    urticaria = _condition(policy, "Chronic Spontaneous Urticaria")
    durations = {
        p.phase: (p.duration.value, p.duration.unit)
        for p in urticaria.coverage_periods
        if p.duration is not None
    }
    assert durations == {"initial": (6, "mo"), "continuation": (1, "a")}


def test_a_continuation_naming_the_indication_by_its_abbreviation_is_that_indications() -> None:
    # "Continuation requests for Tezurel (tezulimab) for HS may be approved if ..."
    policy = run_pipeline(load_document(FIXTURES / "anthem_tezulimab.md"), PROFILES_OFF).policy
    assert [c.condition.lower() for c in policy.coverage] == [
        "plaque psoriasis",
        "hidradenitis suppurativa (hs)",
    ]
    hidradenitis = policy.coverage[1]
    assert hidradenitis.criteria is not None and hidradenitis.continuation_criteria is not None
    assert len(hidradenitis.continuation_criteria.children) == 1


def test_a_bullet_stating_the_approval_length_is_a_period_not_a_criterion() -> None:
    text = """\
# Velotumab Drug Policy

## Clinical Criteria

Velorex is medically necessary for the treatment of sialorrhea when all of the following \
criteria are met:

- Diagnosis of sialorrhea; and
- History of failure of one anticholinergic; and
- Initial authorization will be for no more than 12 months
"""
    [sialorrhea] = _read(text).coverage
    assert sialorrhea.criteria is not None
    assert [c.text for c in sialorrhea.criteria.children] == [
        "Diagnosis of sialorrhea; and",
        "History of failure of one anticholinergic; and",
    ]
    [period] = sialorrhea.coverage_periods
    assert period.duration is not None and (period.duration.value, period.duration.unit) == (
        12,
        "mo",
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Initial authorization will be for no more than 12 months", True),
        ("Reauthorization is for 1 year", True),
        ("Authorization will be issued for 6 months", True),
        ("Approval is for patients 18 years of age or older", False),  # no duration
        ("Patient has been on therapy for 6 months", False),
    ],
)
def test_a_duration_statement_states_only_how_long_approval_lasts(
    text: str, expected: bool
) -> None:
    from policy_extract.phrases.approval import is_duration_statement

    assert is_duration_statement(text) is expected
