"""The PDF loader: PDFs built from the atgam policy must read back like its Markdown, damaged
files must fail with a clear reason, and real payer PDFs must load with their furniture found."""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from functools import cache
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reportlab.pdfgen import canvas

from conftest import SEED, without_provenance
from pdfbuild import build_policy_pdf
from policy_extract.blocks import Document
from policy_extract.errors import LoadError
from policy_extract.loaders.markdown import parse_markdown
from policy_extract.loaders.pdf import join_lines, load_pdf
from policy_extract.pipeline import extract_document

SHARED = Path(__file__).resolve().parents[2] / "shared"  # /work/shared beside the checkout
ATGAM = SEED  # the committed copy of the seed, always present
CORPUS = SHARED / "corpus" / "real"
TITLE = "anti-thymocyte globulin (Atgam)"
BOLD = re.compile(r"\*\*(.+?)\*\*")
LIST_LINE = re.compile(r"^\s*(?:[-*] +)?(?:(\d+|[a-z]+)\. +)?(.*)$")
PAGE_OF = re.compile(r"^Page (\d+) of (\d+)$")


def plain(markdown: str) -> str:
    """Markdown inline text as it reads: no emphasis marks, autolinks as their URL."""
    text = re.sub(r"<(https?://[^>]+)>", r"\1", markdown.replace("**", ""))
    return " ".join(re.sub(r"\*(.+?)\*", r"\1", text).split())


def chunks(markdown: str) -> list[str]:
    return [c for c in re.split(r"\n[ \t]*\n", markdown.strip()) if c.strip() != TITLE]


def is_list(chunk: str) -> bool:
    return re.match(r"^\s*(?:[-*] |\d+\. )", chunk) is not None


def is_bold_only(chunk: str) -> bool:
    return not is_list(chunk) and BOLD.sub("", chunk).strip() == ""


@pytest.fixture(scope="module")
def markdown() -> str:
    return ATGAM.read_text(encoding="utf-8")


@pytest.fixture(scope="module", params=["a", "b"])
def atgam(
    request: pytest.FixtureRequest, markdown: str, tmp_path_factory: pytest.TempPathFactory
) -> Document:
    path = tmp_path_factory.mktemp("atgam") / f"atgam_{request.param}.pdf"
    build_policy_pdf(markdown, path, request.param, drop_lines={TITLE})
    return load_pdf(path)


def build(tmp_path: Path, markdown_text: str, layout: str = "a") -> Document:
    path = tmp_path / "policy.pdf"
    build_policy_pdf(markdown_text, path, layout)
    return load_pdf(path)


# --- reading the atgam policy back ------------------------------------------------------------


def test_headings_are_the_markdown_bold_paragraphs_in_order(atgam: Document, markdown: str) -> None:
    expected = [h for c in chunks(markdown) if is_bold_only(c) for h in BOLD.findall(c)]
    assert expected[0] == TITLE  # the title heading on page 1 is content, not furniture
    assert [b.text for b in atgam.blocks if b.kind == "heading"] == expected
    assert "Myelodysplastic syndrome (MDS)" in expected  # two bold runs, two headings


def test_list_items_keep_their_markers_and_text(atgam: Document, markdown: str) -> None:
    expected = []
    for chunk in filter(is_list, chunks(markdown)):
        for line in chunk.splitlines():
            label, text = LIST_LINE.match(line).groups()  # type: ignore[union-attr]
            expected.append((f"{label}." if label else "-", plain(text)))
    items = [(b.marker, b.text) for b in atgam.blocks if b.kind == "list_item"]
    assert items == expected
    assert {"1.", "a.", "i.", "ii.", "-"} <= {marker for marker, _ in items}


def test_nested_items_are_indented_deeper(atgam: Document) -> None:
    indent = {b.marker: b.indent for b in atgam.blocks if b.kind == "list_item"}
    assert indent["1."] < indent["a."] < indent["i."] == indent["ii."]


def test_wrapped_paragraphs_are_one_block_with_the_exact_text(
    atgam: Document, markdown: str
) -> None:
    plain_chunks = [c for c in chunks(markdown) if not is_list(c) and "**" not in c]
    # a hard line break ends the line, as it does in the Markdown loader
    expected = [plain(part) for c in plain_chunks for part in re.split(r" {2,}\n", c)]
    paragraphs = [b.full_text for b in atgam.blocks if b.kind == "paragraph"]
    assert [p for p in paragraphs if p in expected] == expected
    wrapped = [b for b in atgam.blocks if b.text.startswith("For billing purposes")]
    assert len(wrapped) == 1
    assert (wrapped[0].span.line_end or 0) > (wrapped[0].span.line_start or 0)


def test_bold_lead_in_becomes_the_label(atgam: Document) -> None:
    usp = next(b for b in atgam.blocks if b.label == "USP Category:")
    assert (usp.kind, usp.text) == ("paragraph", "IMMUNOLOGICAL AGENTS")


