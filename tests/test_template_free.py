"""The template-free reader: indications, criteria shape, durations, general criteria and
not-covered statements of documents no profile knows, from layout and language alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, REAL_CORPUS
from policy_extract import ParseError, extract
from policy_extract.blocks import Block, Span
from policy_extract.model import ConditionCoverage, Policy
from policy_extract.profiles.reader.criteria import group_criteria
from policy_extract.profiles.reader.tree import build_criteria_forest

# Hand-written policies in templates no profile knows. They live in a sub-folder: the suites
# over tests/fixtures/*.md (policy.md round trip, PDF rebuilds with doses) assume BSC documents.
GENERIC = FIXTURES / "generic"


def _condition(policy: Policy, name: str) -> ConditionCoverage:
    return next(c for c in policy.coverage if c.condition == name)


def _durations(condition: ConditionCoverage) -> dict[str | None, tuple[float, str]]:
    return {
        p.phase: (p.duration.value, p.duration.unit)
        for p in condition.coverage_periods
        if p.duration
    }


def test_numbered_indications_with_initial_and_continuation_blocks() -> None:
    policy = extract(GENERIC / "generic_numbered_indications.md")
    assert policy.source is not None and policy.source.profile == "generic"
    assert [c.condition for c in policy.coverage] == [
        "Moderate to Severe Plaque Psoriasis",
        "Hidradenitis Suppurativa",
    ]
    psoriasis = _condition(policy, "Moderate to Severe Plaque Psoriasis")
    assert psoriasis.criteria is not None and psoriasis.criteria.operator == "all"
    assert len(psoriasis.criteria.children) == 3
    assert psoriasis.criteria.children[1].operator == "any"  # "one of the following"
    assert psoriasis.continuation_criteria is not None
    assert len(psoriasis.continuation_criteria.children) == 1
    assert _durations(psoriasis) == {"initial": (4, "mo"), "continuation": (12, "mo")}
    assert psoriasis.prior_authorization_required is True
    hidradenitis = _condition(policy, "Hidradenitis Suppurativa")
    assert hidradenitis.criteria is not None
    assert (hidradenitis.criteria.operator, hidradenitis.criteria.min_count) == ("at_least", 2)
    assert _durations(hidradenitis) == {"initial": (6, "mo")}


def test_note_paragraph_is_not_a_criterion() -> None:
    policy = extract(GENERIC / "generic_numbered_indications.md")
    psoriasis = _condition(policy, "Moderate to Severe Plaque Psoriasis")
    assert psoriasis.criteria is not None
    assert len(psoriasis.criteria.children) == 3
    assert "Phototherapy counts" in psoriasis.criteria.children[-1].text


def test_general_criteria_and_not_covered() -> None:
    policy = extract(GENERIC / "generic_numbered_indications.md")
    assert policy.general_criteria is not None
    assert policy.general_criteria.operator == "all"
    assert len(policy.general_criteria.children) == 2
    texts = [s.text for s in policy.not_covered]
    assert "Mild psoriasis" in texts
    assert all("Psoriasis" not in t for t in texts[1:])


def test_lead_in_requests_merge_initial_and_continuation() -> None:
    policy = extract(GENERIC / "generic_lead_in_requests.md")
    assert [c.condition for c in policy.coverage] == [
        "chronic cough",
        "idiopathic pulmonary fibrosis (IPF)",
    ]
    cough = policy.coverage[0]
    assert cough.criteria is not None and cough.criteria.operator == "all"  # from "; AND"
    assert len(cough.criteria.children) == 3
    assert cough.continuation_criteria is not None
    assert _durations(cough) == {"initial": (6, "mo"), "continuation": (12, "mo")}
    assert cough.prior_authorization_required is None  # the document does not say
    assert policy.coverage[1].coverage_periods == []  # no duration printed: none invented
    assert policy.not_covered[0].text.startswith("In combination with")


def test_policy_without_criteria_has_empty_coverage_and_a_warning() -> None:
    policy = extract(GENERIC / "generic_no_criteria.md")
    assert policy.coverage == []
    codes = {w.code for w in policy.warnings}
    assert {"no-indications-found", "template-not-recognised"} <= codes


@pytest.mark.parametrize(
    "text",
    [
        "# Quarterly results\n\n- Revenue grew\n- Hiring plan\n\n## Next steps\n\n- Ship it\n",
        "# Hackathon brief\n\nBuild something fun in 24 hours. Teams of four.\n",
    ],
)
def test_not_a_drug_policy_is_refused(tmp_path: Path, text: str) -> None:
    path = tmp_path / "deck.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ParseError):
        extract(path)


def test_benefits_booklet_gets_no_invented_indications(tmp_path: Path) -> None:
    path = tmp_path / "booklet.md"
    path.write_text(
        "# Your 2026 Benefits\n\n## Coverage at a glance\n\n"
        "Your plan covers drug benefits and medical benefits. Prior authorization may apply.\n\n"
        "- Office visits: $20 copay\n- Formulary drugs: $10 copay\n- Emergency room: $150\n",
        encoding="utf-8",
    )
    policy = extract(path)
    assert policy.coverage == []
    assert "template-not-recognised" in {w.code for w in policy.warnings}


@pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="real payer PDFs not present")
def test_real_fep_policy_read_without_a_profile(monkeypatch: pytest.MonkeyPatch) -> None:
    pdf = REAL_CORPUS / "bcbsa_fep_spinraza_2025.pdf"
    if not pdf.exists():
        pytest.skip(f"{pdf.name} not in the real corpus")
    monkeypatch.setenv("POLICY_EXTRACT_DISABLE_PROFILES", "all")
    policy = extract(pdf)
    assert len(policy.coverage) == 1
    sma = policy.coverage[0]
    assert sma.criteria is not None and sma.criteria.operator == "all"
    assert len(sma.criteria.children) == 9
    assert sma.continuation_criteria is not None
    assert _durations(sma) == {"initial": (3, "mo"), "continuation": (12, "mo")}


def _item(marker: str, text: str, indent: float, line: int) -> Block:
    return Block(
        "list_item", text, Span(line_start=line, line_end=line), marker=marker, indent=indent
    )


def _para(text: str, indent: float, line: int) -> Block:
    return Block("paragraph", text, Span(line_start=line, line_end=line), indent=indent)


def test_pdf_list_interrupted_by_notes_lead_ins_and_other_label_forms() -> None:
    """A PDF-like stream: a note under an item, an "AND ALL of the following" paragraph, "(1)"
    items under "b)", and a "Dosing." paragraph before the next numbered indication."""
    blocks = [
        _item("1.", "Uveitis. Approve if the patient meets ALL of the following:", 54, 1),
        _item("a)", "Patient is 18 years of age; AND", 72, 2),
        _para("Note: age is at the first dose.", 90, 3),
        _item("b)", "Patient meets ONE of the following:", 72, 4),
        _item("(1)", "Tried corticosteroids; OR", 90, 5),
        _item("(2)", "Has a contraindication", 90, 6),
        _para("AND ALL of the following:", 54, 7),
        _item("a)", "Prescribed by an ophthalmologist", 72, 8),
        _para("Dosing. Approve the following regimens:", 72, 9),
        _item("a)", "5 mg/kg every 8 weeks", 90, 10),
        _item("2.", "Sarcoidosis. Approve if the patient meets the following:", 54, 11),
    ]
    roots = build_criteria_forest(blocks)
    assert [r.label for r in roots] == ["1", "2"]
    uveitis = group_criteria(roots[0])
    assert uveitis.operator == "all"
    assert len(uveitis.children) == 2  # its own items, and the "AND ALL" group
    own, joined = uveitis.children
    assert [c.label for c in own.children] == ["a", "b"]  # the note is not an item
    assert "age is at the first dose" in own.children[0].text
    assert [c.label for c in own.children[1].children] == ["1", "2"]
    assert own.children[1].operator == "any"
    assert len(joined.children) == 1  # the dosing regimen is not a criterion


def test_alternatives_indented_under_an_item_ending_in_and_are_the_next_criterion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """ "...risk for fracture; AND" is complete, and joined by its AND to what follows: the two
    "...; OR" bullets indented under it are the next criterion, a group of alternatives (three
    items, not two), whatever the payer."""
    source = tmp_path / "policy.md"
    source.write_text(
        "# Exampla (examplumab) Injection\n\n## Coverage Criteria\n\n"
        "Examplumab is considered medically necessary when the following criteria are met:\n\n"
        "1. Bone Disease. Approve for 12 months if the patient meets ALL of the following:\n"
        "    - Patient is at least 18 years of age; AND\n"
        "    - Patient must be at an increased risk for fracture; AND\n"
        "        - Documented treatment failure of a bisphosphonate; OR\n"
        "        - Documented contraindication to a bisphosphonate\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("POLICY_EXTRACT_DISABLE_PROFILES", "all")
    criteria = _condition(extract(source), "Bone Disease").criteria
    assert criteria is not None and criteria.operator == "all"
    first, risk, alternatives = criteria.children
    assert first.text.startswith("Patient is at least 18")
    assert risk.text.endswith("risk for fracture; AND") and not risk.children
    assert alternatives.text == "" and alternatives.operator == "any"
    assert [c.text.split()[1] for c in alternatives.children] == ["treatment", "contraindication"]


def test_a_bullet_printed_at_the_level_of_the_line_announcing_its_list_is_its_first_item() -> None:
    """A layout slip of real PDFs: "Diagnosis of X; and" printed at the x of "For initial
    therapy, all of the following:", the rest of the list deeper. The diagnosis is the announced
    list's first item, not a sibling that takes the list as its own children."""
    blocks = [
        _item("-", "For initial therapy, all of the following:", 54, 1),
        _item("-", "Diagnosis of sialorrhea; and", 54, 2),
        _item("-", "History of failure to one of the following:", 72, 3),
        _para("Botox", 108, 4),
        _item("-", "For continuation of therapy, all of the following:", 54, 5),
        _item("-", "Patient has responded", 54, 6),  # no deeper list after it: a sibling
        _item("-", "Prescribed by a specialist", 54, 7),
    ]
    roots = build_criteria_forest(blocks)
    assert [r.text for r in roots] == [b.full_text for b in (blocks[0], blocks[4], *blocks[5:])]
    assert [c.text for c in roots[0].children] == [blocks[1].full_text, blocks[2].full_text]
    assert roots[1].children == []


