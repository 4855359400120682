"""The UnitedHealthcare profile: the hand-written fixture, layout rules, and the real PDF."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, REAL_CORPUS, fixture_documents
from policy_extract.blocks import Block, Span
from policy_extract.loaders import load_document
from policy_extract.model import Policy
from policy_extract.pipeline import extract
from policy_extract.profiles import choose_profile
from policy_extract.profiles._common import Findings
from policy_extract.profiles.uhc_codes import read_diagnosis_table
from policy_extract.profiles.uhc_layout import nest_by_position, split_sidebar

FIXTURE = FIXTURES / "uhc_examplumab.md"
UHC_PDFS = sorted(REAL_CORPUS.glob("uhc_*.pdf")) if REAL_CORPUS.is_dir() else []
# One PDF per other payer (the name's first word), to keep the test short.
OTHER_PDFS = sorted(
    {
        p.name.split("_")[0]: p
        for p in sorted(REAL_CORPUS.glob("*.pdf"), reverse=True)
        if not p.name.startswith("uhc_")
    }.values()
    if REAL_CORPUS.is_dir()
    else []
)
NO_CORPUS = f"real corpus not present at {REAL_CORPUS}"


@pytest.fixture(scope="module")
def fixture_policy() -> Policy:
    return extract(FIXTURE)


def test_fixture_front_matter(fixture_policy: Policy) -> None:
    assert fixture_policy.source is not None and fixture_policy.source.profile == "uhc"
    assert fixture_policy.title == "Examplumab Products"
    assert fixture_policy.policy_number == "2026D0999XY"
    assert fixture_policy.effective_date == "2026-03-01"
    assert fixture_policy.payer == "UnitedHealthcare"
    assert not fixture_policy.warnings and not fixture_policy.unparsed


def test_only_conditions_with_their_own_criteria_are_coverage(fixture_policy: Policy) -> None:
    assert [c.condition for c in fixture_policy.coverage] == [
        "Cluster headache, episodic",
        "Focal hand dystonia (also known as writer's cramp)",
    ]
    calmora = fixture_policy.products[0]
    assert [c.text for c in calmora.conditions] == [
        "Benign essential blepharitis",
        "Cluster headache, episodic",
        "Palmar hyperhidrosis",
    ]


def test_single_criterion_lead_keeps_one_item(fixture_policy: Policy) -> None:
    criteria = fixture_policy.coverage[0].criteria
    assert criteria is not None and criteria.operator is None
    assert len(criteria.children) == 1
    assert criteria.children[0].operator == "all" and len(criteria.children[0].children) == 2


def test_initial_and_continuation_blocks_and_periods(fixture_policy: Policy) -> None:
    dystonia = fixture_policy.coverage[1]
    assert dystonia.criteria is not None and dystonia.criteria.operator == "all"
    assert [c.text for c in dystonia.criteria.children] == [
        "Diagnosis of focal hand dystonia; and",
        "History of failure, contraindication, or intolerance to one of the following",
    ]
    assert dystonia.criteria.children[1].operator == "any"
    assert dystonia.continuation_criteria is not None
    assert len(dystonia.continuation_criteria.children) == 1
    periods = [
        (p.phase, p.duration and (p.duration.value, p.duration.unit))
        for p in dystonia.coverage_periods
    ]
    assert periods == [("initial", (6, "mo")), ("continuation", (12, "mo"))]


def test_general_criteria_products_and_codes(fixture_policy: Policy) -> None:
    general = fixture_policy.general_criteria
    assert general is not None and general.operator == "all" and len(general.children) == 3
    assert [(p.name, p.generic_name, p.hcpcs) for p in fixture_policy.products] == [
        ("Calmora", "examplumab", ["J9991"]),
        ("Quietra", "examplumab-qxrt", ["J9992"]),
    ]
    assert [(c.code, c.applies_to) for c in fixture_policy.icd10] == [
        ("G24.1", ["J9991", "J9992"]),
        ("G44.019", ["J9991"]),
        ("L74.513", ["J9991"]),
    ]
    assert [s.text for s in fixture_policy.not_covered] == [
        "Quietra is unproven and not medically necessary for the treatment of episodic cluster "
        "headache.",
        "Chronic neck pain",
        "Restless legs syndrome",
    ]


def test_other_templates_do_not_choose_uhc() -> None:
    for path in fixture_documents():
        if path.name.startswith("uhc_"):
            continue
        profile, _ = choose_profile(load_document(path).blocks)
        assert profile.name != "uhc", path.name


def _pdf_block(text: str, x: float, page: int = 1, marker: str | None = None) -> Block:
    return Block(
        "list_item" if marker else "paragraph",
        text,
        Span(page=page, line_start=1, bbox=(x, 0.0, x + 100, 10.0)),
        marker=marker,
        indent=x,
    )


def test_first_item_printed_at_its_leads_level_is_the_leads_item() -> None:
    lead = _pdf_block("For initial therapy, all of the following:", 54, marker="-")
    slipped = _pdf_block("Diagnosis of X; and", 54, marker="-")
    second = _pdf_block("History of Y", 72, marker="-")
    nodes = nest_by_position([(72.0, lead), (72.0, slipped), (90.0, second)])
    assert len(nodes) == 1
    assert [n.block.text for n in nodes[0].children] == ["Diagnosis of X; and", "History of Y"]


def test_sidebar_right_of_the_middle_leaves_the_body() -> None:
    blocks = [
        _pdf_block("UnitedHealthcare Commercial", 375),
        _pdf_block("Title", 170),
        _pdf_block("Coverage Rationale .... 1", 36),
        _pdf_block("Related policy", 330),
        _pdf_block("Body text", 36),
    ]
    blocks[-1].span = Span(page=1, line_start=5, bbox=(36.0, 0.0, 576.0, 10.0))
    body, sidebar = split_sidebar(blocks)
    assert [b.text for b in sidebar] == ["Related policy"]
    assert [b.text for b in body] == [
        "UnitedHealthcare Commercial",
        "Title",
        "Coverage Rationale .... 1",
        "Body text",
    ]


def test_diagnosis_rows_are_placed_only_where_the_layout_says() -> None:
    header = Block("heading", "J0001 J0002 J0003", Span(page=1, bbox=(300.0, 0.0, 420.0, 10.0)))
    rows = [
        ("A01.1 | One | X", 306.0),  # one mark, under the first column
        ("A01.2 | Two | X | X", 346.0),  # last mark under column 2, two marks: columns 1-2
        ("A01.3 | Three | X | X", 419.0),  # last under column 3, two marks: which two?
    ]
    blocks = [header] + [
        Block("paragraph", text, Span(page=1, bbox=(60.0, 0.0, right, 10.0)), indent=60)
        for text, right in rows
    ]
    findings = Findings()
    codes = read_diagnosis_table(blocks, findings)
    assert [(c.code, c.applies_to) for c in codes] == [
        ("A01.1", ["J0001"]),
        ("A01.2", ["J0001", "J0002"]),
        ("A01.3", []),
    ]
    assert [w.code for w in findings.warnings] == ["table-columns-unread"]


@pytest.fixture(scope="module")
def real_policy() -> Policy:
    if not UHC_PDFS:
        pytest.skip(NO_CORPUS)
    return extract(UHC_PDFS[0])


def test_real_pdf_front_matter_and_indications(real_policy: Policy) -> None:
    assert real_policy.title == "Botulinum Toxins A and B"
    assert real_policy.policy_number == "2026D0017AN"
    assert real_policy.effective_date == "2026-01-01"
    assert real_policy.payer == "UnitedHealthcare"
    assert [c.condition.split(" (")[0] for c in real_policy.coverage] == [
        "Migraine headache, chronic",
        "Cervical dystonia",
        "Detrusor overactivity",
        "Sialorrhea",
        "Spasticity",
    ]
    for condition in real_policy.coverage[1:]:
        assert condition.criteria is not None and len(condition.criteria.children) == 2
        assert [p.phase for p in condition.coverage_periods] == ["initial", "continuation"]


def test_real_pdf_codes(real_policy: Policy) -> None:
    assert len(real_policy.icd10) == 223
    assert sorted(h.code for h in real_policy.drug_details.hcpcs) == [
        "J0585", "J0586", "J0587", "J0588", "J0589",
    ]  # fmt: skip
    migraine = [c for c in real_policy.icd10 if c.code.startswith("G43.")]
    assert migraine and all(c.applies_to == ["J0585"] for c in migraine)
    assert all(len(p.hcpcs) == 1 for p in real_policy.products)


def test_real_pdf_sidebar_stays_out_of_the_rationale(real_policy: Policy) -> None:
    rationale = next(s for s in real_policy.outline if s.heading == "Coverage Rationale")
    texts = [b.text for b in rationale.blocks]
    assert not any("Related" in t or "Community Plan" in t or "See Benefit" in t for t in texts)


@pytest.mark.parametrize("path", OTHER_PDFS, ids=lambda p: p.name)
def test_other_payers_pdfs_do_not_choose_uhc(path: Path) -> None:
    profile, _ = choose_profile(load_document(path).blocks)
    assert profile.name != "uhc"
