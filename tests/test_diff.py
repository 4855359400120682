"""diff: what a reviewer sees when comparing two versions of a policy.

Each pair is the seed policy and a copy with one edit, both extracted from files, so the tests
exercise the same path as ``policy-extract diff OLD NEW``.
"""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path

import pytest

from conftest import FIXTURES, REAL_CORPUS, SEED
from policy_extract.blocks import Span
from policy_extract.diff import (
    Change,
    DiffFormat,
    PolicyDiff,
    diff_policies,
    load_for_diff,
    render_diff,
    word_diff,
)
from policy_extract.model import (
    ConditionCoverage,
    CriteriaNode,
    Hcpcs,
    Policy,
    Unparsed,
    Warning,
)
from policy_extract.render.json import policy_to_json

SEED_TEXT = SEED.read_text(encoding="utf-8")
HCT = "coverage[hematopoietic-cell-transplantation]"
MDS = "coverage[myelodysplastic-syndrome-mds]"
RUNNING_HEADER = "anti-thymocyte globulin (Atgam)"
FORMATS: tuple[DiffFormat, ...] = ("md", "html", "json", "changelog")


def edited(*edits: tuple[str, str]) -> str:
    """The seed with each (old, new) replaced exactly once: a stale edit fails loudly."""
    text = SEED_TEXT
    for old, new in edits:
        assert text.count(old) == 1, f"edit target not found exactly once: {old!r}"
        text = text.replace(old, new)
    return text


def diff_texts(tmp_path: Path, old: str, new: str) -> PolicyDiff:
    (tmp_path / "old.md").write_text(old, encoding="utf-8")
    (tmp_path / "new.md").write_text(new, encoding="utf-8")
    return diff_policies(load_for_diff(tmp_path / "old.md"), load_for_diff(tmp_path / "new.md"))


def diff_seed(tmp_path: Path, *edits: tuple[str, str]) -> PolicyDiff:
    return diff_texts(tmp_path, SEED_TEXT, edited(*edits))


def only_change(diff: PolicyDiff) -> Change:
    assert len(diff.changes) == 1, [c.summary for c in diff.changes]
    return diff.changes[0]


def changelog(diff: PolicyDiff) -> list[str]:
    return render_diff(diff, "changelog").splitlines()


# --- no change ---------------------------------------------------------------------------------


class TestNoChange:
    """Differences of form only: the reviewer is told nothing changed."""

    def test_identical_inputs(self, tmp_path: Path) -> None:
        diff = diff_texts(tmp_path, SEED_TEXT, SEED_TEXT)
        assert diff.changes == []
        assert changelog(diff) == ["- No clinical change following annual review."]
        assert "No changes." in render_diff(diff, "md")

    def test_reordered_icd10_line(self, tmp_path: Path) -> None:
        reordered = ("D89.810, D89.812, D89.813, T86.09", "T86.09, D89.813, D89.810, D89.812")
        assert diff_seed(tmp_path, reordered).changes == []

    def test_running_header_added_mid_document(self, tmp_path: Path) -> None:
        header = (
            "**Coverage Period:**\n\nUp to 44 days",
            f"{RUNNING_HEADER}\n\n**Coverage Period:**\n\nUp to 44 days",
        )
        diff = diff_seed(tmp_path, header)
        assert diff.changes == []

    def test_json_and_markdown_of_the_same_policy(self, tmp_path: Path) -> None:
        """A converted JSON file diffs against its source as equal: spans and source are ignored."""
        (tmp_path / "old.json").write_text(policy_to_json(load_for_diff(SEED)), encoding="utf-8")
        old = load_for_diff(tmp_path / "old.json")
        assert old.source is not None and old.source.format == "markdown"
        assert diff_policies(old, load_for_diff(SEED)).changes == []

    def test_spans_warnings_and_source_are_ignored(self, seed_policy: Policy) -> None:
        old = seed_policy.model_copy(deep=True)
        old.unparsed = [Unparsed(text="Stray note.", span=Span(line_start=3, line_end=3))]
        moved = old.model_copy(deep=True)
        for condition in moved.coverage:
            condition.span = None
            condition.icd10.reverse()
            condition.doses = [d.model_copy(update={"span": None}) for d in condition.doses]
        moved.source = None
        moved.drug_details.hcpcs.reverse()
        moved.places_of_service.reverse()
        moved.warnings = [Warning(code="odd", message="something odd")]
        moved.unparsed = [Unparsed(text="Stray  note.", span=Span(line_start=90, line_end=90))]
        assert diff_policies(old, moved).changes == []


