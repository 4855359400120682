"""PDF character sources: the lean pdfminer path reads the words pdfplumber reads, pdfium is a
choice, rotated pages read upright with a warning, and each page says whether it has rulings."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pdfplumber
import pypdfium2 as pdfium
import pytest
from reportlab.lib.pagesizes import LETTER
from reportlab.pdfgen import canvas

from conftest import REAL_CORPUS, SEED, without_provenance
from pdfbuild import build_policy_pdf, build_table_pdf
from policy_extract.errors import LoadError
from policy_extract.loaders._pdf_chars import read_page_chars
from policy_extract.loaders._pdf_lines import WORD_OPTIONS
from policy_extract.loaders._pdf_pdfium import read_pdfium_pages
from policy_extract.loaders._pdf_tables import TABLE_SETTINGS
from policy_extract.loaders._pdf_words import WORD_EXTRACTOR, extract_words
from policy_extract.loaders.pdf import ENGINE_VARIABLE, load_pdf
from policy_extract.pipeline import run_pipeline

REAL_PDFS = sorted(REAL_CORPUS.glob("*.pdf")) if REAL_CORPUS.is_dir() else []
ENGINES = ["pdfminer", "pdfium"]
PAGES_PER_REAL_PDF = 25  # evenly spread over long documents: the comparison stays minutes-cheap


@pytest.fixture(scope="module", params="ab", ids=lambda layout: f"layout-{layout}")
def seed_pdf(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("engine") / f"atgam_{request.param}.pdf"
    build_policy_pdf(SEED.read_text(encoding="utf-8"), path, request.param)
    return path


def _spread(count: int, most: int) -> list[int]:
    return sorted({round(i * (count - 1) / max(most - 1, 1)) for i in range(min(count, most))})


def assert_lean_path_reads_like_pdfplumber(path: Path, most_pages: int) -> None:
    with pdfplumber.open(path) as pdf:
        for index in _spread(len(pdf.pages), most_pages):
            page = pdf.pages[index]
            lean = read_page_chars(
                pdf.rsrcmgr, page.page_obj, page.page_number, page.initial_doctop
            )
            expected = page.extract_words(**WORD_OPTIONS)
            assert WORD_EXTRACTOR.extract_words(lean.chars) == expected, f"page {index + 1}"
            assert extract_words(lean.chars) == expected, f"page {index + 1}"  # ours, faster
            assert (lean.frame.top, lean.frame.bottom) == (page.bbox[1], page.bbox[3])
            assert lean.has_paths == bool(page.lines or page.rects or page.curves)
            if lean.rulings is not None:  # table finding reads the same edges and cells
                assert _edges(lean.rulings.edges) == _edges(page.edges), f"page {index + 1}"
                assert _cells(lean.rulings.find_tables(TABLE_SETTINGS)) == _cells(
                    page.find_tables(TABLE_SETTINGS)
                ), f"page {index + 1}"
            page.close()


def _edges(edges: list[dict[str, Any]]) -> list[tuple[object, ...]]:
    keys = ("orientation", "x0", "top", "x1", "bottom", "width", "height", "doctop")
    return [tuple(edge[key] for key in keys) for edge in edges]


def _cells(tables: list[Any]) -> list[list[object]]:
    return [[cell for row in table.rows for cell in row.cells] for table in tables]


def test_lean_path_gives_pdfplumbers_words_on_test_layouts(seed_pdf: Path) -> None:
    """Same words, same boxes, same fonts: the JSON of every PDF stays byte-identical."""
    assert_lean_path_reads_like_pdfplumber(seed_pdf, most_pages=1000)


@pytest.mark.skipif(not REAL_PDFS, reason=f"real payer corpus not found at {REAL_CORPUS}")
@pytest.mark.parametrize("path", REAL_PDFS, ids=[p.name for p in REAL_PDFS])
def test_lean_path_gives_pdfplumbers_words_on_real_pdfs(path: Path) -> None:
    assert_lean_path_reads_like_pdfplumber(path, PAGES_PER_REAL_PDF)


def assert_our_words_are_pdfplumbers_on_pdfium_chars(path: Path) -> None:
    pages = list(read_pdfium_pages(path.read_bytes()))
    for index in _spread(len(pages), PAGES_PER_REAL_PDF):
        chars = pages[index].chars
        assert extract_words(chars) == WORD_EXTRACTOR.extract_words(chars), f"page {index + 1}"


def test_our_word_grouping_is_pdfplumbers_on_pdfium_test_layouts(seed_pdf: Path) -> None:
    assert_our_words_are_pdfplumbers_on_pdfium_chars(seed_pdf)


@pytest.mark.skipif(not REAL_PDFS, reason=f"real payer corpus not found at {REAL_CORPUS}")
@pytest.mark.parametrize("path", REAL_PDFS, ids=[p.name for p in REAL_PDFS])
def test_our_word_grouping_is_pdfplumbers_on_pdfium_real_pdfs(path: Path) -> None:
    assert_our_words_are_pdfplumbers_on_pdfium_chars(path)


def test_our_word_grouping_keeps_pdfplumbers_quirks() -> None:
    """Runs split by font, a character with no text alone, ligatures expanded, lines by top,
    a rotated run (pdfplumber's own), in drawing order."""

    def char(text: str, x0: float, top: float, **extra: object) -> dict[str, object]:
        base = {"text": text, "x0": x0, "x1": x0 + 5, "top": top, "bottom": top + 10}
        return {**base, "doctop": top + 800, "upright": True, "fontname": "F", "size": 10, **extra}

    chars = [
        char("a", 10, 100), char("b", 15, 101), char("\ufb01", 20, 99), char("", 25, 100),
        char("c", 30, 100), char("d", 35, 100, fontname="G"), char("e", 12, 120),
        char("x", 50, 50, upright=False), char("y", 50, 55, upright=False),
        char(" ", 40, 100), char("f", 60, 104), char("g", 64, 100),
    ]  # fmt: skip
    assert extract_words(chars) == WORD_EXTRACTOR.extract_words(chars)
    assert [w["text"] for w in extract_words(chars)][:5] == ["abfi", "", "c", "d", "e"]


def test_ruled_page_is_flagged_for_table_finding(tmp_path: Path) -> None:
    path = tmp_path / "ruled.pdf"
    pdf = canvas.Canvas(str(path), pagesize=LETTER)
    pdf.drawString(72, 700, "Plain text page")
    pdf.showPage()
    pdf.drawString(72, 700, "Code | Description")
    pdf.line(72, 695, 400, 695)
    pdf.showPage()
    pdf.save()
    with pdfplumber.open(path) as opened:
        flags = [
            read_page_chars(opened.rsrcmgr, p.page_obj, p.page_number, 0).has_paths
            for p in opened.pages
        ]
    assert flags == [False, True]
    assert [page.has_paths for page in read_pdfium_pages(path.read_bytes())] == [False, True]


def test_pdfium_gives_the_same_policy_on_test_layouts(seed_pdf: Path) -> None:
    """The same fields and text; boxes may differ in the last digit (pdfium's glyph boxes)."""
    policy = run_pipeline(load_pdf(seed_pdf, "pdfium")).policy.model_dump(mode="json")
    reference = run_pipeline(load_pdf(seed_pdf, "pdfminer")).policy.model_dump(mode="json")
    assert without_provenance(policy) == without_provenance(reference)


def test_engine_comes_from_the_environment(seed_pdf: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(ENGINE_VARIABLE, "pdfium")
    assert load_pdf(seed_pdf).lines == load_pdf(seed_pdf, "pdfium").lines
    monkeypatch.setenv(ENGINE_VARIABLE, "ghostscript")
    with pytest.raises(LoadError, match=f"unknown PDF engine 'ghostscript'.*{ENGINE_VARIABLE}"):
        load_pdf(seed_pdf)


def _with_page_rotation(source: Path, target: Path, degrees: int) -> None:
    document = pdfium.PdfDocument(source)
    for index in range(len(document)):
        page = document[index]
        page.set_rotation(degrees)
        page.close()
    document.save(target)
    document.close()


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("degrees", [90, 180, 270])
def test_pdf_with_rotated_pages_reads_upright_with_a_warning(
    seed_pdf: Path, tmp_path: Path, engine: str, degrees: int
) -> None:
    """A /Rotate flag on upright content used to give "B B P T | K R" and 'not a drug policy'."""
    rotated = tmp_path / f"rotated_{degrees}.pdf"
    _with_page_rotation(seed_pdf, rotated, degrees)
    policy = run_pipeline(load_pdf(rotated, engine)).policy
    upright = run_pipeline(load_pdf(seed_pdf, engine)).policy
    warnings = [w for w in policy.warnings if w.code == "pdf-page-rotated"]
    assert len(warnings) == upright.source.pages  # type: ignore[union-attr]
    assert warnings[0].span is not None and warnings[0].span.page == 1
    assert f"text runs at {(360 - degrees) % 360} degrees" in warnings[0].message
    policy.warnings = [w for w in policy.warnings if w.code != "pdf-page-rotated"]
    assert policy.model_dump(exclude={"source"}) == upright.model_dump(exclude={"source"})


@pytest.mark.parametrize("engine", ENGINES)
def test_text_drawn_sideways_reads_as_whole_words(tmp_path: Path, engine: str) -> None:
    """Landscape text set at 90 degrees on a portrait page (no /Rotate) is read upright."""
    path = tmp_path / "sideways.pdf"
    pdf = canvas.Canvas(str(path), pagesize=LETTER)
    pdf.translate(LETTER[0], 0)
    pdf.rotate(90)
    lines = ["Drug Policy: Example", "Coverage criteria apply to every condition.", "Page 1 of 1"]
    for index, text in enumerate(lines):
        pdf.setFont("Helvetica", 11)
        pdf.drawString(72, LETTER[0] - 72 - 16 * index, text)
    pdf.showPage()
    pdf.save()
    document = load_pdf(path, engine)
    assert document.lines == lines
    assert [w.code for w in document.notices] == ["pdf-page-rotated"]


def test_page_box_follows_pdfplumber_for_an_offset_mediabox(tmp_path: Path) -> None:
    """A mediabox that does not start at 0,0 shifts characters as pdfplumber shifts them."""
    plain, path = tmp_path / "plain.pdf", tmp_path / "offset.pdf"
    pdf = canvas.Canvas(str(plain), pagesize=LETTER)
    pdf.drawString(100, 700, "Offset page text")
    pdf.showPage()
    pdf.save()
    document = pdfium.PdfDocument(plain)
    page = document[0]
    page.set_mediabox(36, 48, LETTER[0], LETTER[1])
    page.close()
    document.save(path)
    document.close()
    data = path.read_bytes()
    assert_lean_path_reads_like_pdfplumber(path, most_pages=1)
    with pdfplumber.open(io.BytesIO(data)) as opened:
        expected = opened.pages[0].extract_words(**WORD_OPTIONS)
    (chars,) = read_pdfium_pages(data)
    words = WORD_EXTRACTOR.extract_words(chars.chars)
    assert [w["text"] for w in words] == [w["text"] for w in expected]
    assert words[0]["x0"] == pytest.approx(expected[0]["x0"], abs=0.5)
    assert words[0]["top"] == pytest.approx(expected[0]["top"], abs=0.5)


def test_pdfium_engine_finds_the_ruled_table_pdfminer_finds(tmp_path: Path) -> None:
    """Table finding opens pdfplumber's page where the page paints rulings, whatever engine."""
    path = tmp_path / "codes.pdf"
    header = ["HCPCS Code", "Description"]
    rows = [[["J0585", "Injection, onabotulinumtoxinA, 1 unit"]], [["J0587", "Myobloc"]]]
    intro = ["Botulinum toxin drug policy: coverage criteria"]
    build_table_pdf(path, intro, header, rows, [90, 230])

    def tables(engine: str) -> list[list[list[str]]]:
        found = [b for b in load_pdf(path, engine).blocks if b.kind == "table"]
        return [[[cell.text for cell in row] for row in block.rows or []] for block in found]

    assert tables("pdfium") == tables("pdfminer")
    assert tables("pdfium") == [[header, *rows[0], *rows[1]]]


def test_pdfium_reads_symbol_font_glyphs_that_pdfminer_misreads(tmp_path: Path) -> None:
    """A Symbol-font "≥" (no Descent in the standard metrics) used to fail the pdfium engine
    with "PDF is damaged"; pdfium decodes it, where pdfminer reads it as "‡"."""
    path = tmp_path / "symbol.pdf"
    pdf = canvas.Canvas(str(path), pagesize=LETTER)
    pdf.setFont("Helvetica", 11)
    pdf.drawString(72, 700, "Patient is")
    pdf.setFont("Symbol", 11)
    pdf.drawString(122, 700, "\u2265")
    pdf.setFont("Helvetica", 11)
    pdf.drawString(132, 700, "18 years of age")
    pdf.showPage()
    pdf.save()
    assert load_pdf(path, "pdfium").lines == ["Patient is ≥ 18 years of age"]
    assert load_pdf(path, "pdfminer").lines == ["Patient is ‡ 18 years of age"]


@pytest.mark.parametrize("engine", ENGINES)
def test_a_space_drawn_on_its_own_parts_the_words_it_touches(tmp_path: Path, engine: str) -> None:
    """Cigna's "Effective Date ........ 03/15/2026" draws each space as a text object of its own,
    overlapping the next word. Such an object paints nothing, and pdfium's text page skips it:
    the pdfium engine read "........03/15/2026" and a reference "10." lost its list label."""
    path = tmp_path / "lone_space.pdf"
    pdf = canvas.Canvas(str(path), pagesize=LETTER)
    pdf.setFont("Helvetica", 10)
    leader = "Effective Date ........"
    pdf.drawString(72, 700, leader)
    end = 72 + pdf.stringWidth(leader, "Helvetica", 10)
    pdf.drawString(end, 700, " ")  # a text object of one space, then the date over its end
    pdf.drawString(end + 0.5, 700, "03/15/2026")
    pdf.drawString(72, 680, "10.")
    pdf.drawString(72 + pdf.stringWidth("10.", "Helvetica", 10), 680, " ")
    pdf.drawString(72 + pdf.stringWidth("10.", "Helvetica", 10) + 0.3, 680, "Singh S, et al.")
    pdf.showPage()
    pdf.save()
    assert load_pdf(path, engine).lines == [
        "Effective Date ........ 03/15/2026",
        "10. Singh S, et al.",
    ]


def test_text_pdfium_cannot_place_is_read_by_pdfminer(tmp_path: Path) -> None:
    """A damaged matrix ("/A /B /C 1 2 3 cm") leaves pdfium no text to place; pdfminer skips the
    operator: the file is read, not refused as image-only."""
    path = tmp_path / "damaged_matrix.pdf"
    pdf = canvas.Canvas(str(path), pagesize=LETTER)
    pdf._code.append("/A /B /C 1 2 3 cm")
    pdf.drawString(72, 700, "Prior authorization is required.")
    pdf.showPage()
    pdf.save()
    (chars,) = read_pdfium_pages(path.read_bytes())
    assert not [c for c in chars.chars if not c["text"].isspace()]
    assert load_pdf(path, "pdfium").lines == ["Prior authorization is required."]


def test_pdfium_documents_read_in_threads_read_as_alone(seed_pdf: Path) -> None:
    """pdfium is not thread-safe, even across documents; a Dask worker with several threads
    reads PDFs side by side: each reads as it does alone."""
    from concurrent.futures import ThreadPoolExecutor

    alone = load_pdf(seed_pdf, "pdfium").lines
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: load_pdf(seed_pdf, "pdfium").lines, range(12)))
    assert all(lines == alone for lines in results)
