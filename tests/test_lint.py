"""Lint: code-set validation and consistency checks, on the seed and on edited copies of it.

Line numbers refer to source_docs/atgam.md unless an edit removes lines before them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import SEED
from policy_extract.errors import LoadError
from policy_extract.lint import (
    CHECKS,
    Finding,
    annotate_icd10,
    expand_icd10_range,
    icd10_release,
    lint_file,
    lint_policy,
    load_hcpcs_file,
    render_findings_json,
    render_findings_text,
    repeated_phrase,
)
from policy_extract.lint import codes as lint_codes
from policy_extract.model import Hcpcs, Icd10Code, Policy, Product, Source
from policy_extract.pipeline import extract

SEED_TEXT = SEED.read_text(encoding="utf-8")
SEED_LINES = SEED_TEXT.split("\n")
HCPCS_LINE = "J7504:Lymphocyte immune globulin, antithymocyte globulin, equine, parenteral, 250 mg"


@pytest.fixture(scope="module", autouse=True)
def icd10_code_set() -> Iterator[None]:
    """Import simple_icd_10_cm once for the module (it takes over a second); lint reuses it."""
    lint_codes._icd()
    yield


def edited_seed(tmp_path: Path, *replacements: tuple[str, str]) -> Path:
    """The seed with each ``old`` text replaced by ``new`` (each must occur), written to a file."""
    text = SEED_TEXT
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new)
    return write(tmp_path, text)


def seed_without_lines(tmp_path: Path, first: int, last: int) -> Path:
    """The seed without source lines ``first``..``last`` (1-based, inclusive)."""
    return write(tmp_path, "\n".join(SEED_LINES[: first - 1] + SEED_LINES[last:]))


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.md"
    path.write_text(text, encoding="utf-8")
    return path


def with_code(findings: list[Finding], code: str) -> list[Finding]:
    return [f for f in findings if f.code == code]


def only(findings: list[Finding], code: str) -> Finding:
    """The single finding with ``code``."""
    matching = with_code(findings, code)
    assert len(matching) == 1, findings
    return matching[0]


def errors(findings: list[Finding]) -> list[Finding]:
    return [f for f in findings if f.severity == "error"]


# --- The seed -----------------------------------------------------------------------------------


def test_seed_has_no_errors_and_the_repeated_phrase_warning(seed_policy: Policy) -> None:
    findings = lint_policy(seed_policy)
    assert findings == lint_file(SEED)
    assert errors(findings) == []
    finding = only(findings, "criterion-repeated-phrase")
    assert (finding.severity, finding.location) == ("warning", "line 121")
    assert finding.path == "coverage[3].criteria.children[0].children[1]"
    assert "refractory to high-dose methylprednisolone" in finding.message


def test_lint_does_not_change_the_policy(seed_policy: Policy) -> None:
    before = seed_policy.model_dump_json()
    lint_policy(seed_policy, hcpcs_codes=frozenset({"J7503"}))
    assert seed_policy.model_dump_json() == before


def test_every_check_is_a_named_function_with_a_docstring() -> None:
    names = [check.__name__ for check in CHECKS]
    assert len(set(names)) == len(names)
    assert all(check.__name__.startswith("check_") and check.__doc__ for check in CHECKS)


# --- ICD-10-CM ----------------------------------------------------------------------------------


def test_invalid_code_is_an_error_with_the_nearest_code(tmp_path: Path) -> None:
    findings = lint_file(edited_seed(tmp_path, ("T86.11", "T86.99X")))
    finding = only(findings, "icd10-invalid")
    assert (finding.severity, finding.location) == ("error", "line 72")
    assert finding.path == "coverage[0].icd10[0]"
    assert "'T86.99X'" in finding.message and icd10_release() in finding.message
    assert "T86.99" in finding.hint


def test_lowercase_undotted_code_is_normalised_with_a_warning(tmp_path: Path) -> None:
    findings = lint_file(edited_seed(tmp_path, ("D61.9", "d619")))
    finding = only(findings, "icd10-normalised")
    assert (finding.severity, finding.location) == ("warning", "line 91")
    assert "'D61.9'" in finding.message
    assert errors(findings) == []


def test_category_is_a_not_billable_warning_with_its_range(tmp_path: Path) -> None:
    findings = lint_file(edited_seed(tmp_path, ("D61.9", "D61")))
    finding = only(findings, "icd10-not-billable")
    assert (finding.severity, finding.location) == ("warning", "line 91")
    assert "D61.01-D61.9" in finding.hint


def test_valid_range_passes(tmp_path: Path) -> None:
    findings = lint_file(edited_seed(tmp_path, ("D61.9", "M05.00-M05.9")))
    assert not [f for f in findings if f.code.startswith("icd10")]


@pytest.mark.parametrize(
    ("written", "wording"),
    [("M05.9-M05.00", "runs backwards"), ("M05.00-M05.999", "'M05.999' is not")],
)
def test_reversed_or_unknown_range_is_an_error(tmp_path: Path, written: str, wording: str) -> None:
    findings = lint_file(edited_seed(tmp_path, ("D61.9", written)))
    finding = only(findings, "icd10-range-invalid")
    assert (finding.severity, finding.location) == ("error", "line 91")
    assert wording in finding.message


def test_expand_range_gives_billable_codes_in_code_set_order() -> None:
    codes = expand_icd10_range("M05.00", "M05.9")
    assert (codes[0], codes[-1]) == ("M05.00", "M05.9")
    assert all(lint_codes.icd10_status(code) == "billable" for code in codes)
    positions = [lint_codes.icd10_position(code) for code in codes]
    assert positions == sorted(positions)
    # A category as the end includes everything under it.
    assert expand_icd10_range("d61", "D61")[-1] == "D61.9"
    assert "M06.9" in expand_icd10_range("M05", "M06")


def test_expand_range_rejects_backwards_and_unknown_ends() -> None:
    with pytest.raises(ValueError, match="backwards"):
        expand_icd10_range("M05.9", "M05.00")
    with pytest.raises(ValueError, match="not an ICD-10-CM code"):
        expand_icd10_range("M05.00", "A00-A09")


def test_annotate_fills_missing_descriptions_in_a_copy(tmp_path: Path) -> None:
    policy = extract(edited_seed(tmp_path, ("D61.9", "d619, T86.99X, M05.00-M05.9")))
    annotated = annotate_icd10(policy)
    assert annotated.coverage[0].icd10[0].description == "Kidney transplant rejection"
    normalised, invalid, code_range = annotated.coverage[1].icd10
    assert normalised.description == "Aplastic anemia, unspecified"
    assert invalid.description is None and code_range.description is None
    assert all(code.description is None for c in policy.coverage for code in c.icd10)


def test_release_names_the_package_version() -> None:
    from importlib.metadata import version

    assert icd10_release().startswith("ICD-10-CM ")
    assert f"simple-icd-10-cm {version('simple-icd-10-cm')}" in icd10_release()


# --- HCPCS --------------------------------------------------------------------------------------


def test_malformed_hcpcs_in_the_source_is_an_error(tmp_path: Path) -> None:
    # The extractor leaves "J750:..." unparsed; lint still names it as a malformed code.
    findings = lint_file(edited_seed(tmp_path, ("J7504", "J750")))
    finding = only(findings, "hcpcs-malformed")
    assert (finding.severity, finding.location) == ("error", "line 25")
    assert "'J750'" in finding.message
    assert only(findings, "hcpcs-missing").severity == "warning"


def test_malformed_hcpcs_in_the_model_is_an_error(seed_policy: Policy) -> None:
    policy = seed_policy.model_copy(deep=True)
    policy.drug_details.hcpcs[0].code = "J75041"
    finding = only(lint_policy(policy), "hcpcs-malformed")
    assert (finding.severity, finding.location) == ("error", "line 25")
    assert finding.path == "drug_details.hcpcs[0]"


def test_unknown_hcpcs_is_an_error_only_with_a_code_list(seed_policy: Policy) -> None:
    assert with_code(lint_policy(seed_policy), "hcpcs-unknown") == []
    assert with_code(lint_policy(seed_policy, hcpcs_codes=frozenset({"J7504"})), "hcpcs-") == []
    finding = only(lint_policy(seed_policy, hcpcs_codes=frozenset({"J7503"})), "hcpcs-unknown")
    assert (finding.severity, finding.location) == ("error", "line 25")


def test_hcpcs_without_description_is_a_warning(tmp_path: Path) -> None:
    findings = lint_file(edited_seed(tmp_path, (HCPCS_LINE, "J7504")))
    finding = only(findings, "hcpcs-description-missing")
    assert (finding.severity, finding.location) == ("warning", "line 25")


def test_lowercase_hcpcs_is_normalised_with_a_warning(seed_policy: Policy) -> None:
    policy = seed_policy.model_copy(deep=True)
    policy.drug_details.hcpcs = [Hcpcs(code="j7504", description="x", text="j7504: x")]
    finding = only(lint_policy(policy), "hcpcs-normalised")
    assert finding.severity == "warning" and "'J7504'" in finding.message


ANWEB_LINES = [
    "J7504   00100Lymphocyte immune globulin, antithymocyte globulin, equine, parenteral, 250 mg",
    "J7504   00200  continued description line",
    "25      00100Significant, separately identifiable e/m service",  # a modifier: skipped
    "Q5101\t00100\tInjection, filgrastim-sndz, biosimilar, (zarxio), 1 microgram",
]


def test_load_hcpcs_release_text_file(tmp_path: Path) -> None:
    path = tmp_path / "HCPC2025_JAN_ANWEB.txt"
    path.write_text("\n".join(ANWEB_LINES) + "\n", encoding="cp1252")
    assert load_hcpcs_file(path) == frozenset({"J7504", "Q5101"})


@pytest.mark.parametrize("column", ["HCPC", "HCPCS", "Code"])
def test_load_hcpcs_csv_with_a_code_column(tmp_path: Path, column: str) -> None:
    path = tmp_path / "hcpcs.csv"
    path.write_text(f'SEQNUM,{column},LONG DESCRIPTION\n1,J7504,"Lymphocyte, equine"\n2,j9035,x\n')
    assert load_hcpcs_file(path) == frozenset({"J7504", "J9035"})


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "empty"),
        (b"  \n\n", "empty"),
        (b"no codes here\nat all\n", "no HCPCS codes"),
        (b"PK\x03\x04zipped", "ZIP archive"),
    ],
)
def test_load_hcpcs_rejects_unusable_files(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "hcpcs.txt"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=reason) as caught:
        load_hcpcs_file(path)
    assert "\n" not in str(caught.value) and str(path) in str(caught.value)


def test_load_hcpcs_missing_file_is_a_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="cannot read HCPCS file"):
        load_hcpcs_file(tmp_path / "absent.txt")


# --- Consistency --------------------------------------------------------------------------------


def test_renamed_listed_condition_is_two_errors_with_close_name_hints(tmp_path: Path) -> None:
    path = edited_seed(tmp_path, ("- Aplastic Anemia,", "- Aplastic Anaemia,"))
    findings = lint_file(path)
    unlisted = only(findings, "condition-not-listed")
    assert (unlisted.severity, unlisted.location) == ("error", "line 74")
    assert unlisted.hint == "did you mean 'Aplastic Anaemia, moderate to severe'?"
    uncovered = only(findings, "condition-not-covered")
    assert (uncovered.severity, uncovered.location) == ("error", "line 34")
    assert uncovered.path == "conditions_listed[1]"
    assert uncovered.hint == "did you mean 'Aplastic Anemia, moderate to severe'?"
    # Without the source lines the listed condition has no place, but still has its path.
    assert only(lint_policy(extract(path)), "condition-not-covered").location == ""


def test_condition_without_criteria_is_an_error(tmp_path: Path) -> None:
    findings = lint_file(seed_without_lines(tmp_path, 76, 80))
    finding = only(findings, "criteria-missing")
    assert (finding.severity, finding.location) == ("error", "line 74")
    assert finding.path == "coverage[1]"


def test_criteria_lead_in_without_items_is_an_error(tmp_path: Path) -> None:
    findings = lint_file(seed_without_lines(tmp_path, 78, 80))
    finding = only(findings, "criteria-missing")
    assert (finding.severity, finding.location) == ("error", "line 76")


@pytest.mark.parametrize(
    ("first", "last", "code", "path"),
    [
        (81, 84, "doses-missing", "coverage[1].doses"),
        (85, 88, "periods-missing", "coverage[1].coverage_periods"),
        (89, 92, "icd10-missing", "coverage[1].icd10"),
    ],
)
def test_condition_without_a_part_is_a_warning(
    tmp_path: Path, first: int, last: int, code: str, path: str
) -> None:
    findings = lint_file(seed_without_lines(tmp_path, first, last))
    finding = only(findings, code)
    assert (finding.severity, finding.location, finding.path) == ("warning", "line 74", path)
    assert errors(findings) == []


def test_dose_without_amount_and_unit_is_an_error(tmp_path: Path) -> None:
    path = edited_seed(
        tmp_path, ("20 mg/kg given as an IV infusion per day", "Given as an IV per day")
    )
    finding = only(lint_file(path), "dose-unit-missing")
    assert (finding.severity, finding.location) == ("error", "line 83")
    assert finding.path == "coverage[1].doses[0]"


def test_period_without_count_or_duration_is_a_warning(tmp_path: Path) -> None:
    finding = only(
        lint_file(edited_seed(tmp_path, ("Up to 44 days", "As needed"))), "period-unreadable"
    )
    assert (finding.severity, finding.location) == ("warning", "line 109")


@pytest.mark.parametrize(
    ("text", "phrase"),
    [
        (
            "refractory to high-dose methylprednisolone: Refractory to high-dose "
            "methylprednisolone",
            "refractory to high-dose methylprednisolone",
        ),
        ("Used with cyclosporine and used with cyclosporine", "used with cyclosporine"),
        ("Meets either of the following", None),
        ("all of the following and all of the following", None),  # filler words only
        ("used with x, then used with y", None),  # two words repeated, not three
    ],
)
def test_repeated_phrase(text: str, phrase: str | None) -> None:
    assert repeated_phrase(text) == phrase


@pytest.mark.parametrize(
    ("first", "last", "code", "path"),
    [
        (9, 15, "places-of-service-empty", "places_of_service"),
        (29, 29, "how-supplied-empty", "drug_details.how_supplied"),
        (161, 170, "references-empty", "references"),
    ],
)
def test_empty_section_is_a_warning_without_location(
    tmp_path: Path, first: int, last: int, code: str, path: str
) -> None:
    finding = only(lint_file(seed_without_lines(tmp_path, first, last)), code)
    assert (finding.severity, finding.location, finding.path) == ("warning", "", path)


def test_gap_in_reference_numbers_is_a_warning(tmp_path: Path) -> None:
    finding = only(lint_file(seed_without_lines(tmp_path, 165, 165)), "reference-number-gap")
    assert (finding.severity, finding.location) == ("warning", "line 165")
    assert finding.message == "reference 4 follows 2: 3 missing"


def test_duplicate_reference_number_is_a_warning(tmp_path: Path) -> None:
    findings = lint_file(edited_seed(tmp_path, ("3. DrugDex", "4. DrugDex")))
    finding = only(findings, "reference-number-duplicate")
    assert (finding.severity, finding.location) == ("warning", "line 166")


def test_review_date_in_another_form_is_a_warning(tmp_path: Path) -> None:
    finding = only(lint_file(edited_seed(tmp_path, ("3Q2025", "Q3 2025"))), "review-date-format")
    assert (finding.severity, finding.location) == ("warning", "line 173")


def test_unparsed_content_is_one_warning_per_item(tmp_path: Path) -> None:
    finding = only(lint_file(edited_seed(tmp_path, ("J7504", "J750"))), "unparsed-content")
    assert (finding.severity, finding.location, finding.path) == (
        "warning",
        "line 25",
        "unparsed[0]",
    )


def test_generic_profile_is_not_held_to_the_template_fields() -> None:
    source = Source(path="x.pdf", format="pdf", sha256="0", profile="generic")
    codes = {f.code for f in lint_policy(Policy(source=source))}
    assert codes == {"references-empty"}


# --- Order and rendering ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def many_problems(tmp_path_factory: pytest.TempPathFactory) -> list[Finding]:
    path = edited_seed(
        tmp_path_factory.mktemp("lint"),
        ("T86.11", "T86.99X"),
        ("D61.9", "d619"),
        ("3Q2025", "Q3 2025"),
        ("250 mg/5 mL (50 mg/mL) 5 ampoules", ""),
    )
    return lint_file(path)


def test_findings_are_in_file_order(many_problems: list[Finding]) -> None:
    placed = [f.line for f in many_problems if f.line is not None]
    assert placed == sorted(placed)
    assert many_problems[-1].location == ""  # absences come last


def test_text_report_groups_by_file_then_severity(many_problems: list[Finding]) -> None:
    text = render_findings_text([("a.md", many_problems), ("b.md", [])], code_set="R")
    lines = text.splitlines()
    assert lines[0] == "a.md: 1 error, 4 warnings"
    assert lines[1].startswith("  error line 72: icd10-invalid:")
    assert lines.index("b.md: 0 errors, 0 warnings") > max(
        i for i, line in enumerate(lines) if line.startswith("  warning")
    )
    assert lines[-1] == "2 files linted: 1 error, 4 warnings; code set R"


def test_json_report_is_stable_and_complete(many_problems: list[Finding]) -> None:
    results = [("a.md", many_problems)]
    rendered = render_findings_json(results, code_set="R")
    assert rendered == render_findings_json(results, code_set="R")
    document = json.loads(rendered)
    assert document["total"] == {"files": 1, "errors": 1, "warnings": 4}
    assert document["code_sets"] == {"icd10": "R"}
    first = document["files"][0]["findings"][0]
    assert first == {
        "severity": "error",
        "code": "icd10-invalid",
        "message": first["message"],
        "hint": first["hint"],
        "location": "line 72",
        "path": "coverage[0].icd10[0]",
        "page": None,
        "line": 72,
    }


def test_at_least_more_than_the_sub_criteria_is_an_error(tmp_path: Path) -> None:
    findings = lint_file(
        edited_seed(tmp_path, ("3. One of the following:", "3. At least three of the following:"))
    )
    finding = only(findings, "criteria-count-unreachable")
    assert (finding.severity, finding.location) == ("error", "lines 141-143")
    assert finding.path == "coverage[4].criteria.children[2]"
    assert "at least 3 of 2" in finding.message


def test_a_code_listed_twice_for_one_condition_is_a_warning(tmp_path: Path) -> None:
    findings = lint_file(edited_seed(tmp_path, ("D61.9", "D61.9, D61.9")))
    finding = only(findings, "icd10-duplicate")
    assert (finding.severity, finding.location) == ("warning", "line 91")
    assert finding.path == "coverage[1].icd10[1]"


# --- Contract v1.1 fields: document coding tables and products ----------------------------------


def test_a_document_level_code_no_condition_lists_is_checked(seed_policy: Policy) -> None:
    policy = seed_policy.model_copy(deep=True)
    listed = policy.coverage[0].icd10[0].model_copy()
    policy.icd10 = [listed, Icd10Code(code="D61.99")]
    finding = only(lint_policy(policy), "icd10-invalid")
    assert (finding.severity, finding.path) == ("error", "icd10[1]")
    assert "D61.99" in finding.message
    # the code a condition lists already is checked there, not a second time
    assert not [f for f in lint_policy(policy) if f.path == "icd10[0]"]


def test_a_document_level_range_running_backwards_is_an_error(seed_policy: Policy) -> None:
    policy = seed_policy.model_copy(deep=True)
    policy.icd10 = [Icd10Code(code="M05.9-M05.00", start="M05.9", end="M05.00")]
    finding = only(lint_policy(policy), "icd10-range-invalid")
    assert finding.path == "icd10[0]" and "runs backwards" in finding.message


def test_malformed_and_unknown_product_hcpcs_are_errors(seed_policy: Policy) -> None:
    policy = seed_policy.model_copy(deep=True)
    policy.products = [Product(name="Drug A", hcpcs=["J7504", "J9999", "J750"])]
    finding = only(lint_policy(policy), "hcpcs-malformed")
    assert (finding.severity, finding.path) == ("error", "products[0].hcpcs[2]")
    assert "Drug A" in finding.message
    unknown = lint_policy(policy, hcpcs_codes=frozenset({"J7504"}))
    # J7504 is the drug details' code too: checked there, not once more for the product
    assert [f.path for f in with_code(unknown, "hcpcs-unknown")] == ["products[0].hcpcs[1]"]