# --- codes -------------------------------------------------------------------------------------


class TestCodes:
    def test_added_icd10_code_broadens(self, tmp_path: Path) -> None:
        change = only_change(diff_seed(tmp_path, ("Z94.89, Z94.9\n", "Z94.89, Z94.9, Z94.99\n")))
        assert (change.kind, change.impact) == ("added", "broadens")
        assert change.path == f"{HCT}.icd10[Z94.99]"
        assert change.condition == "Hematopoietic Cell Transplantation"
        assert change.new["code"] == "Z94.99" and change.old is None

    def test_changelog_bullet_reads_like_the_policy(self, tmp_path: Path) -> None:
        diff = diff_seed(tmp_path, ("Z94.89, Z94.9\n", "Z94.89, Z94.9, Z94.99\n"))
        assert changelog(diff) == ["- Hematopoietic Cell Transplantation: Added ICD-10 code Z94.99"]

    def test_codes_of_one_condition_share_a_bullet(self, tmp_path: Path) -> None:
        diff = diff_seed(tmp_path, ("Z94.89, Z94.9\n", "Z94.89, Z94.9, Z94.98, Z94.99\n"))
        assert len(diff.changes) == 2
        assert changelog(diff) == [
            "- Hematopoietic Cell Transplantation: Added ICD-10 codes Z94.98, Z94.99"
        ]

    def test_removed_icd10_code_narrows(self, tmp_path: Path) -> None:
        change = only_change(diff_seed(tmp_path, ("T86.09, ", "")))
        assert (change.kind, change.impact) == ("removed", "narrows")
        assert change.path == f"{HCT}.icd10[T86.09]"
        assert change.new is None and change.old["code"] == "T86.09"

    def test_added_hcpcs_is_policy_wide(self, seed_policy: Policy) -> None:
        new = seed_policy.model_copy(deep=True)
        new.drug_details.hcpcs.append(Hcpcs(code="J1234", description="Test drug", text="J1234"))
        change = only_change(diff_policies(seed_policy, new))
        assert (change.kind, change.path, change.impact) == (
            "added",
            "drug_details.hcpcs[J1234]",
            "broadens",
        )
        assert change.condition is None
        assert changelog(diff_policies(seed_policy, new)) == ["- Added HCPCS J1234"]


def test_swapped_place_of_service_is_a_removal_and_an_addition(seed_policy: Policy) -> None:
    new = seed_policy.model_copy(deep=True)
    new.places_of_service = [
        "Physician Office Administration" if place == "Office Administration" else place
        for place in new.places_of_service
    ]
    kinds = [(c.kind, c.impact, c.old or c.new) for c in diff_policies(seed_policy, new).changes]
    assert kinds == [
        ("added", "broadens", "Physician Office Administration"),
        ("removed", "narrows", "Office Administration"),
    ]


# --- conditions --------------------------------------------------------------------------------


