"""Medical drug lists: recognised by layout; one product per row, description from its row."""

from __future__ import annotations

import pytest

from conftest import FIXTURES, REAL_CORPUS, SEED
from policy_extract.blocks import Block, Span
from policy_extract.pipeline import extract
from policy_extract.profiles import choose_profile
from policy_extract.profiles.druglist import read_policy, table_rows

ROWS_PER_PAGE = 10


def _line(text: str, page: int, x: float, y: float, number: int) -> Block:
    span = Span(page=page, line_start=number, line_end=number, bbox=(x, y, x + 200, y + 10))
    return Block(kind="paragraph", text=text, span=span)


def drug_list(rows: int = 45) -> list[Block]:
    """A printed drug list: each row's description wraps above and below its code line, as
    vertically centred cells do; some names wrap around it; every fifth row has a notes cell of
    its own line, every fourth a coverage level of two lines."""
    blocks = [
        _line("HCPCS Code | Drug Name | Code Description | Coverage Level | Notes", 1, 40, 40, 1)
    ]
    for i in range(rows):
        page, slot = 1 + i // ROWS_PER_PAGE, i % ROWS_PER_PAGE
        y, n = 80 + slot * 60, 10 + i * 10
        blocks.append(_line(f"Injection, drug{i},", page, 210, y - 11, n))
        if i % 5 == 0:
            blocks.append(_line("PA", page, 452, y - 11, n + 1))
        if i % 4 == 2:  # a coverage level printed on two lines
            blocks.append(_line("Preferred", page, 391, y - 11, n + 1))
            blocks.append(_line(f"J{1000 + i} BRAND{i}", page, 43, y, n + 2))
            blocks.append(_line("Specialty", page, 391, y + 11, n + 3))
        else:
            blocks.append(_line(f"J{1000 + i} BRAND{i} | Non-Specialty", page, 43, y, n + 2))
        blocks.append(_line(f"{i} mg", page, 210, y + 11, n + 3))
        if i % 3 == 1:  # a name of three lines, centred on the code line like every cell
            blocks.append(_line("EMERGENCY", page, 84, y - 11, n))
            blocks.append(_line("KIT", page, 84, y + 11, n + 4))
    return blocks


def test_a_long_table_of_code_rows_is_a_drug_list() -> None:
    profile, found = choose_profile(drug_list())
    assert profile.name == "druglist"
    assert found.evidence == ("45 of 197 lines are table rows opening with a HCPCS code",)


def test_each_row_is_a_product_with_its_own_description_and_flags() -> None:
    policy, findings = read_policy(drug_list(), [])
    assert len(policy.products) == 45
    first, second = policy.products[:2]
    assert (first.name, first.hcpcs, first.brand_names) == ("BRAND0", ["J1000"], [])
    assert first.flags == {"coverage_level": "Non-Specialty", "notes": "PA"}
    assert second.name == "EMERGENCY BRAND1 KIT"
    assert second.flags == {"coverage_level": "Non-Specialty"}
    # The lines above and below a code line are its row's: never the neighbour's.
    descriptions = {h.code: h.description for h in policy.drug_details.hcpcs}
    assert descriptions["J1000"] == "Injection, drug0, 0 mg"
    assert descriptions["J1001"] == "Injection, drug1, 1 mg"
    assert descriptions["J1044"] == "Injection, drug44, 44 mg"
    assert policy.products[2].flags == {"coverage_level": "Preferred Specialty"}
    assert first.span is not None and (first.span.line_start, first.span.line_end) == (10, 13)
    assert findings.warnings == []


def test_a_code_inside_a_description_cell_is_not_a_row() -> None:
    blocks = drug_list()
    blocks.insert(4, _line("C9021 or J9999)", 1, 210, 80, 14))
    rows = table_rows(blocks)
    assert [row.code for row in rows[:2]] == ["J1000", "J1001"]
    assert len(rows) == 45


