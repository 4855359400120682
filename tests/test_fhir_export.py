"""FHIR export: every policy of the fixtures and the real corpus becomes a Bundle whose every
resource validates (a round trip through fhir.resources), with the mapping integrators rely on."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from conftest import FIXTURES, REAL_CORPUS, SEED, run_cli
from fhir_corpus import (
    FIXTURE_NAMES,
    policy_named,
    questionnaires,
    real_pdf_names,
    walk_items,
)
from policy_extract.fhir.export import export_policy
from policy_extract.fhir.link_ids import link_tree
from policy_extract.model import ConditionCoverage, CriteriaNode, Icd10Code, Policy

pytest.importorskip("fhir.resources")

_REAL = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="real corpus not present"),
    )
    for name in real_pdf_names()
]
_FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")
_CRD = "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"


def _bundle(policy: Policy) -> dict[str, Any]:
    return json.loads(export_policy(policy).text)  # type: ignore[no-any-return]


def _coverage_information(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    """Each Basic's coverage-information sub-extensions as {url: value}."""
    found = []
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Basic":
            (extension,) = [e for e in resource["extension"] if e["url"] == _CRD]
            found.append(
                {
                    part["url"]: next(v for k, v in part.items() if k.startswith("value"))
                    for part in extension["extension"]
                }
            )
    return found


@pytest.mark.parametrize("name", [*FIXTURE_NAMES, *_REAL])
def test_every_policy_exports_and_every_resource_validates(name: str) -> None:
    from fhir.resources.R4B.bundle import Bundle

    policy = policy_named(name)
    text = export_policy(policy).text
    parsed = Bundle.model_validate_json(text)  # every resource validated by its model
    assert json.loads(parsed.model_dump_json()) == json.loads(text)  # nothing dropped or reshaped
    assert export_policy(policy).text == text  # deterministic bytes
    bundle = json.loads(text)
    assert bundle["type"] == "collection"
    ids = [entry["resource"]["id"] for entry in bundle["entry"]]
    assert len(ids) == len(set(ids)) and all(_FHIR_ID.match(i) for i in ids)
    forms = questionnaires(bundle)
    assert len(forms) == max(len(policy.coverage), 1)
    for form in forms:
        link_ids = [item["linkId"] for item in walk_items(form["item"])]
        assert form["item"] and len(link_ids) == len(set(link_ids))
    assert len(_coverage_information(bundle)) == len(policy.coverage)


def test_questionnaire_mirrors_the_criteria_tree() -> None:
    """Groups for nodes with children, booleans for leaves, verbatim text, spans kept."""
    policy = policy_named(SEED.name)
    condition = policy.coverage[2]  # nested: 1.a.i
    form = questionnaires(_bundle(policy))[2]
    items = {item["linkId"]: item for item in walk_items(form["item"])}
    for linked in link_tree(condition.criteria, f"{condition.id}/initial").walk():  # type: ignore[arg-type]
        item = items[linked.link_id]
        assert item["text"] == linked.node.text
        assert item["type"] == ("group" if linked.node.children else "boolean")
        span = {
            p["url"]: p["valueInteger"]
            for e in item["extension"]
            for p in e.get("extension", [])
            if e["url"].endswith("/source-span")
        }
        assert span["line_start"] == linked.node.span.line_start  # type: ignore[union-attr]
    doses = [item for link_id, item in items.items() if "/dose/" in link_id]
    assert [d["text"] for d in doses] == [d.text for d in condition.doses]
    assert all(d["type"] == "display" for d in doses)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (["1", "2"], ["root/1", "root/2"]),
        (["a", "a"], ["root/a", "root/a@2"]),  # a repeated label
        ([None, None], ["root/@1", "root/@2"]),  # unlabelled
        (["1.1", "1"], ["root/@1", "root/1"]),  # a dotted label cannot fake a deeper path
    ],
)
def test_link_ids_are_unique_label_paths(labels: list[str | None], expected: list[str]) -> None:
    root = CriteriaNode(
        text="all of",
        operator="all",
        children=[CriteriaNode(label=label, text=f"item {i}") for i, label in enumerate(labels)],
    )
    assert [child.link_id for child in link_tree(root, "root").children] == expected


def test_nested_link_ids_join_labels_with_dots() -> None:
    leaf = CriteriaNode(label="ii", text="leaf")
    middle = CriteriaNode(label="a", text="any of", operator="any", children=[leaf, leaf])
    root = CriteriaNode(
        text="all",
        operator="all",
        children=[CriteriaNode(label="1", text="all of", operator="all", children=[middle])],
    )
    ids = [item.link_id for item in link_tree(root, "c/initial").walk()]
    assert ids == [
        "c/initial",
        "c/initial/1",
        "c/initial/1.a",
        "c/initial/1.a.ii",
        "c/initial/1.a.ii@2",
    ]


def _one_condition(**changes: Any) -> Policy:
    policy = policy_named(SEED.name).model_copy(deep=True)
    policy.coverage = [policy.coverage[0].model_copy(update=changes)]
    return policy


@pytest.mark.parametrize(
    ("required", "expected"),
    [(True, "auth-needed"), (False, "no-auth"), (None, None)],
)
def test_pa_needed_follows_prior_authorization(required: bool | None, expected: str | None) -> None:
    (info,) = _coverage_information(_bundle(_one_condition(prior_authorization_required=required)))
    assert info.get("pa-needed") == expected
    assert info["covered"] == "conditional"
    assert info["questionnaire"] == questionnaires(_bundle(_one_condition()))[0]["url"]


