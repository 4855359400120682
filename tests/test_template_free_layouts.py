"""The template-free reader on a layout no profile knows: lettered indication headings under
"Criteria for Initial Approval", each granted in one sentence or with a list, and the same
headings again under "Continuation of Therapy"; precertification wording; the drug named by a
heading of its own."""

from __future__ import annotations

from policy_extract.loaders.markdown import parse_markdown
from policy_extract.model import ConditionCoverage, Policy
from policy_extract.phrases.approval import parse_approval
from policy_extract.pipeline import extract_document

_BULLETIN = """\
# Specialty Pharmacy Clinical Policy Bulletin

**Northwind Specialty Pharmacy Clinical Policy Bulletins**

**Velotumab (Velorex®)**

**Policy Number:** 4512-A

## Policy

Note: Requires Precertification. Precertification of velotumab (Velorex) is required of all \
participating providers and members in applicable plan designs.

## Criteria for Initial Approval

The plan considers velotumab (Velorex) medically necessary for the following indications:

### A. Rheumatoid Arthritis (RA)

Authorization of 6 months may be granted for treatment of moderately to severely active RA in \
members 18 years of age or older who meet any of the following criteria:

1. Member has previously received a biologic indicated for moderately to severely active RA
2. Member has had an inadequate response to methotrexate

### B. Giant Cell Arteritis (GCA)

Authorization of 12 months may be granted for treatment of giant cell arteritis in members 50 \
years of age or older.

**Dosing.** Approve up to 162 mg subcutaneously once weekly.

## Continuation of Therapy

### A. Rheumatoid Arthritis (RA)

Authorization of 12 months may be granted for all members who are using the requested \
medication for RA and who achieve or maintain positive clinical response.

## Dosage and Administration

Velorex is available as 200 mg/10 mL single-dose vials.

## References

1. Velorex prescribing information. 2025.
"""


def _read() -> Policy:
    return extract_document(parse_markdown(_BULLETIN))


def _condition(policy: Policy, name: str) -> ConditionCoverage:
    return next(c for c in policy.coverage if c.condition == name)


def _durations(condition: ConditionCoverage) -> dict[str | None, float]:
    return {p.phase: p.duration.value for p in condition.coverage_periods if p.duration}


def test_lettered_indication_headings_with_a_list_or_one_granting_sentence() -> None:
    policy = _read()
    assert [c.condition for c in policy.coverage] == [
        "Rheumatoid Arthritis (RA)",
        "Giant Cell Arteritis (GCA)",
    ]
    ra = _condition(policy, "Rheumatoid Arthritis (RA)")
    assert ra.criteria is not None
    assert (ra.criteria.operator, len(ra.criteria.children)) == ("any", 2)
    gca = _condition(policy, "Giant Cell Arteritis (GCA)")
    assert gca.criteria is not None and gca.criteria.children == []
    assert gca.criteria.text.startswith("Authorization of 12 months may be granted")
    assert _durations(gca) == {"initial": 12}
    assert [(d.amount, d.unit) for d in gca.doses] == [(162, "mg")]  # the part after it


def test_a_continuation_of_therapy_section_gives_the_indications_continuation() -> None:
    ra = _condition(_read(), "Rheumatoid Arthritis (RA)")
    assert ra.continuation_criteria is not None
    assert "achieve or maintain positive clinical response" in ra.continuation_criteria.text
    assert _durations(ra) == {"initial": 6, "continuation": 12}


def test_precertification_is_prior_authorization() -> None:
    assert all(c.prior_authorization_required is True for c in _read().coverage)


def test_a_heading_of_the_drugs_names_alone_names_the_drug() -> None:
    drug = _read().drug
    assert (drug.generic_name, drug.brand_names) == ("velotumab", ["Velorex"])


def test_authorization_of_a_duration_is_an_approval_length() -> None:
    period = parse_approval("Authorization of 6 months may be granted for members who")
    assert period is not None and period.duration is not None
    assert (period.duration.value, period.duration.unit) == (6, "mo")


