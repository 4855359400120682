"""The Prime Therapeutics template as EmblemHealth publishes it: groups, indications, renewal."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, REAL_CORPUS, SEED
from policy_extract.model import CriteriaNode
from policy_extract.pipeline import extract
from policy_extract.profiles._criteria_tree import regroup_connected_items
from policy_extract.profiles.emblem_criteria import strip_footnote_marks

FIXTURE = FIXTURES / "emblem_romatuzumab.md"
REAL = REAL_CORPUS / "emblemhealth_prime_denosumab_IC-0098_rev2025-11-04.pdf"
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


def test_fixture_is_read_by_the_emblem_profile() -> None:
    policy = extract(FIXTURE)
    assert policy.source is not None and policy.source.profile == "emblem"
    assert (policy.payer, policy.policy_number) == ("Prime Therapeutics", "IC-0451")
    assert policy.effective_date == "2025-06-10"  # Last Review Date: no effective date printed
    assert policy.drug.generic_name == "Romatuzumab"
    assert policy.drug.brand_names == ["Bonvira", "Ossentra", "Kelvora"]


def test_indications_and_their_bullet_groups() -> None:
    pmo, oi = extract(FIXTURE).coverage
    assert pmo.condition == "Postmenopausal Osteoporosis"
    assert oi.condition == "Osteogenesis Imperfecta"
    assert pmo.prior_authorization_required is True
    assert pmo.criteria is not None and pmo.criteria.operator == "all"
    # "very high risk; AND" with indented OR bullets: the item, then a group of alternatives.
    texts = [child.text for child in pmo.criteria.children]
    assert texts[1] == "Patient must be at a very high risk for fracture; AND"
    assert texts[2] == "" and pmo.criteria.children[2].operator == "any"
    assert len(pmo.criteria.children) == 4
    assert oi.criteria is not None and oi.criteria.operator is None
    assert len(oi.criteria.children) == 1


def test_length_of_authorization_applies_to_every_indication() -> None:
    for condition in extract(FIXTURE).coverage:
        periods = [(p.phase, p.duration and p.duration.value) for p in condition.coverage_periods]
        assert periods == [("initial", 6), ("continuation", 12)]


def test_preferred_products_and_universal_criteria_are_general() -> None:
    general = extract(FIXTURE).general_criteria
    assert general is not None and general.operator == "all"
    preferred, group = general.children
    assert preferred.text.endswith("are the preferred romatuzumab products.")
    assert [part.text for part in group.children] == [
        "Prior authorization validity is provided in the following conditions",
        "Universal Criteria 1-4",
    ]
    assert len(group.children[1].children) == 2


def test_renewal_criteria_keep_only_the_indications_own_lines() -> None:
    pmo, oi = extract(FIXTURE).coverage
    assert pmo.continuation_criteria is not None and oi.continuation_criteria is not None
    pmo_group = pmo.continuation_criteria.children[-1]
    response = pmo_group.children[0]
    assert [c.text.split(":")[0] for c in response.children] == ["Postmenopausal Osteoporosis"]
    oi_response = oi.continuation_criteria.children[-1].children[0]
    assert [c.text.split(":")[0] for c in oi_response.children] == ["Osteogenesis Imperfecta"]
    assert len(pmo.continuation_criteria.children) == 3  # two for every indication + the group


def test_billing_products_with_their_codes() -> None:
    policy = extract(FIXTURE)
    assert [(p.name, p.generic_name, p.hcpcs) for p in policy.products] == [
        ("Bonvira & Ossentra", "romatuzumab", ["J3111"]),
        ("Kelvora & Romatuzumab-xkqp", "romatuzumab-xkqp", ["Q5299"]),
    ]
    assert [h.code for h in policy.drug_details.hcpcs] == ["J3111", "Q5299"]
    assert [c.code for c in policy.icd10] == ["M81.0", "Q78.0"]
    # The appendix lists codes per product group: they apply to that group's indications.
    assert policy.icd10[0].applies_to == [c.id for c in policy.coverage]
    assert policy.warnings == []


@pytest.mark.parametrize(
    ("heading", "name"),
    [
        ("Giant Cell Tumor of the Bone † ‡ Ф 9-16,19,37,38", "Giant Cell Tumor of the Bone"),
        ("Systemic Mastocytosis ‡ 17,42", "Systemic Mastocytosis"),
        ("Osteoporosis † 4", "Osteoporosis"),
        ("Diabetes Type 2", "Diabetes Type 2"),  # a number without a mark is the name's
    ],
)
def test_footnote_marks_and_reference_numbers_leave_the_name(heading: str, name: str) -> None:
    assert strip_footnote_marks(heading) == name


def test_an_item_joined_by_or_to_an_all_list_is_wrapped() -> None:
    """ "A; OR" with indented alternatives under an all-of list: (A or (x or y)) stays one item."""
    leaf = CriteriaNode(text="x; OR")
    item = CriteriaNode(text="A; OR", operator="any", children=[leaf, CriteriaNode(text="y")])
    root = CriteriaNode(text="root", operator="all", children=[item, CriteriaNode(text="B")])
    regrouped = regroup_connected_items(root)
    assert [c.text for c in regrouped.children] == ["", "B"]
    assert regrouped.children[0].operator == "any"
    assert [c.text for c in regrouped.children[0].children] == ["A; OR", ""]


def test_other_templates_do_not_choose_emblem() -> None:
    for path in (SEED, FIXTURES / "fep_velmarex.md", FIXTURES / "anthem_tezulimab.md"):
        policy = extract(path)
        assert policy.source is not None and policy.source.profile != "emblem", path.name


@needs_corpus
def test_real_emblem_policy_matches_its_labels() -> None:
    policy = extract(REAL)
    assert policy.source is not None and policy.source.profile == "emblem"
    assert (policy.policy_number, policy.effective_date) == ("IC-0098", "2025-11-04")
    items = [(len(c.criteria.children) if c.criteria else 0) for c in policy.coverage]
    assert items == [4, 3, 2, 1, 2, 2, 3, 2]
    assert all(len(c.coverage_periods) == 2 for c in policy.coverage)
    assert sorted(code for p in policy.products for code in p.hcpcs) == sorted(
        ["J0897", "Q5136", "Q5157", "Q5158", "Q5159", "J3590", "Q5161", "J3590", "Q5162", "J3590"]
    )
    assert all(c.continuation_criteria is not None for c in policy.coverage)


@needs_corpus
def test_other_payers_do_not_choose_emblem() -> None:
    for path in one_pdf_per_payer(exclude=("emblemhealth", "priority")):
        policy = extract(path)
        assert policy.source is not None and policy.source.profile != "emblem", path.name