class TestConditions:
    def test_renamed_heading_is_one_change_per_place(self, tmp_path: Path) -> None:
        diff = diff_seed(
            tmp_path,
            (
                "- Hematopoietic Cell Transplantation\n",
                "- Hematopoietic Stem Cell Transplantation\n",
            ),
            (
                "**Hematopoietic Cell Transplantation**",
                "**Hematopoietic Stem Cell Transplantation**",
            ),
        )
        listed, coverage = diff.changes
        assert (listed.kind, listed.path, listed.impact) == (
            "changed",
            "conditions_listed",
            "editorial",
        )
        assert listed.new == "Hematopoietic Stem Cell Transplantation"
        assert coverage.kind == "changed"
        assert coverage.path == "coverage[hematopoietic-stem-cell-transplantation].condition"
        assert (coverage.old, coverage.new) == (
            "Hematopoietic Cell Transplantation",
            "Hematopoietic Stem Cell Transplantation",
        )

    def test_removed_condition_narrows(self, seed_policy: Policy) -> None:
        new = seed_policy.model_copy(deep=True)
        del new.coverage[3]
        change = only_change(diff_policies(seed_policy, new))
        assert (change.kind, change.impact) == ("removed", "narrows")
        assert change.path == "coverage[management-of-immunotherapy-related-toxicities]"

    def test_prior_authorization_newly_required_narrows(self, seed_policy: Policy) -> None:
        old = seed_policy.model_copy(deep=True)
        old.coverage[0].prior_authorization_required = False
        change = only_change(diff_policies(old, seed_policy))
        assert change.path.endswith(".prior_authorization_required")
        assert change.impact == "narrows"
        assert only_change(diff_policies(seed_policy, old)).impact == "broadens"


# --- criteria ----------------------------------------------------------------------------------


class TestCriteria:
    def test_inserted_criterion_is_one_addition(self, tmp_path: Path) -> None:
        """The old 3 renumbered to 4 is not a change: labels are ignored."""
        inserted = ("3. One of the following:", "3. New requirement\n4. One of the following:")
        change = only_change(diff_seed(tmp_path, inserted))
        assert (change.kind, change.impact) == ("added", "narrows")
        assert change.path == f"{MDS}.criteria.children[2]"
        assert change.new["text"] == "New requirement"
        assert change.summary == "Added criterion: New requirement"
        assert changelog(diff_seed(tmp_path, inserted)) == [
            "- Myelodysplastic syndrome (MDS): Added criterion: New requirement"
        ]

    def test_reworded_criterion_shows_the_words(self, tmp_path: Path) -> None:
        reworded = (
            "2. For treatment of lower risk disease",
            "2. For treatment of very low risk disease",
        )
        change = only_change(diff_seed(tmp_path, reworded))
        # The tool cannot judge what new wording does to coverage: never filed as editorial.
        assert (change.kind, change.impact) == ("changed", "unclassified")
        assert change.path == f"{MDS}.criteria.children[1]"
        assert "[-lower-]{+very low+}" in change.summary
        assert change.new.startswith("For treatment of very low risk disease")

    def test_operator_any_to_all_narrows(self, seed_policy: Policy) -> None:
        new = seed_policy.model_copy(deep=True)
        criteria = new.coverage[4].criteria
        assert criteria is not None and criteria.children[2].operator == "any"
        criteria.children[2].operator = "all"
        change = only_change(diff_policies(seed_policy, new))
        assert (change.path, change.old, change.new) == (
            f"{MDS}.criteria.children[2].operator",
            "any",
            "all",
        )
        assert change.impact == "narrows"

    def test_an_added_alternative_broadens(self, seed_policy: Policy) -> None:
        """Under "one of the following", one more option widens coverage."""
        new = seed_policy.model_copy(deep=True)
        criteria = new.coverage[4].criteria
        assert criteria is not None
        criteria.children[2].children.append(CriteriaNode(label="c", text="Used with ATRA"))
        change = only_change(diff_policies(seed_policy, new))
        assert (change.kind, change.impact) == ("added", "broadens")
        assert change.path == f"{MDS}.criteria.children[2].children[2]"

    def test_at_least_count_raised_narrows(self) -> None:
        def policy(count: int) -> Policy:
            options = [CriteriaNode(text=t) for t in ("fever", "rash", "joint pain")]
            root = CriteriaNode(text="At least of", operator="at_least", min_count=count)
            root.children = options
            return Policy(coverage=[ConditionCoverage(id="x", condition="X", criteria=root)])

        change = only_change(diff_policies(policy(1), policy(2)))
        assert (change.path, change.impact) == ("coverage[x].criteria.min_count", "narrows")


# --- doses and periods -------------------------------------------------------------------------


