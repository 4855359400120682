"""The BCBSA Federal Employee Program template: diagnoses, their "AND ..." blocks, limits."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, REAL_CORPUS, SEED
from policy_extract.pipeline import extract

FIXTURE = FIXTURES / "fep_velmarex.md"


def test_fixture_is_read_by_the_fep_profile() -> None:
    policy = extract(FIXTURE)
    assert policy.source is not None and policy.source.profile == "fep"
    assert policy.payer == "Blue Cross Blue Shield Association"
    assert (policy.policy_number, policy.effective_date) == ("5.70.042", "2025-07-01")
    assert policy.drug.generic_name == "tolcibrutamab" and policy.drug.brand_names == ["Velmarex"]


def test_a_version_naming_only_the_program_has_the_associations_payer(tmp_path: Path) -> None:
    """Some FEP versions print "Federal Employee Program" where others print the Association:
    both are one payer, so every version of one policy keeps one payer (and one identity)."""
    text = FIXTURE.read_text(encoding="utf-8").replace(
        "Blue Cross Blue Shield Association", "Federal Employee Program®", 1
    )
    assert "Association" not in text
    source = tmp_path / "fep_program_only.md"
    source.write_text(text, encoding="utf-8")
    policy = extract(source)
    assert policy.source is not None and policy.source.profile == "fep"
    assert policy.payer == "Blue Cross Blue Shield Association"
    assert policy.spans["payer"].line_start == 1


def test_diagnoses_with_their_own_and_blocks() -> None:
    itp, waiha = extract(FIXTURE).coverage
    assert itp.condition == "Chronic immune thrombocytopenia (ITP)"
    assert itp.prior_authorization_required is True
    # The diagnosis with its sub-items, AND the block that names it "ONLY": all of two.
    assert itp.criteria is not None and itp.criteria.operator == "all"
    assert [len(child.children) for child in itp.criteria.children] == [2, 2]
    assert waiha.criteria is not None and waiha.criteria.operator is None
    assert [child.text for child in waiha.criteria.children] == ["Hemoglobin of 10 g/dL or less"]


def test_blocks_for_all_diagnoses_are_general_criteria() -> None:
    general = extract(FIXTURE).general_criteria
    assert general is not None and general.operator == "all"
    texts = [child.text for child in general.children]
    assert texts[0].startswith("Age 18 years")
    assert texts[1].startswith("AND ALL of the following for ALL diagnoses")
    assert len(general.children[1].children) == 3


def test_renewal_requirements_and_limits() -> None:
    itp, waiha = extract(FIXTURE).coverage
    assert itp.continuation_criteria is not None
    assert len(itp.continuation_criteria.children) == 2
    assert waiha.continuation_criteria is None
    periods = [
        (p.phase, p.duration and p.duration.value, p.max_doses) for p in itp.coverage_periods
    ]
    assert periods == [("initial", None, 4), ("initial", 6, None), ("continuation", 12, None)]


def test_other_templates_do_not_choose_fep() -> None:
    policy = extract(SEED)
    assert policy.source is not None and policy.source.profile == "bsc"


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason=f"real corpus not found at {REAL_CORPUS}")
@pytest.mark.parametrize("name", ["bcbsa_fep_breyanzi_2025.pdf", "bcbsa_fep_spinraza_2025.pdf"])
def test_real_fep_policies(name: str) -> None:
    policy = extract(REAL_CORPUS / name)
    assert policy.source is not None and policy.source.profile == "fep"
    assert policy.policy_number is not None and policy.coverage
    assert all(c.criteria is not None for c in policy.coverage)


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason=f"real corpus not found at {REAL_CORPUS}")
def test_other_payers_do_not_choose_fep() -> None:
    others = [p for p in sorted(REAL_CORPUS.glob("*.pdf")) if "fep" not in p.name]
    for path in others[:3]:
        policy = extract(Path(path))
        assert policy.source is not None and policy.source.profile != "fep", path.name


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason=f"real corpus not found at {REAL_CORPUS}")
def test_fep_revision_diff_names_changed_criteria_without_repeating_them_as_outline_noise() -> None:
    from policy_extract.diff import diff_policies

    old = extract(REAL_CORPUS / "bcbsa_fep_breyanzi_2024.pdf")
    new = extract(REAL_CORPUS / "bcbsa_fep_breyanzi_2025.pdf")
    changes = diff_policies(old, new).changes
    added = {c.summary for c in changes if c.kind == "added" and c.path.startswith("coverage[")}
    assert any("mantle cell lymphoma" in summary for summary in added)
    criteria_texts = {"Refractory to first-line chemoimmunotherapy"}
    noise = [c for c in changes if c.path.startswith("outline") and criteria_texts & {str(c.new)}]
    assert noise == []
