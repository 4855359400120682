"""The policy's drug when the title does not name it "Brand (generic)": from a title-word pair in
the text, else from the HCPCS descriptions; never guessed."""

from __future__ import annotations

import pytest

from policy_extract.blocks import Block, Span
from policy_extract.model import Drug, Hcpcs
from policy_extract.profiles._drug_names import drug_from_document, trademarked_brands


def paragraphs(*texts: str) -> list[Block]:
    return [
        Block(kind="paragraph", text=text, span=Span(line_start=n, line_end=n))
        for n, text in enumerate(texts, start=1)
    ]


def codes(*descriptions: str) -> list[Hcpcs]:
    return [Hcpcs(code=f"J{n:04d}", description=d, text=d) for n, d in enumerate(descriptions)]


@pytest.mark.parametrize(
    ("title", "text", "drug"),
    [
        (
            "Spinraza",
            "Spinraza (nusinersen) is an antisense oligonucleotide.",
            ("nusinersen", "Spinraza", None),
        ),
        (
            "Breyanzi",
            "Breyanzi® (lisocabtagene maraleucel)",
            ("lisocabtagene maraleucel", "Breyanzi", None),
        ),
        (
            "Ocrevus",
            "Ocrevus (ocrelizumab intravenous infusion) is indicated for",
            ("ocrelizumab", "Ocrevus", "intravenous infusion"),
        ),
        (
            "Nusinersen",
            "Treatment with nusinersen (Spinraza) requires",
            ("nusinersen", "Spinraza", None),
        ),
        (  # a product line: the generic a word of the title, the maker aside
            "Zorvimab Products",
            "Zorvexa® (zorvimab subcutaneous injection – Northwind Biologics)",
            ("zorvimab", "Zorvexa", "subcutaneous injection"),
        ),
        (  # a biosimilar's line names the drug by its stem
            "Infliximab Intravenous",
            "Avsola™ (infliximab-axxq intravenous infusion – Amgen)",
            ("infliximab", "Avsola", "intravenous infusion"),
        ),
    ],
)
def test_a_pair_naming_a_title_word_gives_brand_and_generic(
    title: str, text: str, drug: tuple[str, str, str | None]
) -> None:
    found = drug_from_document(title, paragraphs("Some other text.", text), [])
    assert (found.generic_name, *found.brand_names, found.qualifier) == drug


@pytest.mark.parametrize(
    ("title", "text"),
    [
        ("Priority Health Commercial Plans", "Commercial (Employer Group) members"),  # no drug
        ("Spinraza", "Other Drug (otherumab) is not the title's drug"),
        ("Spinraza", "Spinraza (see section 3, dosing and administration, for details)"),
    ],
)
def test_pairs_that_are_not_the_titles_drug_name_nothing(title: str, text: str) -> None:
    assert drug_from_document(title, paragraphs(text), []) == Drug()


def test_hcpcs_descriptions_of_one_drug_and_its_biosimilars_name_the_generic() -> None:
    hcpcs = codes(
        "Injection, infliximab, excludes biosimilar, 10 mg",
        "Injection, infliximab-dyyb, biosimilar, (Inflectra), 10 mg",
        "Unclassified biologics",
    )
    assert drug_from_document("Infliximab Intravenous", [], hcpcs) == Drug(
        generic_name="infliximab"
    )


def test_biosimilars_alone_name_the_stem_and_the_bare_name_keeps_its_case() -> None:
    only_biosimilars = codes("Injection, denosumab-bbdz (jubbonti/wyost), biosimilar, 1 mg")
    assert drug_from_document(None, [], only_biosimilars).generic_name == "denosumab"
    bare = codes("Injection, abobotulinumtoxinA, 5 units")
    assert drug_from_document(None, [], bare).generic_name == "abobotulinumtoxinA"


def test_hcpcs_descriptions_of_several_drugs_name_none() -> None:
    hcpcs = codes(
        "Injection, onabotulinumtoxinA, 1 unit", "Injection, rimabotulinumtoxinB, 100 units"
    )
    assert drug_from_document("Botulinum Toxins", [], hcpcs) == Drug()


def test_a_title_pair_wins_over_the_codes() -> None:
    hcpcs = codes("Injection, nusinersen, 0.1 mg")
    found = drug_from_document("Spinraza", paragraphs("Spinraza (nusinersen)"), hcpcs)
    assert found.brand_names == ["Spinraza"]


def test_the_products_a_policy_lists_under_a_lead_in_about_the_policy() -> None:
    from policy_extract.profiles._products import link_hcpcs_to_products, listed_products

    blocks = paragraphs(
        "This policy refers to the following botulinum toxins:",
        "Dysport® (abobotulinumtoxinA)",
        "Xeomin® (incobotulinumtoxinA)",
        "Eylea HD (aflibercept)",
        "Daxxify® is typically excluded from coverage.",
        "Myobloc® (rimabotulinumtoxinB)",  # after the list has ended
    )
    products = listed_products(blocks)
    assert [(p.name, p.generic_name, p.brand_names) for p in products] == [
        ("Dysport", "abobotulinumtoxinA", ["Dysport"]),
        ("Xeomin", "incobotulinumtoxinA", ["Xeomin"]),
        ("Eylea HD", "aflibercept", ["Eylea HD"]),
    ]
    assert products[0].span == blocks[1].span
    link_hcpcs_to_products(products, codes("Injection, incobotulinumtoxinA, 1 unit"))
    assert [p.hcpcs for p in products] == [[], ["J0000"], []]


@pytest.mark.parametrize(
    "lead",
    [
        "Trial and failure of one of the following:",  # criteria naming drugs, not products
        "This policy refers to the following drugs",  # no colon: not a lead-in
    ],
)
def test_drug_lines_not_under_a_policy_lead_in_are_no_products(lead: str) -> None:
    from policy_extract.profiles._products import listed_products

    assert listed_products(paragraphs(lead, "Humira (adalimumab)", "Enbrel (etanercept)")) == []


def test_one_product_line_alone_is_no_list() -> None:
    from policy_extract.profiles._products import listed_products

    blocks = paragraphs("This policy covers the following product:", "Prolia (denosumab)")
    assert listed_products(blocks) == []


def test_the_drugs_brands_are_the_trade_marks_a_title_lists() -> None:
    title = "Denosumab: Aukelso™; Bildyos®; Denosumab-bmwo; Prolia®, Xgeva® (Subcutaneous)"
    assert trademarked_brands(title, [], "denosumab") == ["Aukelso", "Bildyos", "Prolia", "Xgeva"]
    # a title that does not name the drug lists no brands of it
    assert trademarked_brands("Bone Agents: Prolia®; Evenity®", [], "denosumab") == []


def test_the_drugs_brands_are_the_trade_marked_product_lines_of_its_generic() -> None:
    lines = paragraphs(
        "Avsola™ (infliximab-axxq intravenous infusion – Amgen)",
        "Infliximab intravenous infusion – Janssen",  # no trade mark: no brand
        "Remicade® (infliximab intravenous infusion – Janssen)",
        "Simponi Aria® (golimumab intravenous infusion)",  # another drug
        "Avsola™ (infliximab-axxq intravenous infusion – Amgen)",  # once
    )
    assert trademarked_brands("Infliximab Intravenous", lines, "infliximab") == [
        "Avsola",
        "Remicade",
    ]