@pytest.mark.parametrize(
    ("criterion", "doc_needed"),
    [
        ("Chart notes documenting a trial of methotrexate", "clinical"),
        ("Medical records confirming the diagnosis are submitted", "clinical"),
        ("Documentation of a negative TB test", "clinical"),
        ("Results submitted with the request", "clinical"),
        ("Patient is 18 years of age or older", "conditional"),
        ("Prescribed by a rheumatologist", "conditional"),
    ],
)
def test_doc_needed_where_a_criterion_asks_for_documents(criterion: str, doc_needed: str) -> None:
    tree = CriteriaNode(
        text="all of", operator="all", children=[CriteriaNode(label="1", text=criterion)]
    )
    (info,) = _coverage_information(_bundle(_one_condition(criteria=tree)))
    assert info["doc-needed"] == doc_needed


def _value_set(bundle: dict[str, Any], title_start: str) -> dict[str, Any]:
    (found,) = [
        e["resource"]
        for e in bundle["entry"]
        if e["resource"]["resourceType"] == "ValueSet"
        and e["resource"]["title"].startswith(title_start)
    ]
    return found  # type: ignore[no-any-return]


def test_icd10_ranges_listed_whole_or_expanded() -> None:
    codes = [
        Icd10Code(code="M05.00-M05.09", start="M05.00", end="M05.09"),
        Icd10Code(
            code="M06.00-M06.09", start="M06.00", end="M06.09", expanded=["M06.00", "M06.01"]
        ),
        Icd10Code(code="L40.0", description="Psoriasis vulgaris"),
    ]
    value_set = _value_set(_bundle(_one_condition(icd10=codes)), "ICD-10-CM codes:")
    contains = {c["code"]: c for c in value_set["expansion"]["contains"]}
    assert sorted(contains) == ["L40.0", "M05.00-M05.09", "M06.00", "M06.01"]
    assert contains["M05.00-M05.09"]["abstract"] is True  # a range kept whole is not billable
    assert "abstract" not in contains["M06.00"]
    assert contains["L40.0"]["display"] == "Psoriasis vulgaris"
    assert value_set["expansion"]["timestamp"] == "2025-07-01"  # the policy's effective date


def test_hcpcs_value_set_lists_drug_and_product_codes() -> None:
    policy = policy_named("cigna_zorvimab.md")
    expected = {h.code for h in policy.drug_details.hcpcs} | {
        code for product in policy.products for code in product.hcpcs
    }
    value_set = _value_set(_bundle(policy), "HCPCS")
    assert {c["code"] for c in value_set["expansion"]["contains"]} == expected


def test_policy_without_criteria_warns_and_keeps_a_valid_questionnaire() -> None:
    exported = export_policy(policy_named("generic/generic_no_criteria.md"))
    assert [w.code for w in exported.warnings] == ["fhir-no-criteria"]
    (form,) = questionnaires(json.loads(exported.text))
    assert [item["type"] for item in form["item"]] == ["display"]


def test_condition_without_criteria_keeps_its_doses_and_periods() -> None:
    exported = export_policy(_one_condition(criteria=None, continuation_criteria=None))
    assert "fhir-no-criteria" in [w.code for w in exported.warnings]
    (form,) = questionnaires(json.loads(exported.text))
    condition: ConditionCoverage = _one_condition().coverage[0]
    assert [item["text"] for item in form["item"]] == [
        *(d.text for d in condition.doses),
        *(p.text for p in condition.coverage_periods),
    ]
    assert "extension" not in form  # nothing to decide: no phase constraint


def test_fhir_command_writes_bundles_and_reports_warnings(tmp_path: Any) -> None:
    sources = [str(SEED), str(FIXTURES / "generic" / "generic_no_criteria.md")]
    result = run_cli("fhir", *sources, "-o", str(tmp_path / "a"))
    assert result.returncode == 0, result.stderr
    written = tmp_path / "a" / "atgam.fhir.json"
    assert written.read_text(encoding="utf-8") == export_policy(policy_named(SEED.name)).text
    assert f"warning: {sources[1]}: fhir-no-criteria:" in result.stderr
    again = run_cli("convert", str(SEED), "--format", "json,fhir", "-o", str(tmp_path / "b"))
    assert again.returncode == 0, again.stderr
    assert (tmp_path / "b" / "atgam.fhir.json").read_bytes() == written.read_bytes()
    from_json = run_cli("fhir", str(tmp_path / "b" / "atgam.json"), "-o", str(tmp_path / "c"))
    assert (tmp_path / "c" / "atgam.fhir.json").read_bytes() == written.read_bytes(), (
        from_json.stderr
    )


def test_fhir_command_fails_one_line_per_bad_input(tmp_path: Any) -> None:
    bad = tmp_path / "broken.json"
    bad.write_text("{not json", encoding="utf-8")
    result = run_cli("fhir", str(bad), str(tmp_path / "missing.md"), str(SEED), "-o", str(tmp_path))
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert len(errors) == 2 and "Traceback" not in result.stderr
    assert not (tmp_path / "broken.fhir.json").exists()
    assert (tmp_path / "atgam.fhir.json").exists()  # the good input is still exported


def test_missing_fhir_extra_is_a_one_line_error(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from policy_extract.cli import app
    from policy_extract.fhir import export

    monkeypatch.setattr(export, "fhir_extra_installed", lambda: False)
    with pytest.raises(export.MissingExtraError, match=r"fhir extra: pip install"):
        export_policy(policy_named(SEED.name))
    result = CliRunner().invoke(app, ["convert", str(SEED), "--format", "fhir", "-o", "unused"])
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [
        'error: --format fhir: FHIR export needs the fhir extra: pip install "policy-extract[fhir]"'
    ]
