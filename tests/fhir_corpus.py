"""What the FHIR tests share: the policies they export (every fixture, and every real PDF when
the corpus is present, converted once per session), and reading a Questionnaire back: its
FHIRPath constraints, its boolean items, a QuestionnaireResponse answering them."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from conftest import REAL_CORPUS, fixture_documents
from policy_extract.model import Policy

CONSTRAINT_URL = "http://hl7.org/fhir/StructureDefinition/questionnaire-constraint"
FIXTURE_NAMES = [path.name for path in fixture_documents()] + [
    f"generic/{path.name}"
    for path in sorted((fixture_documents()[1].parent / "generic").glob("*.md"))
]


def real_pdf_names() -> list[str]:
    return sorted(path.name for path in REAL_CORPUS.glob("*.pdf")) if REAL_CORPUS.is_dir() else []


@functools.cache
def fixture_policy(name: str) -> Policy:
    from policy_extract.pipeline import extract

    for path in fixture_documents():
        if path.name == name:
            return extract(path)
    return extract(fixture_documents()[1].parent / name)


@functools.cache
def real_policies() -> dict[str, Policy]:
    """Every real PDF, converted once (two worker processes, as a user's batch would)."""
    from policy_extract.batch import Job, Options, convert_many

    jobs = [Job(REAL_CORPUS / name, Path(name)) for name in real_pdf_names()]
    results = convert_many(jobs, Options(), workers=2)
    failed = [result.error for result in results if result.error]
    assert not failed, failed
    return {
        result.job.source.name: Policy.model_validate_json(result.outputs[".json"])
        for result in results
    }


def policy_named(name: str) -> Policy:
    return real_policies()[name] if name.endswith(".pdf") else fixture_policy(name)


def questionnaires(bundle: Mapping[str, Any]) -> list[dict[str, Any]]:
    return [
        entry["resource"]
        for entry in bundle["entry"]
        if entry["resource"]["resourceType"] == "Questionnaire"
    ]


def constraint_of(element: Mapping[str, Any]) -> dict[str, str] | None:
    """The questionnaire-constraint of a Questionnaire or item, as {key, expression, ...}."""
    for extension in element.get("extension", []):
        if extension["url"] == CONSTRAINT_URL:
            return {
                part["url"]: next(v for k, v in part.items() if k.startswith("value"))
                for part in extension["extension"]
            }
    return None


def phase_constraints(questionnaire: Mapping[str, Any]) -> dict[str, str]:
    """``{"initial": expression, ...}`` from the Questionnaire's own constraints."""
    found = {}
    for extension in questionnaire.get("extension", []):
        if extension["url"] == CONSTRAINT_URL:
            parts = {part["url"]: part for part in extension["extension"]}
            found[parts["key"]["valueId"].removesuffix("-met")] = parts["expression"]["valueString"]
    return found


def walk_items(items: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for item in items:
        yield item
        yield from walk_items(item.get("item", []))


def response_for(
    questionnaire: Mapping[str, Any], answers: Mapping[str, bool | None]
) -> dict[str, Any]:
    """A QuestionnaireResponse with the same item tree, each boolean item answered or not."""

    def answered(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            node: dict[str, Any] = {"linkId": item["linkId"]}
            value = answers.get(item["linkId"])
            if item["type"] == "boolean" and value is not None:
                node["answer"] = [{"valueBoolean": value}]
            if item.get("item"):
                node["item"] = answered(item["item"])
            out.append(node)
        return out

    return {
        "resourceType": "QuestionnaireResponse",
        "status": "completed",
        "questionnaire": questionnaire["url"],
        "item": answered(questionnaire["item"]),
    }