def test_furniture_is_recorded_and_never_a_block(atgam: Document) -> None:
    assert atgam.pages is not None and atgam.pages > 2
    page_numbers = [f for f in atgam.furniture if f.reason == "page-number"]
    assert [f.text for f in page_numbers] == [
        f"Page {n} of {atgam.pages}" for n in range(1, atgam.pages + 1)
    ]
    titles = [f for f in atgam.furniture if f.text == TITLE]
    assert len(titles) == atgam.pages
    assert {f.reason for f in titles} <= {"running-header", "running-footer"}
    assert not [b for b in atgam.blocks if PAGE_OF.search(b.full_text) or "Page 1 of" in b.text]
    assert [b.text for b in atgam.blocks].count(TITLE) == 1


def test_spans_point_at_the_documents_lines(atgam: Document) -> None:
    for block in atgam.blocks:
        span = block.span
        assert span.page and span.bbox and span.line_start and span.line_end
        first_line = atgam.lines[span.line_start - 1]
        assert block.full_text.split()[0] in first_line
        assert span.line_start <= span.line_end <= len(atgam.lines)


def test_the_pdf_gives_the_same_policy_as_the_markdown(atgam: Document, markdown: str) -> None:
    from_pdf = extract_document(atgam).model_dump(mode="json")
    from_markdown = extract_document(parse_markdown(markdown)).model_dump(mode="json")
    assert without_provenance(from_pdf) == without_provenance(from_markdown)


def test_a_block_continues_across_a_page_break(markdown: str, tmp_path: Path) -> None:
    path = tmp_path / "atgam_b.pdf"
    build_policy_pdf(markdown, path, "b", drop_lines={TITLE})
    document = load_pdf(path)
    furniture_lines = {f.span.line_start or 0 for f in document.furniture}
    spanning = [
        b
        for b in document.blocks
        if any((b.span.line_start or 0) < n < (b.span.line_end or 0) for n in furniture_lines)
    ]
    kinds = {b.kind for b in spanning}
    assert {"paragraph", "list_item"} <= kinds
    assert any(b.text.startswith("Any condition not listed") for b in spanning)


def test_a_word_hyphenated_across_lines_is_rejoined(tmp_path: Path) -> None:
    document = build(
        tmp_path,
        "**Hyphenation**\n\nThe drug is an immuno-  \nsuppressant agent used with non-  \n"
        "small cell agents after CAR-  \nT therapy.\n",
    )
    texts = [b.text for b in document.blocks if b.text.startswith("The drug")]
    assert texts == [
        "The drug is an immunosuppressant agent used with non-small cell agents after CAR-T "
        "therapy."
    ]


@pytest.mark.parametrize(
    ("left", "right", "joined"),
    [
        ("an immuno-", "suppressant agent", "an immunosuppressant agent"),
        ("a self-", "administered dose", "a self-administered dose"),
        ("genetically-", "modified cells", "genetically-modified cells"),
        ("anti-", "CD19 CAR", "anti-CD19 CAR"),
        ("at least two", "doses", "at least two doses"),
        ("dose –", "then stop", "dose – then stop"),
    ],
)
def test_hyphen_rule(left: str, right: str, joined: str) -> None:
    assert join_lines(left, right) == joined


def test_table_cells_are_joined_with_bars(tmp_path: Path) -> None:
    path = tmp_path / "table.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.setFont("Helvetica", 10)
    for y, cells in (
        (700, ("HCPCS", "Description")),
        (686, ("J7504", "Lymphocyte immune globulin")),
    ):
        pdf.drawString(72, y, cells[0])
        pdf.drawString(250, y, cells[1])
    pdf.save()
    texts = [b.text for b in load_pdf(path).blocks]
    assert texts == ["HCPCS | Description", "J7504 | Lymphocyte immune globulin"]


@pytest.mark.parametrize("engine", ["pdfminer", "pdfium"])
def test_fake_bold_drawn_twice_reads_once_as_a_heading(tmp_path: Path, engine: str) -> None:
    """pdfminer lists both strikes ("CCoovveerraaggee"); pdfium keeps one and drops the copy."""
    path = tmp_path / "fakebold.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.setFont("Helvetica", 12)
    for dx in (0, 0.3):
        pdf.drawString(72 + dx, 700, "Coverage Criteria")
    pdf.drawString(72, 670, "Meets medical necessity.")
    pdf.save()
    blocks = load_pdf(path, engine).blocks
    assert [(b.kind, b.text) for b in blocks] == [
        ("heading", "Coverage Criteria"),
        ("paragraph", "Meets medical necessity."),
    ]


# --- files that cannot be read ----------------------------------------------------------------


def reason_for(path: Path) -> str:
    with pytest.raises(LoadError) as caught:
        load_pdf(path)
    assert caught.value.path == str(path)
    assert "\n" not in str(caught.value)
    return caught.value.reason