class TestDosesAndPeriods:
    def test_reduced_dose_narrows(self, tmp_path: Path) -> None:
        change = only_change(diff_seed(tmp_path, ("40 mg/kg given as", "30 mg/kg given as")))
        assert (change.kind, change.path, change.impact) == (
            "changed",
            f"{MDS}.doses[0]",
            "narrows",
        )
        assert (change.old["amount"], change.new["amount"]) == (40, 30)
        assert "[-40-]{+30+}" in change.summary
        assert changelog(diff_seed(tmp_path, ("40 mg/kg given as", "30 mg/kg given as"))) == [
            "- Myelodysplastic syndrome (MDS): Changed dose: "
            "30 mg/kg given as an IV infusion once daily"
        ]

    def test_raised_frequency_broadens(self, tmp_path: Path) -> None:
        edit = (
            "20 mg/kg given as an IV infusion once daily",
            "20 mg/kg given as an IV infusion twice per day",
        )
        change = only_change(diff_seed(tmp_path, edit))
        assert change.path == "coverage[management-of-immunotherapy-related-toxicities].doses[0]"
        assert change.impact == "broadens"

    def test_shortened_period_narrows(self, tmp_path: Path) -> None:
        change = only_change(diff_seed(tmp_path, ("Up to 44 days", "Up to 30 days")))
        assert (change.kind, change.path, change.impact) == (
            "changed",
            f"{HCT}.coverage_periods[0]",
            "narrows",
        )
        assert change.new["duration"] == {"value": 30, "unit": "d"}

    def test_reworded_dose_with_equal_values_is_editorial(self, tmp_path: Path) -> None:
        edit = (
            "15 mg/kg given as an IV infusion per day",
            "15 mg/kg given as an IV infusion once daily",
        )
        change = only_change(diff_seed(tmp_path, edit))
        assert (change.kind, change.impact) == ("changed", "editorial")


# --- references and review history -------------------------------------------------------------


class TestEditorial:
    def test_reference_url_changed(self, tmp_path: Path) -> None:
        diff = diff_seed(tmp_path, ("<http://www.lexi.com>", "<https://www.lexi.com>"))
        change = only_change(diff)
        assert (change.kind, change.path, change.impact) == (
            "changed",
            "references[1]",
            "editorial",
        )
        assert change.new["url"] == "https://www.lexi.com"
        assert changelog(diff) == ["- Updated references"]

    def test_all_reference_changes_make_one_bullet(self, tmp_path: Path) -> None:
        diff = diff_seed(
            tmp_path,
            ("<http://www.lexi.com>", "<https://www.lexi.com>"),
            ("NY: 9/2023.", "NY: 9/2025."),
        )
        assert len(diff.changes) == 2
        assert changelog(diff) == ["- Updated references"]

    def test_review_date_changed(self, tmp_path: Path) -> None:
        change = only_change(diff_seed(tmp_path, ("3Q2025", "3Q2026")))
        assert (change.kind, change.path, change.impact) == (
            "changed",
            "review_history.last_annual_review",
            "editorial",
        )
        assert (change.old, change.new) == ("3Q2025", "3Q2026")


# --- renderers ---------------------------------------------------------------------------------

THREE_EDITS = (
    ("Z94.89, Z94.9\n", "Z94.89, Z94.9, Z94.99\n"),
    ("40 mg/kg given as", "30 mg/kg given as"),
    ("<http://www.lexi.com>", "<https://www.lexi.com>"),
)


