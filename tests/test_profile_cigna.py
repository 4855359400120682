"""The Cigna Drug Coverage Policy profile: recognition, front matter, products, indications with
initial and continuation criteria, approval durations, doses, exclusions and the version diff."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from conftest import FIXTURES, REAL_CORPUS, fixture_documents
from policy_extract.diff import diff_policies
from policy_extract.loaders import load_document
from policy_extract.model import ConditionCoverage, Policy
from policy_extract.pipeline import extract, run_pipeline
from policy_extract.profiles import choose_profile
from policy_extract.profiles.cigna_coverage import operator_of
from policy_extract.verify import verify_extraction

FIXTURE = FIXTURES / "cigna_zorvimab.md"


@functools.cache
def _extract(path: Path) -> Policy:
    return extract(path)


def _condition(policy: Policy, name: str) -> ConditionCoverage:
    return next(c for c in policy.coverage if c.condition == name)


def _durations(condition: ConditionCoverage) -> list[tuple[str | None, float | None, str | None]]:
    return [
        (p.phase, p.duration.value if p.duration else None, p.duration.unit if p.duration else None)
        for p in condition.coverage_periods
    ]


# --- the hand-written fixture ----------------------------------------------------------------


class TestFixture:
    def test_recognised_with_evidence(self) -> None:
        policy = _extract(FIXTURE)
        assert policy.source is not None and policy.source.profile == "cigna"
        assert "field 'Coverage Policy Number'" in policy.source.profile_evidence
        assert not [w for w in policy.warnings if w.code == "template-not-recognised"]

    def test_front_matter(self) -> None:
        policy = _extract(FIXTURE)
        assert (
            policy.title == "Dermatologic Conditions – Zorvimab Products Prior Authorization Policy"
        )
        assert (policy.policy_number, policy.effective_date, policy.payer) == (
            "IP0999",
            "2026-04-01",
            "Cigna",
        )
        assert {"title", "policy_number", "effective_date", "payer"} <= policy.spans.keys()

    def test_products_drug_and_their_hcpcs(self) -> None:
        policy = _extract(FIXTURE)
        assert [(p.name, p.generic_name, p.hcpcs) for p in policy.products] == [
            ("Zorvexa", "zorvimab", ["J3590"]),
            ("Zorvinda", "zorvimab-qwer", ["C9399"]),
        ]
        assert policy.drug.generic_name == "zorvimab"
        assert policy.drug.brand_names == ["Zorvexa", "Zorvinda"]
        assert [h.code for h in policy.drug_details.hcpcs] == ["J3590", "C9399"]

    def test_indications_in_document_order_with_prior_authorization(self) -> None:
        policy = _extract(FIXTURE)
        assert [c.condition for c in policy.coverage] == [
            "Atopic Dermatitis",
            "Chronic Spontaneous Urticaria",
            "Prurigo Nodularis",
        ]
        assert {c.prior_authorization_required for c in policy.coverage} == {True}

    def test_initial_and_continuation_blocks(self) -> None:
        atopic = _condition(_extract(FIXTURE), "Atopic Dermatitis")
        assert atopic.criteria is not None and atopic.continuation_criteria is not None
        assert (atopic.criteria.label, atopic.criteria.operator) == ("A", "all")
        assert [c.label for c in atopic.criteria.children] == ["i", "ii", "iii"]
        either = atopic.criteria.children[1]
        assert (either.operator, len(either.children)) == ("any", 2)
        # The note between a) and b) belongs to a), and b) is still a sibling of a).
        assert either.children[0].text.endswith("fluocinolone 0.025% ointment.")
        assert atopic.continuation_criteria.operator == "all"
        assert len(atopic.continuation_criteria.children) == 2
        assert _durations(atopic) == [("initial", 4, "mo"), ("continuation", 1, "a")]

    def test_enumeration_gives_the_operator_and_the_lead_gives_a_missing_duration(self) -> None:
        urticaria = _condition(_extract(FIXTURE), "Chronic Spontaneous Urticaria")
        assert urticaria.criteria is not None
        assert urticaria.criteria.operator == "all"  # "meets the following (i and ii)"
        # "B) ... Approve if ...": the indication's "Approve for 1 year" covers it.
        assert _durations(urticaria) == [("initial", 6, "mo"), ("continuation", 1, "a")]

    def test_single_block_indication(self) -> None:
        prurigo = _condition(_extract(FIXTURE), "Prurigo Nodularis")
        assert prurigo.criteria is not None and prurigo.continuation_criteria is None
        assert (prurigo.criteria.operator, len(prurigo.criteria.children)) == ("all", 3)
        assert _durations(prurigo) == [("initial", 6, "mo")]

    def test_doses(self) -> None:
        policy = _extract(FIXTURE)
        atopic = _condition(policy, "Atopic Dermatitis")
        assert [(d.amount, d.unit, d.route, d.applies_when) for d in atopic.doses] == [
            (60, "mg", "subcutaneous", "Initial Therapy"),
            (60, "mg", "subcutaneous", "Patient is Currently Receiving a Zorvimab Product"),
        ]
        assert [d.timing.period if d.timing else None for d in atopic.doses] == [2, 4]
        prurigo = _condition(policy, "Prurigo Nodularis")
        assert [(d.amount, d.unit) for d in prurigo.doses] == [(60, "mg")]

    def test_conditions_not_covered(self) -> None:
        [statement] = _extract(FIXTURE).not_covered
        assert statement.text.startswith("Concurrent Use with Another Biologic")
        assert statement.text.endswith("topical therapies with zorvimab products.")

    def test_every_line_accounted_for(self) -> None:
        report = verify_extraction(run_pipeline(load_document(FIXTURE)))
        assert report.ok, report.problems

    def test_missing_indications_are_a_warning_naming_the_section(self, tmp_path: Path) -> None:
        text = FIXTURE.read_text(encoding="utf-8")
        start = text.index("**FDA-Approved Indications**")
        end = text.index("**Conditions Not Covered**")
        path = tmp_path / "cigna_no_indications.md"
        path.write_text(text[:start] + text[end:], encoding="utf-8")
        policy = extract(path)
        assert policy.source is not None and policy.source.profile == "cigna"
        assert policy.coverage == []
        assert any("FDA-Approved Indications" in w.message for w in policy.warnings)


def test_diff_reads_continuation_criteria_and_exclusions(tmp_path: Path) -> None:
    text = FIXTURE.read_text(encoding="utf-8")
    dropped = "     - ii. Patient experienced a beneficial clinical response, defined as reduced"
    start = text.index(dropped)
    edited = text[:start] + text[text.index("\n", start) + 1 :]
    exclusion = "2. Use in Combination with Phototherapy. Not established as safe.\n\n"
    edited = edited.replace("**Coding Information**", exclusion + "**Coding Information**")
    path = tmp_path / "cigna_zorvimab_next.md"
    path.write_text(edited, encoding="utf-8")
    changes = diff_policies(_extract(FIXTURE), extract(path)).changes
    impacts = {(c.kind, c.path): c.impact for c in changes}
    removed = ("removed", "coverage[atopic-dermatitis].continuation_criteria.children[1]")
    assert impacts[removed] == "broadens"  # one fewer of ALL required criteria
    assert impacts[("added", "not_covered")] == "narrows"


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Approve if the patient meets the following (i, ii, and iii):", ("all", None)),
        ("Approve for 1 year if the patient meets the following (A or B):", ("any", None)),
        ("Approve the following dosing regimens (A and/or B):", ("any", None)),
        ("Patient meets one of the following [(1) or (2)]:", ("any", None)),
        ("Patient meets BOTH of the following (i and ii):", ("all", None)),
        ("Patient is ≥ 18 years of age; AND", (None, None)),
    ],
)
def test_operator_from_the_enumeration(text: str, expected: tuple[str | None, None]) -> None:
    assert operator_of(text) == expected


@pytest.mark.parametrize(
    "path", [p for p in fixture_documents() if not p.name.startswith("cigna_")]
)
def test_other_templates_do_not_choose_cigna(path: Path) -> None:
    profile, _ = choose_profile(load_document(path).blocks)
    assert profile.name != "cigna"


# --- real Cigna PDFs -------------------------------------------------------------------------

INFLIXIMAB_OLD = "cigna_infliximab_iv_IP0660_eff2026-01-01.pdf"
INFLIXIMAB = "cigna_infliximab_iv_IP0660_eff2026-03-15.pdf"
OCREVUS = "cigna_ocrelizumab_ocrevus_IP0212_eff2025-11-01.pdf"


def _real(name: str) -> Policy:
    path = REAL_CORPUS / name
    if not path.exists():
        pytest.skip(f"real payer PDF {name} not found under {REAL_CORPUS}")
    return _extract(path)


def test_infliximab_front_matter_products_and_codes() -> None:
    policy = _real(INFLIXIMAB)
    assert policy.source is not None and policy.source.profile == "cigna"
    assert policy.title == (
        "Inflammatory Conditions – Infliximab Intravenous Products Prior Authorization Policy"
    )
    assert (policy.policy_number, policy.effective_date) == ("IP0660", "2026-03-15")
    assert policy.drug.generic_name == "infliximab"
    assert sorted(policy.drug.brand_names) == ["Avsola", "Inflectra", "Remicade", "Renflexis"]
    assert sorted(h.code for h in policy.drug_details.hcpcs) == ["J1745", "Q5103", "Q5104", "Q5121"]
    tied = {p.name: p.hcpcs for p in policy.products}
    assert tied["Avsola"] == ["Q5121"] and tied["Remicade"] == ["J1745"]


def test_infliximab_seventeen_indications_with_both_phases() -> None:
    policy = _real(INFLIXIMAB)
    assert len(policy.coverage) == 17
    assert policy.coverage[15].condition == "Spondyloarthritis, Other Subtypes"  # no period
    for condition in policy.coverage:
        assert condition.criteria is not None and condition.criteria.operator == "all"
        assert condition.continuation_criteria is not None, condition.condition
        assert [p.phase for p in condition.coverage_periods] == ["initial", "continuation"]
    gvhd = _condition(policy, "Graft-Versus-Host Disease")
    assert _durations(gvhd) == [("initial", 1, "mo"), ("continuation", 3, "mo")]
    # Behcet's continuation block is mislabelled "A)" in the PDF: its wording decides.
    behcet = _condition(policy, "Behcet’s Disease")
    assert behcet.continuation_criteria is not None
    assert behcet.continuation_criteria.text.startswith("Patient is Currently Receiving")


def test_infliximab_wrapped_lines_and_notes_stay_with_their_item() -> None:
    pyoderma = _condition(_real(INFLIXIMAB), "Pyoderma Gangrenosum")
    assert pyoderma.criteria is not None and pyoderma.continuation_criteria is not None
    assert pyoderma.criteria.text.endswith("(i, ii, and iii)")  # "iii):" wrapped to a line
    assert len(pyoderma.criteria.children) == 3
    assert len(pyoderma.continuation_criteria.children) == 3
    assert pyoderma.continuation_criteria.operator == "all"


def test_ocrevus_lead_duration_covers_continuation() -> None:
    policy = _real(OCREVUS)
    relapsing = _condition(policy, "Multiple Sclerosis, Relapsing Forms")
    assert relapsing.criteria is not None and relapsing.criteria.operator == "all"
    assert len(relapsing.criteria.children) == 3
    assert _durations(relapsing) == [("initial", 1, "a"), ("continuation", 1, "a")]
    progressive = _condition(policy, "Multiple Sclerosis, Primary Progressive")
    assert progressive.continuation_criteria is None
    assert _durations(progressive) == [("initial", 1, "a")]
    assert [(d.amount, d.unit) for d in progressive.doses] == [(300, "mg"), (600, "mg")]


def test_removed_indication_is_a_removed_condition_that_narrows() -> None:
    old, new = _real(INFLIXIMAB_OLD), _real(INFLIXIMAB)
    removed = [
        c
        for c in diff_policies(old, new).changes
        if c.kind == "removed" and c.path == "coverage[stills-disease]"
    ]
    assert len(removed) == 1 and removed[0].impact == "narrows"
    assert "Still’s Disease" in removed[0].summary


@pytest.mark.parametrize(
    "name",
    [
        "anthem_dupixent_CC-0029_2025-09.pdf",
        "bcbsa_fep_spinraza_2025.pdf",
        "emblemhealth_prime_denosumab_IC-0098_rev2025-11-04.pdf",
    ],
)
def test_other_payers_pdfs_do_not_choose_cigna(name: str) -> None:
    """One short PDF per other payer (the long UHC and Priority Health files are left to the
    convert run: reading them takes too long for a unit test)."""
    path = REAL_CORPUS / name
    if not path.exists():
        pytest.skip(f"real payer PDF {name} not found under {REAL_CORPUS}")
    profile, _ = choose_profile(load_document(path).blocks)
    assert profile.name != "cigna"
