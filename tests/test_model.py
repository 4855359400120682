"""The Policy model as a contract: round trips, schema in sync, and never-crash on any text."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import policy_extract
from conftest import ROOT, fixture_documents
from policy_extract.errors import PolicyExtractError
from policy_extract.loaders.markdown import parse_markdown
from policy_extract.loaders.text import parse_text
from policy_extract.model import Policy
from policy_extract.pipeline import extract_document
from policy_extract.render.json import load_policy, policy_json_schema, policy_to_json


@pytest.mark.parametrize("source", fixture_documents(), ids=lambda p: p.name)
def test_dump_load_dump_is_stable(source: Path, tmp_path: Path) -> None:
    first = policy_to_json(policy_extract.extract(source))
    saved = tmp_path / "policy.json"
    saved.write_text(first, encoding="utf-8")
    assert policy_to_json(load_policy(saved)) == first


def test_committed_schema_is_in_sync() -> None:
    committed = (ROOT / "schema" / "policy.schema.json").read_text(encoding="utf-8")
    assert committed == policy_json_schema(), (
        "run: policy-extract schema > schema/policy.schema.json"
    )


def test_schema_version_is_checked() -> None:
    with pytest.raises(ValueError, match="schema_version"):
        Policy(schema_version="2.0")


def test_public_names_are_all_exported() -> None:
    for name in policy_extract.__all__:
        assert getattr(policy_extract, name) is not None
    assert issubclass(policy_extract.LoadError, policy_extract.PolicyExtractError)


_POLICYISH = st.sampled_from(
    [
        "**Coverage Criteria**",
        "**Covered Doses:**",
        "**Coverage Period:**",
        "**ICD-10:**",
        "**Meets medical necessity if all the following are met:**",
        "1. Either of the following:",
        "  - a. at least two of the following",
        "    - i. 10 mg/kg every 4 weeks",
        "M05.00-M05.9, D61.9",
        "Initial: 6 months",
        "**References**",
        "Page 2 of 4",
        "**Condition(s) listed in policy**",
        "- Condition",
    ]
)
_DOCUMENTS = st.lists(st.one_of(_POLICYISH, st.text(max_size=60)), max_size=40).map("\n\n".join)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_DOCUMENTS)
def test_any_text_gives_a_policy_or_the_projects_own_error(text: str) -> None:
    for document in (parse_markdown(text, path="x.md"), parse_text(text, path="x.txt")):
        try:
            policy = extract_document(document)
        except PolicyExtractError:
            continue
        Policy.model_validate_json(policy_to_json(policy))