class TestRenderers:
    def test_json_has_the_contract_keys_in_order(self, tmp_path: Path) -> None:
        text = render_diff(diff_seed(tmp_path, *THREE_EDITS), "json")
        data = json.loads(text)
        assert list(data) == ["old", "new", "changes"]
        assert [list(c) for c in data["changes"]] == [
            ["kind", "path", "old", "new", "summary", "impact", "condition"]
        ] * 3
        assert text == render_diff(diff_seed(tmp_path, *THREE_EDITS), "json"), "deterministic"

    def test_md_groups_by_condition_then_policy_wide(self, tmp_path: Path) -> None:
        text = render_diff(diff_seed(tmp_path, *THREE_EDITS), "md")
        headings = re.findall(r"^## (.+)$", text, flags=re.MULTILINE)
        assert headings == [
            "Hematopoietic Cell Transplantation",
            "Myelodysplastic syndrome (MDS)",
            "Policy-wide",
        ]
        assert "**[narrows]**" in text and "**[broadens]**" in text and "**[editorial]**" in text

    def test_html_is_self_contained_and_escapes_policy_text(self, tmp_path: Path) -> None:
        edit = ("2. For treatment of lower", "2. For <script>alert(1)</script> treatment of lower")
        text = render_diff(diff_seed(tmp_path, edit, *THREE_EDITS), "html")
        assert text.startswith("<!DOCTYPE html>") and "<style>" in text
        assert "<script" not in text and "&lt;script&gt;" in text
        assert not re.search(r"""(src|href)=["']?https?:""", text), "no external assets"
        assert "<del>40</del>" in text and "<ins>30</ins>" in text

    def test_changelog_for_several_edits(self, tmp_path: Path) -> None:
        assert changelog(diff_seed(tmp_path, *THREE_EDITS)) == [
            "- Hematopoietic Cell Transplantation: Added ICD-10 code Z94.99",
            "- Myelodysplastic syndrome (MDS): Changed dose: "
            "30 mg/kg given as an IV infusion once daily",
            "- Updated references",
        ]

    def test_unknown_format_is_a_clear_error(self) -> None:
        with pytest.raises(ValueError, match="unknown diff format"):
            render_diff(PolicyDiff(old="a", new="b"), "pdf")  # type: ignore[arg-type]


def test_word_diff_elides_long_equal_runs() -> None:
    old = " ".join(f"w{n}" for n in range(30))
    new = old.replace("w15", "changed")
    assert word_diff(old, new) == "… w11 w12 w13 w14 [-w15-]{+changed+} w16 w17 w18 w19 …"
    assert word_diff("a b c", "a x c") == "a [-b-]{+x+} c"


@pytest.mark.parametrize("other", sorted(FIXTURES.glob("*.md")), ids=lambda p: p.name)
def test_different_policies_diff_without_error(other: Path) -> None:
    diff = diff_policies(load_for_diff(SEED), load_for_diff(other))
    assert diff.changes
    for fmt in FORMATS:
        assert render_diff(diff, fmt).endswith("\n")


# --- real PDF pairs ----------------------------------------------------------------------------

REAL_PAIRS = [
    ("bcbsa_fep_breyanzi_2024.pdf", "bcbsa_fep_breyanzi_2025.pdf"),
    (
        "cigna_infliximab_iv_IP0660_eff2026-01-01.pdf",
        "cigna_infliximab_iv_IP0660_eff2026-03-15.pdf",
    ),
]


def _pdf_loader_missing() -> str | None:
    if not REAL_CORPUS.is_dir():
        return f"real corpus not present at {REAL_CORPUS}"
    try:
        importlib.import_module("policy_extract.loaders.pdf")
    except ImportError as exc:
        return f"PDF loader not importable: {exc}"
    return None


@pytest.mark.parametrize("old_name,new_name", REAL_PAIRS, ids=lambda name: name[:24])
def test_real_version_pairs_report_changes(old_name: str, new_name: str) -> None:
    """Non-BSC documents land in `outline`: their sections and paragraphs are compared."""
    if reason := _pdf_loader_missing():
        pytest.skip(reason)
    old, new = REAL_CORPUS / old_name, REAL_CORPUS / new_name
    if not (old.exists() and new.exists()):
        pytest.skip(f"{old_name} / {new_name} not in the real corpus")
    diff = diff_policies(load_for_diff(old), load_for_diff(new))
    assert diff.changes
    outline_changes = [c for c in diff.changes if c.path.startswith("outline[")]
    assert outline_changes
    # An unknown template's paragraphs cannot be judged: never filed away as editorial.
    assert {c.impact for c in outline_changes} == {"unclassified"}
    for fmt in FORMATS:
        assert render_diff(diff, fmt)
