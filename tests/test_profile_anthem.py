"""The Anthem (Carelon) clinical-criteria template: indications, durations, exclusions, codes."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, REAL_CORPUS, SEED
from policy_extract.blocks import Block, Span
from policy_extract.outline import build_list_tree
from policy_extract.pipeline import extract

FIXTURE = FIXTURES / "anthem_tezulimab.md"
REAL = REAL_CORPUS / "anthem_dupixent_CC-0029_2025-09.pdf"
needs_corpus = pytest.mark.skipif(
    not REAL_CORPUS.is_dir(), reason=f"real corpus not found at {REAL_CORPUS}"
)


def one_pdf_per_payer(exclude: tuple[str, ...]) -> list[Path]:
    """The first real PDF of each payer (the file-name prefix), except the ``exclude`` ones."""
    firsts: dict[str, Path] = {}
    for path in sorted(REAL_CORPUS.glob("*.pdf")):
        payer = path.name.split("_")[0]
        if payer not in exclude:
            firsts.setdefault(payer, path)
    return list(firsts.values())


def test_fixture_is_read_by_the_anthem_profile() -> None:
    policy = extract(FIXTURE)
    assert policy.source is not None and policy.source.profile == "anthem"
    assert any("CC-" in line for line in policy.source.profile_evidence)
    # The template never prints the payer: it comes from the CC- numbering scheme.
    assert (policy.payer, policy.policy_number) == ("Anthem", "CC-0417")
    # No effective date printed: the latest review date wins over the publish date.
    assert policy.effective_date == "2025-02-21"
    assert policy.policy_type == "Medical Drug Clinical Criteria"


def test_indications_with_initial_and_continuation_criteria() -> None:
    psoriasis, hs = extract(FIXTURE).coverage
    assert (psoriasis.condition, hs.condition) == (
        "plaque psoriasis",
        "hidradenitis suppurativa (HS)",
    )
    assert psoriasis.criteria is not None and psoriasis.criteria.operator == "all"
    assert [c.label for c in psoriasis.criteria.children] == ["I", "II", "III"]
    assert psoriasis.criteria.children[2].operator == "any"
    assert len(psoriasis.criteria.children[2].children) == 3
    # "Continuation requests ... for HS" names the indication by its abbreviation.
    assert hs.continuation_criteria is not None
    assert hs.continuation_criteria.children[0].text.startswith("Individual has a reduction")


def test_approval_duration_box_belongs_to_the_indication_it_names() -> None:
    psoriasis, hs = extract(FIXTURE).coverage
    periods = [(p.phase, p.duration and p.duration.value) for p in psoriasis.coverage_periods]
    assert periods == [("initial", 4), ("continuation", 12)]
    assert hs.coverage_periods == []


def test_not_approved_list_and_codes() -> None:
    policy = extract(FIXTURE)
    assert [s.text.split(";")[0] for s in policy.not_covered] == [
        "In combination with other biologic immunomodulators",
        "Requests for Tezurel (tezulimab) may not be approved when the above criteria are not "
        "met and for all other indications.",
    ]
    assert [h.code for h in policy.drug_details.hcpcs] == ["J3590"]
    psoriasis, hs = policy.coverage
    assert ([c.code for c in psoriasis.icd10], [c.code for c in hs.icd10]) == (["L40.0"], ["L73.2"])
    assert [c.applies_to for c in policy.icd10] == [[psoriasis.id], [hs.id]]
    assert policy.warnings == []


def test_a_repeated_roman_numeral_stays_a_sibling() -> None:
    """COPD criteria print "V." twice: the second is still a top-level item, not a letter."""
    labels = ["I.", "II.", "III.", "IV.", "V.", "V.", "A.", "B.", "VI."]
    items = [
        Block(kind="list_item", text=f"item {n}", span=Span(line_start=n), marker=label)
        for n, label in enumerate(labels, 1)
    ]
    roots = build_list_tree(items)
    assert [node.label for node in roots] == ["I", "II", "III", "IV", "V", "V", "VI"]


def test_other_templates_do_not_choose_anthem() -> None:
    for path in (SEED, FIXTURES / "fep_velmarex.md", FIXTURES / "emblem_romatuzumab.md"):
        policy = extract(path)
        assert policy.source is not None and policy.source.profile != "anthem", path.name


@needs_corpus
def test_real_anthem_policy_matches_its_labels() -> None:
    policy = extract(REAL)
    assert policy.source is not None and policy.source.profile == "anthem"
    assert (policy.payer, policy.policy_number, policy.effective_date) == (
        "Anthem",
        "CC-0029",
        "2025-08-15",
    )
    items = [(len(c.criteria.children) if c.criteria else 0) for c in policy.coverage]
    assert items == [4, 7, 3, 5, 6, 4, 4, 3]  # COPD prints "V." twice: seven items
    with_durations = [c.condition for c in policy.coverage if c.coverage_periods]
    assert len(with_durations) == 4 and "asthma" in with_durations
    assert len(policy.not_covered) == 5
    assert all(c.continuation_criteria is not None for c in policy.coverage)


@needs_corpus
def test_other_payers_do_not_choose_anthem() -> None:
    for path in one_pdf_per_payer(exclude=("anthem", "priority")):
        policy = extract(Path(path))
        assert policy.source is not None and policy.source.profile != "anthem", path.name
