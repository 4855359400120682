"""Tables as tables: ruled PDF tables and Markdown tables become ``table`` blocks with rows and
cells, carried into ``outline``, read by the generic HCPCS reader and accounted by ``verify``."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import REAL_CORPUS
from pdfbuild import build_table_pdf
from policy_extract.blocks import Block, Span
from policy_extract.loaders import load_document
from policy_extract.outline import heading_levels
from policy_extract.pipeline import run_pipeline
from policy_extract.verify import verify_extraction

INTRO = [
    "Botulinum toxin drug policy: coverage criteria",
    "Applicable HCPCS codes for this policy:",
]
HEADER = ["HCPCS Code", "Description", "Brand\nName"]
PAGE_ONE = [
    ["J0585", "Injection, onabotulinumtoxinA,\n1 unit", "Botox"],
    ["J0586", "Injection, abobotulinumtoxinA,\n5 units", "Dysport"],
]
PAGE_TWO = [["J0587", "Injection, rimabotulinumtoxinB,\n100 units", "Myobloc"]]
WIDTHS = [90.0, 230.0, 100.0]


@pytest.fixture(scope="module")
def table_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tables") / "codes.pdf"
    build_table_pdf(path, INTRO, HEADER, [PAGE_ONE, PAGE_TWO], WIDTHS)
    return path


def _tables(blocks: list[Block]) -> list[Block]:
    return [block for block in blocks if block.kind == "table"]


def _cell_texts(block: Block) -> list[list[str]]:
    return [[cell.text for cell in row] for row in block.rows or []]


def test_a_ruled_table_over_two_pages_is_one_table_with_its_header_once(table_pdf: Path) -> None:
    tables = _tables(load_document(table_pdf).blocks)
    assert len(tables) == 1
    assert _cell_texts(tables[0]) == [
        ["HCPCS Code", "Description", "Brand Name"],
        ["J0585", "Injection, onabotulinumtoxinA, 1 unit", "Botox"],
        ["J0586", "Injection, abobotulinumtoxinA, 5 units", "Dysport"],
        ["J0587", "Injection, rimabotulinumtoxinB, 100 units", "Myobloc"],
    ]


def test_table_text_and_cells_keep_their_place(table_pdf: Path) -> None:
    table = _tables(load_document(table_pdf).blocks)[0]
    assert table.text.splitlines()[1] == "J0585 | Injection, onabotulinumtoxinA, 1 unit | Botox"
    last = (table.rows or [])[-1][0]
    assert last.span.page == 2 and last.span.bbox is not None
    assert table.span.page == 1


def test_words_of_a_table_are_in_no_other_block(table_pdf: Path) -> None:
    blocks = load_document(table_pdf).blocks
    others = " ".join(block.full_text for block in blocks if block.kind != "table")
    assert "J0585" not in others and "Dysport" not in others
    assert any("Applicable HCPCS codes" in block.text for block in blocks)


def test_the_repeated_header_row_is_recorded_as_furniture(table_pdf: Path) -> None:
    document = load_document(table_pdf)
    repeated = [f for f in document.furniture if f.reason == "repeated-table-header"]
    assert [(f.text, f.span.page) for f in repeated] == [
        ("HCPCS Code | Description | Brand Name", 2)
    ]


def test_table_reaches_outline_hcpcs_and_verify(table_pdf: Path) -> None:
    extraction = run_pipeline(load_document(table_pdf))
    policy = extraction.policy
    outline_tables = [b for s in policy.outline for b in s.blocks if b.kind == "table"]
    assert [[c.text for c in row] for row in outline_tables[0].rows or []][2] == [
        "J0586",
        "Injection, abobotulinumtoxinA, 5 units",
        "Dysport",
    ]
    hcpcs = {code.code: code.description for code in policy.drug_details.hcpcs}
    assert hcpcs["J0587"] == "Injection, rimabotulinumtoxinB, 100 units"
    report = verify_extraction(extraction)
    assert report.ok, report.problems


def test_markdown_table_is_a_table_block(tmp_path: Path) -> None:
    source = tmp_path / "codes.md"
    source.write_text(
        "# Drug policy coverage\n\n| HCPCS | Description |\n| --- | --- |\n"
        "| J0585 | Injection, a \\| b |\n",
        encoding="utf-8",
    )
    table = _tables(load_document(source).blocks)[0]
    assert _cell_texts(table) == [["HCPCS", "Description"], ["J0585", "Injection, a | b"]]
    assert (table.span.line_start, table.span.line_end) == (3, 5)
    assert [row[0].span.line_start for row in table.rows or []] == [3, 5]


def test_heading_levels_are_ranks_not_points() -> None:
    def heading(indent: float, level: int | None = None) -> Block:
        return Block("heading", "H", Span(), indent=indent, level=level)

    headings = [heading(72), heading(90), heading(72.5), heading(90), heading(300), heading(0, 3)]
    assert heading_levels(headings) == [1, 2, 1, 2, 2, 3]


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="real payer PDFs not present (../shared)")
def test_uhc_applicable_codes_grid_keeps_rows_and_x_marks() -> None:
    path = REAL_CORPUS / "uhc_botulinum_toxins_a_b_2026D0017AN_eff2026-01-01.pdf"
    if not path.exists():
        pytest.skip(f"{path.name} not in the real corpus")
    tables = _tables(load_document(path).blocks)
    grid = next(t for t in tables if "Diagnosis Code" in t.text)
    rows = _cell_texts(grid)
    assert rows[1][:2] == ["J0585", "J0586"]
    assert rows[2][0] == "C71.0" and rows[2][2:6] == ["X", "X", "X", "X"]
    assert sum(1 for row in rows if row[0] in ("Diagnosis Code",)) == 1  # header once