def _diagnoses_section(own_items: bool) -> list[Block]:
    blocks = [
        Block("heading", "Prior-Approval Requirements", Span(line_start=0, line_end=0), True),
        Block("heading", "Diagnoses", Span(line_start=1, line_end=1), True),
        _para("Patient must have ONE of the following:", 108, 2),
        _item("1.", "Large B-cell lymphoma", 139, 3),
    ]
    if own_items:
        blocks.append(_item("a.", "Diffuse large B-cell lymphoma", 157, 4))
    blocks += [
        _item("2.", "Follicular lymphoma grade 3B", 139, 5),
        _para("AND ONE of the following:", 108, 6),
        _item("a.", "Refractory to first-line chemoimmunotherapy", 157, 7),
        _item("b.", "Relapsed within 12 months of first-line chemoimmunotherapy", 157, 8),
        _para("AND ALL of the following:", 108, 9),
        _item("a.", "No primary CNS lymphoma", 157, 10),
        _item("b.", "No active infection", 157, 11),
    ]
    return blocks


def test_groups_after_a_list_of_bare_diagnoses_are_every_diagnosis_criteria() -> None:
    """ "Patient must have ONE of the following: 1. ... 2. ..." then "AND ONE ..." and
    "AND ALL ..." paragraphs: each diagnosis, listed with no criteria of its own, takes both
    groups (not only the last diagnosis)."""
    from policy_extract.profiles.reader.indications import read_indications

    found = read_indications(_diagnoses_section(own_items=False)).indications
    assert [f.name for f in found] == ["Large B-cell lymphoma", "Follicular lymphoma grade 3B"]
    for indication in found:
        criteria = indication.criteria
        assert criteria is not None and criteria.operator == "all", indication.name
        assert [(g.operator, len(g.children)) for g in criteria.children] == [
            ("any", 2),
            ("all", 2),
        ]