def text_pdf(path: Path, **options: str) -> Path:
    pdf = canvas.Canvas(str(path), **options)
    pdf.drawString(72, 700, "Prior authorization is required.")
    pdf.save()
    return path


def test_encrypted_pdf_needs_a_password(tmp_path: Path) -> None:
    path = text_pdf(tmp_path / "locked.pdf", encrypt="pw")
    assert reason_for(path) == "PDF is encrypted; a password is needed"


def test_image_only_pdf_needs_ocr(tmp_path: Path) -> None:
    path = tmp_path / "scan.pdf"
    pdf = canvas.Canvas(str(path))
    pdf.rect(100, 100, 300, 400, fill=1)
    pdf.save()
    assert reason_for(path) == "PDF has no text layer (image-only); OCR is needed"


def test_truncated_pdf_is_reported_as_damaged(tmp_path: Path) -> None:
    whole = text_pdf(tmp_path / "whole.pdf").read_bytes()
    path = tmp_path / "truncated.pdf"
    path.write_bytes(whole[: len(whole) // 2])
    assert reason_for(path).startswith("PDF is damaged or truncated: ")


def test_random_bytes_are_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "random.pdf"
    path.write_bytes(bytes(range(256)) * 8)
    assert reason_for(path) == "not a PDF file (no %PDF header)"


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert reason_for(path) == "file is empty"


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cut=st.integers(min_value=0, max_value=4000), noise=st.binary(min_size=1, max_size=40))
def test_damaged_pdfs_never_crash(tmp_path: Path, cut: int, noise: bytes) -> None:
    whole = text_pdf(tmp_path / "seed.pdf").read_bytes()
    cut = min(cut, len(whole))
    path = tmp_path / "damaged.pdf"
    path.write_bytes(whole[:cut] + noise + whole[cut + len(noise) :])
    try:
        document = load_pdf(path)
    except LoadError as error:
        assert error.reason
    else:
        assert document.format == "pdf"


# --- real payer PDFs ---------------------------------------------------------------------------

REAL_PDFS = sorted(CORPUS.glob("*.pdf")) if CORPUS.is_dir() else []
needs_corpus = pytest.mark.skipif(not REAL_PDFS, reason=f"no real PDFs under {CORPUS}")


def load_or_describe(path: Path) -> Document | str:
    try:
        return load_pdf(path)
    except Exception as error:  # reported by the test for that file
        return f"{type(error).__name__}: {error}"


@cache
def real_documents() -> dict[str, Document | str]:
    """Every real PDF, loaded once, in parallel: the corpus is most of this file's run time."""
    with ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 1)) as pool:
        documents = list(pool.map(load_or_describe, REAL_PDFS))
    return {path.name: document for path, document in zip(REAL_PDFS, documents, strict=True)}


def real(name: str) -> Document:
    document = real_documents()[name]
    assert isinstance(document, Document), document
    return document


@needs_corpus
@pytest.mark.parametrize("path", REAL_PDFS, ids=[p.name for p in REAL_PDFS])
def test_every_real_pdf_loads_with_blocks(path: Path) -> None:
    document = real(path.name)
    assert document.blocks and document.pages
    furniture_lines = {f.span.line_start for f in document.furniture}
    for block in document.blocks:
        assert block.span.line_start not in furniture_lines


@needs_corpus
def test_cigna_page_numbers_and_policy_number_footer_are_furniture() -> None:
    document = real("cigna_ocrelizumab_ocrevus_IP0212_eff2025-11-01.pdf")
    found = {(f.span.page, f.reason, f.text) for f in document.furniture}
    for page in range(1, 7):
        assert (page, "page-number", f"Page {page} of 6") in found
        assert (page, "running-footer", "Coverage Policy Number: IP0212") in found
    assert not any("Coverage Policy Number: IP0212" in b.full_text for b in document.blocks)


@needs_corpus
def test_fep_stacked_header_is_furniture_after_the_cover_page() -> None:
    document = real("bcbsa_fep_breyanzi_2024.pdf")
    subject_lines = [f for f in document.furniture if f.text.startswith("Subject:")]
    assert [f.span.page for f in subject_lines] == [2, 3, 4, 5]
    assert all(f.reason == "running-header" for f in subject_lines)
    # page 1 lays its header out elsewhere, so it stays content rather than being guessed at
    assert any(b.full_text.startswith("Subject:") and b.span.page == 1 for b in document.blocks)


@needs_corpus
def test_anthem_bare_page_numbers_are_furniture() -> None:
    document = real("anthem_dupixent_CC-0029_2025-09.pdf")
    numbers = [(f.span.page, f.text) for f in document.furniture if f.reason == "page-number"]
    assert numbers == [(n, str(n)) for n in range(1, (document.pages or 0) + 1)]