def test_policies_are_not_drug_lists() -> None:
    for path in (SEED, FIXTURES / "anthem_tezulimab.md", FIXTURES / "emblem_romatuzumab.md"):
        policy = extract(path)
        assert policy.source is not None and policy.source.profile != "druglist", path.name


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason=f"real corpus not found at {REAL_CORPUS}")
def test_real_policies_are_not_drug_lists() -> None:
    names = ["cigna_ocrelizumab_ocrevus_IP0212_eff2025-11-01.pdf"]
    names.append("uhc_botulinum_toxins_a_b_2026D0017AN_eff2026-01-01.pdf")
    for name in names:
        policy = extract(REAL_CORPUS / name)
        assert policy.source is not None and policy.source.profile != "druglist", name


def test_a_table_without_layout_reads_its_cells_by_position() -> None:
    """A Markdown or text drug list: every cell of a row is on its code line."""
    header = "HCPCS Code | Drug Name | Description | Prior Authorization | Site of Care"
    lines = [header]
    lines += [f"J{2000 + i} | DRUG{i} | Injection, drug{i}, 1 mg | Yes | Home" for i in range(40)]
    blocks = [
        Block(kind="paragraph", text=text, span=Span(line_start=n, line_end=n))
        for n, text in enumerate(lines, 1)
    ]
    policy, _ = read_policy(blocks, [])
    product = policy.products[3]
    assert (product.name, product.hcpcs) == ("DRUG3", ["J2003"])
    assert product.flags == {"prior_authorization": "Yes", "site_of_care": "Home"}
    assert policy.drug_details.hcpcs[3].description == "Injection, drug3, 1 mg"


def _ruled_drug_list(rows: int = 45) -> list[Block]:
    """A drug list as the PDF loader gives a ruled table: one ``table`` block whose rows carry
    their cells, a legend and a header row above the first code row, empty cells kept."""
    from policy_extract.blocks import Cell, table_text

    def row(number: int, *texts: str) -> list[Cell]:
        span = Span(page=1 + number // 40, line_start=number, line_end=number)
        return [Cell(text, span) for text in texts]

    table = [
        row(1, "UPPERCASE = Brand drug", "Coverage Level", "Notes & Restrictions"),
        row(2, "HCPCS Code", "Drug Name", "HCPCS Code Description", "Coverage Level", "Notes"),
        row(3, "* Miscellaneous Medical Drugs"),
    ]
    for i in range(rows):
        name = "N/A" if i % 7 == 0 else f"BRAND{i}"
        notes = "PA required" if i % 5 == 0 else ""
        table.append(
            row(4 + i, f"J{1000 + i}", name, f"Injection, drug{i}, 1 mg", "Covered", notes)
        )
    span = Span(page=1, line_start=1, line_end=3 + rows)
    return [
        Block("heading", "Medical Drug List", Span(page=1, line_start=0, line_end=0), True),
        Block("table", table_text(table), span, rows=table),
    ]


def test_a_ruled_table_of_code_rows_is_a_drug_list_read_by_its_columns() -> None:
    blocks = _ruled_drug_list()
    profile, found = choose_profile(blocks)
    assert profile.name == "druglist"
    assert found.evidence == ("45 of 49 lines are table rows opening with a HCPCS code",)
    policy, findings = read_policy(blocks, [])
    assert findings.warnings == []  # the columns are the table's own
    assert len(policy.products) == 45
    first, second = policy.products[:2]
    # "N/A" in the name column: no name printed, so the product is named by its description
    assert (first.name, first.hcpcs, first.brand_names) == ("Injection, drug0, 1 mg", ["J1000"], [])
    assert first.flags == {"coverage_level": "Covered", "notes": "PA required"}
    assert (second.name, second.brand_names, second.flags) == (
        "BRAND1",
        ["BRAND1"],
        {"coverage_level": "Covered"},  # an empty notes cell is no flag
    )
    descriptions = {h.code: h.description for h in policy.drug_details.hcpcs}
    assert descriptions["J1044"] == "Injection, drug44, 1 mg"
    assert first.span is not None and first.span.line_start == 4


def test_the_real_medical_drug_list_is_read_as_one() -> None:
    path = REAL_CORPUS / "priority_health_medical_drug_list_2026_commercial.pdf"
    if not path.exists():
        pytest.skip(f"{path} is not here (../shared/corpus/real is absent)")
    policy = extract(path)
    assert policy.source is not None and policy.source.profile == "druglist"
    assert len(policy.products) > 1000 and not policy.warnings
    assert all(product.name != "N/A" and product.hcpcs for product in policy.products)