def test_a_group_after_a_diagnosis_with_items_of_its_own_stays_that_diagnosis_criteria() -> None:
    from policy_extract.profiles.reader.indications import read_indications

    found = read_indications(_diagnoses_section(own_items=True)).indications
    first, second = found
    assert first.criteria is not None and first.criteria.children[0].text.startswith("Diffuse")
    assert "Refractory" not in str(first.criteria)  # not shared across the list
    assert second.criteria is not None and "Refractory" in str(second.criteria)


def test_a_multi_drug_policy_lists_its_products_and_its_drug_is_the_first(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "policy.md"
    source.write_text(
        "# Toxins for Spasticity\n\n## Coverage Rationale\n\n"
        "This policy refers to the following botulinum toxins:\n\n"
        "Dysport® (abobotulinumtoxinA)  \nXeomin® (incobotulinumtoxinA)\n\n"
        "Spasticity is covered when the following criteria are met:\n\n"
        "- Diagnosis of spasticity; and\n- Prescribed by a neurologist\n\n"
        "## Applicable Codes\n\n| Code | Description |\n| --- | --- |\n"
        "| J0586 | Injection, abobotulinumtoxinA, 5 units |\n"
        "| J0588 | Injection, incobotulinumtoxinA, 1 unit |\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("POLICY_EXTRACT_DISABLE_PROFILES", "all")
    policy = extract(source)
    assert [(p.name, p.generic_name, p.hcpcs) for p in policy.products] == [
        ("Dysport", "abobotulinumtoxinA", ["J0586"]),
        ("Xeomin", "incobotulinumtoxinA", ["J0588"]),
    ]
    assert (policy.drug.generic_name, policy.drug.brand_names) == (
        "abobotulinumtoxinA",
        ["Dysport"],
    )


def test_a_condition_heading_then_a_lead_in_heading_reads_as_the_profile_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The reference template without its profile: "**Allograft Rejection ...**" then
    "**Meets medical necessity if all the following are met:**" and a numbered list. The first
    heading is the condition, the second leads in its criteria: the same conditions, operators
    and items as the Blue Shield profile reads, for a payer that prints the same layout."""
    from conftest import SEED

    with_profile = extract(SEED)
    monkeypatch.setenv("POLICY_EXTRACT_DISABLE_PROFILES", "all")
    template_free = extract(SEED)

    def shape(policy: Policy) -> list[tuple[str, str | None, int]]:
        return [
            (c.condition, c.criteria.operator, len(c.criteria.children))
            for c in policy.coverage
            if c.criteria is not None
        ]

    assert len(template_free.coverage) == len(with_profile.coverage) == 5
    assert shape(template_free) == shape(with_profile)


def test_prior_authorization_follows_the_statement_before_each_condition(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """ "The following condition(s) require Prior Authorization" then, later, "... DO NOT
    require Prior Authorization": the conditions after the second do not (it said they did)."""
    source = FIXTURES / "infliximab.md"
    with_profile = {c.condition: c.prior_authorization_required for c in extract(source).coverage}
    monkeypatch.setenv("POLICY_EXTRACT_DISABLE_PROFILES", "all")
    template_free = {c.condition: c.prior_authorization_required for c in extract(source).coverage}
    assert template_free == with_profile
    assert sorted(set(template_free.values()), key=str) == [False, True]