_POLICY_SECTION = """\
# Medical Policy: Velotumab (Velorex®) Infusion

**Policy Number:** MP-2291

## Description

Velotumab is a monoclonal antibody.

## Policy

Velotumab is considered medically necessary for the following indications when the criteria \
below are met. Prior authorization is required.

1. Neuromyelitis optica spectrum disorder (NMOSD), when all of the following are met:
   a. Member is 18 years of age or older; and
   b. Member is anti-aquaporin-4 antibody positive; and
   c. Velotumab is not used with another complement inhibitor.
2. Generalized myasthenia gravis (gMG), when all of the following are met:
   a. Member is anti-acetylcholine receptor antibody positive; and
   b. MG-ADL score of 6 or more.

## Coding

| Code | Description |
| --- | --- |
| J1234 | Injection, velotumab, 10 mg |
"""


def test_a_document_whose_headings_name_no_criteria_part_is_read_for_criteria() -> None:
    # "Policy" names no criteria part: its numbered "Condition, when all of the following are
    # met:" items are the indications all the same.
    policy = extract_document(parse_markdown(_POLICY_SECTION))
    assert [c.condition for c in policy.coverage] == [
        "Neuromyelitis optica spectrum disorder (NMOSD)",
        "Generalized myasthenia gravis (gMG)",
    ]
    nmosd = policy.coverage[0]
    assert nmosd.criteria is not None and nmosd.criteria.operator == "all"
    assert [c.text for c in nmosd.criteria.children] == [
        "Member is 18 years of age or older; and",
        "Member is anti-aquaporin-4 antibody positive; and",
        "Velotumab is not used with another complement inhibitor.",
    ]
    assert nmosd.prior_authorization_required is True


def test_lettered_lines_inside_a_markdown_item_are_its_sub_items() -> None:
    blocks = parse_markdown(_POLICY_SECTION).blocks
    items = [(b.marker, b.indent, b.span.line_start) for b in blocks if b.kind == "list_item"]
    lines = _POLICY_SECTION.split("\n")
    first = next(n for n, line in enumerate(lines, 1) if line.startswith("   a. Member is 18"))
    assert items[:4] == [
        ("1.", 1, first - 1),
        ("a.", 2, first),
        ("b.", 2, first + 1),
        ("c.", 2, first + 2),
    ]


def test_a_criterion_ending_in_when_is_not_an_indication() -> None:
    from policy_extract.profiles.reader.language import condition_from_named_item

    assert (
        condition_from_named_item("Patient has tried methotrexate, when all of the following")
        is None
    )
    assert (
        condition_from_named_item("Crohn's disease, if all of the following") == "Crohn's disease"
    )


def test_a_list_nested_past_every_limit_is_read_without_a_recursion_error() -> None:
    # A plain-text policy now has headings (its first line), and a document with no criteria
    # heading is read for criteria everywhere: a 1,200-level list reaches the reader's trees.
    from policy_extract.blocks import MAX_LIST_DEPTH
    from policy_extract.loaders.text import parse_text

    lines = [f"{'  ' * depth}- criterion at level {depth}" for depth in range(1200)]
    text = "Drug policy\n\nCoverage criteria; prior authorization required.\n\n" + "\n".join(lines)
    for document in (parse_text(text), parse_markdown(text)):
        policy = extract_document(document)
        assert "list-too-deep" in {warning.code for warning in policy.warnings}

        def depth(node: object, level: int = 0) -> int:
            children = getattr(node, "children", [])
            return max([level, *(depth(child, level + 1) for child in children)])

        for condition in policy.coverage:
            assert depth(condition.criteria) <= MAX_LIST_DEPTH


def test_lettered_paragraphs_are_list_items_and_criteria() -> None:
    text = """\
# Velotumab Drug Policy

## Clinical Criteria

### Neuromyelitis Optica Spectrum Disorder

Velotumab is medically necessary for the treatment of NMOSD when all of the following \
criteria are met:

a. Member is 18 years of age or older

b. Member is anti-aquaporin-4 antibody positive

*a. An italic line stays a paragraph*
"""
    blocks = parse_markdown(text).blocks
    assert [(b.kind, b.marker, b.indent) for b in blocks[-3:]] == [
        ("list_item", "a.", 1),
        ("list_item", "b.", 1),
        ("paragraph", None, 0),
    ]
    [condition] = extract_document(parse_markdown(text)).coverage
    assert condition.criteria is not None and condition.criteria.operator == "all"
    assert [c.text for c in condition.criteria.children] == [
        "Member is 18 years of age or older",
        "Member is anti-aquaporin-4 antibody positive",
    ]
