"""The BSC profile on variations real policies in the template show: missing sections, other
heading markup, other criteria logic, unknown sections."""

from __future__ import annotations

import re

from pydantic import BaseModel

from conftest import SEED
from policy_extract.loaders.markdown import parse_markdown
from policy_extract.loaders.text import parse_text
from policy_extract.model import Policy
from policy_extract.pipeline import extract_document

SEED_TEXT = SEED.read_text(encoding="utf-8")


def from_markdown(text: str) -> Policy:
    return extract_document(parse_markdown(text, path="variant.md"))


def test_missing_section_gives_a_warning_and_empty_fields_not_an_exception() -> None:
    start = SEED_TEXT.index("**References**")
    end = SEED_TEXT.index("**Review History**")
    policy = from_markdown(SEED_TEXT[:start] + SEED_TEXT[end:])
    assert policy.references == []
    assert [w.message for w in policy.warnings if w.code == "missing-section"] == [
        "section 'References' not found or empty"
    ]
    assert len(policy.coverage) == 5


def test_atx_headings_read_like_bold_paragraphs() -> None:
    unfused = SEED_TEXT.replace("****", "**\n\n**")
    text = re.sub(r"^\*\*(.+?)\*\*$", r"## \1", unfused, flags=re.MULTILINE)
    policy = from_markdown(text)
    assert [c.condition for c in policy.coverage] == [
        c.condition for c in from_markdown(SEED_TEXT).coverage
    ]
    assert policy.coverage[2].criteria is not None
    assert policy.coverage[2].criteria.children[0].operator == "any"


def test_criteria_root_with_one_of_logic() -> None:
    text = SEED_TEXT.replace(
        "**Aplastic Anemia, moderate to severe**\n\n"
        "**Meets medical necessity if all the following are met:**",
        "**Aplastic Anemia, moderate to severe**\n\n"
        "**Meets medical necessity if one of the following is met:**",
    )
    criteria = from_markdown(text).coverage[1].criteria
    assert criteria is not None
    assert (criteria.text, criteria.operator) == (
        "Meets medical necessity if one of the following is met",
        "any",
    )


def test_unknown_section_before_coverage_is_kept_and_warned() -> None:
    text = SEED_TEXT.replace(
        "**Coverage Criteria**",
        "**Black Box Warning**\n\nSerious infections.\n\n**Coverage Criteria**",
    )
    policy = from_markdown(text)
    assert [u.text for u in policy.unparsed] == ["Black Box Warning", "Serious infections."]
    assert {w.code for w in policy.warnings} == {"unparsed-content"}


def test_plain_text_rendering_of_the_seed_gives_the_same_coverage() -> None:
    plain = re.sub(r"[*<>]", "", SEED_TEXT.replace("****", "\n\n"))
    plain = re.sub(r"^(\s*)- ([a-z]+\. )", r"\1\2", plain, flags=re.MULTILINE)
    from_text = extract_document(parse_text(plain, path="atgam.txt"))
    expected = from_markdown(SEED_TEXT)
    assert from_text.unparsed == []
    assert without_spans(from_text.coverage) == without_spans(expected.coverage)
    assert without_spans(from_text.references) == without_spans(expected.references)
    assert (from_text.title, from_text.payer) == (expected.title, expected.payer)
    assert from_text.warnings == []


def without_spans(value: object) -> object:
    if isinstance(value, list):
        return [without_spans(v) for v in value]
    if isinstance(value, Policy | BaseModel):
        return without_spans(value.model_dump())
    if isinstance(value, dict):
        return {k: without_spans(v) for k, v in value.items() if k != "span"}
    return value
