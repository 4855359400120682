"""Shared paths and helpers for the test suite."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "source_docs" / "atgam.md"
FIXTURES = ROOT / "tests" / "fixtures"
GOLDEN = ROOT / "tests" / "golden"
REAL_CORPUS = ROOT.parent / "shared" / "corpus" / "real"


def fixture_documents() -> list[Path]:
    """The seed and every variant fixture policy, in a stable order."""
    return [SEED, *sorted(p for p in FIXTURES.glob("*") if p.suffix in (".md", ".txt"))]


def bsc_fixture_documents() -> list[Path]:
    """The fixtures in the Blue Shield of California template: the ones with a canonical
    ``policy.md`` form and a reportlab rendering of the published PDF (``pdfbuild.py``)."""
    from policy_extract.pipeline import extract

    documents = []
    for path in fixture_documents():
        source = extract(path).source
        if source is not None and source.profile == "bsc":
            documents.append(path)
    return documents


@pytest.fixture(scope="session")
def seed_policy():  # type: ignore[no-untyped-def]
    from policy_extract.pipeline import extract

    return extract(SEED)


def without_provenance(value: Any) -> Any:
    """A dumped Policy without ``span``, ``spans`` and ``source`` (they differ by input format)."""
    if isinstance(value, dict):
        return {
            k: without_provenance(v)
            for k, v in value.items()
            if k not in ("span", "spans", "source")
        }
    if isinstance(value, list):
        return [without_provenance(v) for v in value]
    return value


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    """``python -m policy_extract ARGS`` as a user runs it: captured output, exit code kept."""
    return subprocess.run(
        [sys.executable, "-m", "policy_extract", *args],
        capture_output=True,
        text=True,
        check=False,
    )
