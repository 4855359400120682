"""The pdfium engine finds tables without pdfplumber's page: the ruling lines it reads from
pdfium's path objects are the edges pdfplumber lists, and the table finder makes the same cells."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pdfplumber
import pytest
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from conftest import REAL_CORPUS
from pdfbuild import build_table_pdf
from policy_extract.loaders._pdf_pdfium import read_pdfium_pages
from policy_extract.loaders._pdf_tables import TABLE_SETTINGS

REAL_PDFS = sorted(REAL_CORPUS.glob("*.pdf")) if REAL_CORPUS.is_dir() else []
PAGES_PER_REAL_PDF = 12


def _edge_keys(edges: list[dict[str, Any]]) -> Counter[tuple[object, ...]]:
    return Counter(
        (e["orientation"], *(round(e[k], 2) for k in ("x0", "top", "x1", "bottom"))) for e in edges
    )


def _cells(tables: list[Any]) -> list[list[tuple[float, ...] | None]]:
    return [[cell for row in table.rows for cell in row.cells] for table in tables]


def _same_cells(ours: list[Any], theirs: list[Any]) -> bool:
    """Cell for cell within 0.01 pt: pdfium keeps coordinates as 32-bit floats."""
    mine, reference = _cells(ours), _cells(theirs)
    if [len(t) for t in mine] != [len(t) for t in reference]:
        return False
    return all(
        (a is None) == (b is None)
        and (a is None or b is None or all(abs(p - q) <= 0.01 for p, q in zip(a, b, strict=True)))
        for table, other in zip(mine, reference, strict=True)
        for a, b in zip(table, other, strict=True)
    )


def assert_rulings_match_pdfplumber(path: Path, most_pages: int) -> int:
    """Compare every ruled page (up to ``most_pages``); return how many were compared."""
    compared = 0
    with pdfplumber.open(path) as pdf:
        for index, chars in enumerate(read_pdfium_pages(path.read_bytes())):
            page = pdf.pages[index]
            assert chars.has_paths == bool(page.lines or page.rects or page.curves), index + 1
            if chars.rulings is not None and compared < most_pages:
                assert _edge_keys(chars.rulings.edges) == _edge_keys(page.edges), index + 1
                ours = chars.rulings.find_tables(TABLE_SETTINGS)
                assert _same_cells(ours, page.find_tables(TABLE_SETTINGS)), index + 1
                compared += 1
            page.close()
    return compared


def test_ruled_table_has_pdfplumbers_edges_and_cells(tmp_path: Path) -> None:
    path = tmp_path / "codes.pdf"
    rows = [[["J0585", "Injection, onabotulinumtoxinA, 1 unit"]], [["J0587", "Myobloc"]]]
    build_table_pdf(path, ["Botulinum toxins"], ["HCPCS Code", "Description"], rows, [90, 230])
    assert assert_rulings_match_pdfplumber(path, most_pages=10) >= 1


def test_lines_rectangles_and_curves_in_a_form_are_pdfplumbers(tmp_path: Path) -> None:
    """Strokes, a filled box, an open polyline, a Bézier curve, a scaled and moved form."""
    path = tmp_path / "shapes.pdf"
    pdf = canvas.Canvas(str(path), pagesize=LETTER)
    pdf.drawString(72, 740, "Shapes")
    pdf.line(72, 720, 540, 720)
    pdf.line(300, 700, 300, 600)
    pdf.rect(72, 500, 200, 80, fill=1)
    polyline = pdf.beginPath()
    polyline.moveTo(320, 500)
    polyline.lineTo(400, 500)
    polyline.lineTo(400, 560)
    polyline.curveTo(420, 580, 460, 580, 480, 560)
    pdf.drawPath(polyline)
    pdf.beginForm("box")
    pdf.rect(0, 0, 100, 20)
    pdf.line(50, 0, 50, 20)
    pdf.endForm()
    pdf.saveState()
    pdf.translate(100, 300)
    pdf.scale(1.5, 2)
    pdf.doForm("box")
    pdf.restoreState()
    pdf.showPage()
    pdf.save()
    assert assert_rulings_match_pdfplumber(path, most_pages=10) == 1


@pytest.mark.skipif(not REAL_PDFS, reason=f"real payer corpus not found at {REAL_CORPUS}")
@pytest.mark.parametrize("path", REAL_PDFS, ids=[p.name for p in REAL_PDFS])
def test_real_pdf_rulings_are_pdfplumbers(path: Path) -> None:
    assert assert_rulings_match_pdfplumber(path, PAGES_PER_REAL_PDF) >= 1


def test_rulings_of_a_page_whose_mediabox_does_not_start_at_zero(tmp_path: Path) -> None:
    """pdfplumber shifts objects by the mediabox origin; both engines' rulings follow it."""
    import pypdfium2 as pdfium

    from test_pdf_engine import assert_lean_path_reads_like_pdfplumber

    plain, path = tmp_path / "plain.pdf", tmp_path / "offset.pdf"
    rows = [[["J0585", "Injection, onabotulinumtoxinA, 1 unit"]], [["J0587", "Myobloc"]]]
    build_table_pdf(plain, ["Botulinum toxins"], ["HCPCS Code", "Description"], rows, [90, 230])
    document = pdfium.PdfDocument(plain)
    for index in range(len(document)):
        page = document[index]
        page.set_mediabox(36, 48, LETTER[0], LETTER[1])
        page.close()
    document.save(path)
    document.close()
    assert assert_rulings_match_pdfplumber(path, most_pages=10) >= 1
    assert_lean_path_reads_like_pdfplumber(path, most_pages=10)  # edges and cells, exactly
