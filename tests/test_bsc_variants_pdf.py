"""Issue 14 on PDFs: the BSC variant fixtures rendered in both test layouts, set the way other
word processors set the template -- tight paragraph spacing (4 pt, less than the loader's old
fixed threshold), the review block alone on the last page, and the payer footer drawn as page
furniture rather than body text (so no line on that page is long).

Under those settings a paragraph whose last line is full used to run on into the next one, and
"Date of Last Annual Review: 2Q2025" took the "Changes from previous policy version:" line with it.
The plain settings are covered for every fixture by ``test_pdf_equivalence.py``.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import FIXTURES, without_provenance
from pdfbuild import build_policy_pdf
from policy_extract.loaders import load_document
from policy_extract.loaders.markdown import parse_markdown
from policy_extract.pipeline import extract_document, run_pipeline
from policy_extract.verify import verify_extraction

VARIANTS = [FIXTURES / "ustekinumab_sc.md", FIXTURES / "rituximab_iv.md"]
FOOTER = (
    "*Blue Shield of California Medication Policy to Determine Medical Necessity*  \n"
    "Reviewed by P&T Committee"
)


@pytest.fixture(scope="module", params=[(p, layout) for p in VARIANTS for layout in "ab"],
                ids=lambda param: f"{param[0].stem}-{param[1]}")  # fmt: skip
def rendered(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Any:
    source, layout = request.param
    markdown = source.read_text(encoding="utf-8")
    expected = extract_document(parse_markdown(markdown))
    pdf = tmp_path_factory.mktemp("pdf") / f"{source.stem}_{layout}.pdf"
    build_policy_pdf(
        markdown,
        pdf,
        layout,
        drop_lines={expected.title or "", FOOTER},
        paragraph_space=4,
        page_break_before={"Review History"},
    )
    return expected, run_pipeline(load_document(pdf))


def _comparable(policy: Any) -> Any:
    return without_provenance(policy.model_dump(mode="json", exclude={"payer", "spans"}))


def test_tightly_set_pdf_gives_the_same_policy_as_its_markdown(rendered: Any) -> None:
    expected, extraction = rendered
    assert _comparable(extraction.policy) == _comparable(expected)


def test_each_special_instruction_paragraph_stays_one_entry(rendered: Any) -> None:
    expected, extraction = rendered
    instructions = extraction.policy.special_instructions
    assert len(instructions) == 3
    assert instructions == expected.special_instructions


def test_review_labels_are_separate_blocks_and_fields(rendered: Any) -> None:
    expected, extraction = rendered
    texts = [block.full_text for block in extraction.document.blocks]
    date = f"Date of Last Annual Review: {expected.review_history.last_annual_review}"
    assert date in texts
    assert "Changes from previous policy version:" in texts
    assert extraction.policy.review_history == expected.review_history.model_copy(
        update={"span": extraction.policy.review_history.span}
    )


def test_qualifier_and_connectors_survive_the_pdf(rendered: Any) -> None:
    expected, extraction = rendered
    policy = extraction.policy
    assert policy.drug == expected.drug and policy.drug.qualifier is not None

    def connectors(p: Any) -> list[list[str | None]]:
        return [[x.joined_by for x in c.doses + c.coverage_periods] for c in p.coverage]

    assert connectors(policy) == connectors(expected)
    assert any("or" in row for row in connectors(policy))


def test_tightly_set_pdf_verifies(rendered: Any) -> None:
    _, extraction = rendered
    report = verify_extraction(extraction)
    assert report.ok, [(c.page, c.line, c.claim, c.text) for c in report.problems]
