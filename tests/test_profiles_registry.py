"""The profile registry: the best-matching template reads the document, and says why."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import FIXTURES, REAL_CORPUS, SEED
from policy_extract.loaders import load_document
from policy_extract.pipeline import run_pipeline
from policy_extract.profiles import DISABLE_ENV, PROFILES, choose_profile


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


def _every_document() -> list[Path]:
    paths = [SEED, *sorted(FIXTURES.glob("**/*.md")), *sorted(FIXTURES.glob("*.txt"))]
    return paths + (sorted(REAL_CORPUS.glob("*.pdf")) if REAL_CORPUS.is_dir() else [])


def test_every_profile_scores_between_0_and_1_and_the_first_full_match_is_the_best() -> None:
    """The registry stops asking at a score of 1: that is only the same choice if no profile
    can score more, and a later profile scoring 1 too loses the tie anyway."""
    for path in _every_document():
        blocks = load_document(path).blocks
        scores = [profile.match(blocks).score for profile in PROFILES]
        assert all(0 <= score <= 1 for score in scores), (path.name, scores)
        best = max(range(len(scores)), key=lambda i: (scores[i], -i))
        if scores[best] > 0:
            assert choose_profile(blocks, disabled=())[0] is PROFILES[best], path.name
