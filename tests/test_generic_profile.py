"""Documents in templates no profile knows: title, dates, references, and the whole outline."""

from __future__ import annotations

from policy_extract.loaders.markdown import parse_markdown
from policy_extract.pipeline import extract_document

OTHER_PAYER = """\
Medical Drug Clinical Criteria

Subject: | Dupixent (dupilumab) | Page: | 1 of 11

Status: | Revised | Last Review Date: | March 8, 2024

# Clinical criteria

1. Coverage requires a diagnosis of moderate-to-severe atopic dermatitis
   - a. Prescribed by a dermatologist

# Coding information

J0585 | Injection, onabotulinumtoxinA, 1 unit | Botox

J0897 – Injection, denosumab, 1 mg

# References

1. Simpson EL, et al. Two phase 3 trials of dupilumab. N Engl J Med. 2016. <https://doi.org/10.1056/NEJMoa1610020>
2. Package insert, 2024.

Policy History

March 2024 | Annual review and reference update
"""


def test_unknown_template_keeps_everything_in_the_outline_and_says_so() -> None:
    policy = extract_document(parse_markdown(OTHER_PAYER, path="other.md"))
    assert policy.title == "Dupixent (dupilumab)"
    assert (policy.drug.generic_name, policy.drug.brand_names) == ("dupilumab", ["Dupixent"])
    assert policy.review_history.last_annual_review == "March 8, 2024"
    assert [(r.number, r.url) for r in policy.references] == [
        (1, "https://doi.org/10.1056/NEJMoa1610020"),
        (2, None),
    ]
    # The history table under the list has no heading of its own: it stays in the outline only.
    references = next(s for s in policy.outline if s.heading == "References")
    assert [b.text for b in references.blocks][
        -1
    ] == "March 2024 | Annual review and reference update"
    assert policy.coverage == []
    assert [w.code for w in policy.warnings] == ["no-indications-found", "template-not-recognised"]
    criteria = next(s for s in policy.outline if s.heading == "Clinical criteria")
    (item,) = criteria.blocks
    assert item.label == "1."
    assert [child.text for child in item.children] == ["Prescribed by a dermatologist"]


def test_hcpcs_codes_are_read_from_coding_tables_of_any_template() -> None:
    policy = extract_document(parse_markdown(OTHER_PAYER, path="other.md"))
    assert [(h.code, h.description) for h in policy.drug_details.hcpcs] == [
        ("J0585", "Injection, onabotulinumtoxinA, 1 unit"),
        ("J0897", "Injection, denosumab, 1 mg"),
    ]
    assert policy.drug_details.hcpcs[0].text == (
        "J0585 | Injection, onabotulinumtoxinA, 1 unit | Botox"
    )
