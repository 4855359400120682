"""The profile registry: the best-matching template reads the document, and says why."""

from __future__ import annotations

import pytest

from conftest import SEED
from policy_extract.loaders import load_document
from policy_extract.pipeline import run_pipeline
from policy_extract.profiles import DISABLE_ENV, choose_profile


def test_seed_is_read_by_the_bsc_profile_with_its_evidence() -> None:
    policy = run_pipeline(load_document(SEED)).policy
    assert policy.source is not None
    assert policy.source.profile == "bsc"
    assert "heading 'Coverage Criteria'" in policy.source.profile_evidence
    assert policy.coverage


def test_switching_a_profile_off_hands_the_document_to_the_generic_reader(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(DISABLE_ENV, "all")
    policy = run_pipeline(load_document(SEED)).policy
    assert policy.source is not None
    assert policy.source.profile == "generic"
    assert any("switched off" in item for item in policy.source.profile_evidence)
    assert policy.outline


def test_disabled_argument_overrides_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(DISABLE_ENV, "bsc")
    blocks = load_document(SEED).blocks
    profile, found = choose_profile(blocks, disabled=())
    assert profile.name == "bsc" and found.score > 0
