"""The published PDF gives the same Policy as its Markdown; any payer's PDF converts without loss.

Test PDFs are built with reportlab from the Markdown fixtures in two layouts (fonts, sizes,
margins, header/footer placement, forced page breaks inside lists and paragraphs).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from conftest import REAL_CORPUS, fixture_documents, without_provenance
from pdfbuild import build_policy_pdf
from policy_extract.loaders import load_document
from policy_extract.loaders.markdown import parse_markdown
from policy_extract.pipeline import extract_document, run_pipeline
from policy_extract.verify import verify_extraction

# The test PDF builder draws the BSC conventions (one "•" bullet per level, bold lines as
# headings); the UHC layout (image bullets, conditions as bold list items) it cannot draw.
MARKDOWN_FIXTURES = [
    p for p in fixture_documents() if p.suffix == ".md" and not p.name.startswith("uhc_")
]
REAL_PDFS = sorted(REAL_CORPUS.glob("*.pdf")) if REAL_CORPUS.is_dir() else []


@pytest.fixture(scope="module", params=[(p, layout) for p in MARKDOWN_FIXTURES for layout in "ab"],
                ids=lambda param: f"{param[0].stem}-{param[1]}")  # fmt: skip
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    source, layout = request.param
    markdown = source.read_text(encoding="utf-8")
    title = extract_document(parse_markdown(markdown)).title or ""
    pdf = tmp_path_factory.mktemp("pdf") / f"{source.stem}_{layout}.pdf"
    build_policy_pdf(markdown, pdf, layout, drop_lines={title})
    return markdown, pdf


def test_pdf_gives_the_same_policy_as_its_markdown(rendered: Any) -> None:
    markdown, pdf = rendered
    from_pdf = run_pipeline(load_document(pdf)).policy.model_dump(mode="json")
    from_markdown = extract_document(parse_markdown(markdown)).model_dump(mode="json")
    assert without_provenance(from_pdf) == without_provenance(from_markdown)


def test_pdf_rendering_verifies_and_spans_carry_pages(rendered: Any) -> None:
    _, pdf = rendered
    extraction = run_pipeline(load_document(pdf))
    report = verify_extraction(extraction)
    assert report.ok, [(c.page, c.line, c.claim, c.text) for c in report.problems]
    policy = extraction.policy
    assert policy.source is not None and (policy.source.pages or 0) >= 2
    dose = policy.coverage[-1].doses[0]
    assert dose.span is not None and dose.span.page is not None and dose.span.bbox is not None


@pytest.mark.skipif(not REAL_PDFS, reason=f"real payer corpus not found at {REAL_CORPUS}")
@pytest.mark.parametrize("path", REAL_PDFS, ids=[p.name for p in REAL_PDFS])
def test_real_payer_pdf_converts_with_nothing_lost(path: Path) -> None:
    extraction = run_pipeline(load_document(path))
    policy = extraction.policy
    assert policy.title
    assert policy.outline, "an unknown template keeps its content in the outline"
    if policy.source is not None and policy.source.profile == "generic":
        assert any(w.code == "template-not-recognised" for w in policy.warnings)
    report = verify_extraction(extraction)
    lost = [(c.page, c.line, c.text) for c in report.lines if c.claim == "lost"]
    assert lost == []


@pytest.mark.skipif(not REAL_PDFS, reason=f"real payer corpus not found at {REAL_CORPUS}")
def test_real_pdf_coding_table_gives_hcpcs_codes() -> None:
    path = REAL_CORPUS / "cigna_ocrelizumab_ocrevus_IP0212_eff2025-11-01.pdf"
    if not path.exists():
        pytest.skip(f"{path.name} not in the real corpus")
    policy = run_pipeline(load_document(path)).policy
    assert [(h.code, h.description) for h in policy.drug_details.hcpcs] == [
        ("J2350", "Injection, ocrelizumab, 1 mg")
    ]
    assert policy.title == "Ocrevus"
