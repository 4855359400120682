"""Golden JSON for the seed and every fixture policy.

Regenerate only with ``UPDATE_GOLDEN=1`` and review the diff like code: each golden file is the
promise the JSON contract makes to downstream systems for that document.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import GOLDEN, ROOT, fixture_documents
from policy_extract.pipeline import extract
from policy_extract.render.json import policy_to_json


@pytest.mark.parametrize("source", fixture_documents(), ids=lambda p: p.name)
def test_json_matches_golden(source: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # source.path is recorded as given: keep it repository-relative
    text = policy_to_json(extract(source.relative_to(ROOT)))
    golden = GOLDEN / f"{source.stem}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert golden.exists(), f"no golden file {golden.name}; run with UPDATE_GOLDEN=1 and review it"
    assert text == golden.read_text(encoding="utf-8")
