"""`serve`: the library in Datasette, its canned queries answering the issue's questions."""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Any

import pytest

from library_fixture import build_library

pytest.importorskip("datasette", reason="the 'serve' extra (datasette) is not installed")


@pytest.fixture(scope="module")
def library(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_library(tmp_path_factory.mktemp("serve") / "library.sqlite")


def _get(db: Path, url: str) -> Any:
    from datasette.app import Datasette

    from policy_extract.library.serve import datasette_metadata

    datasette = Datasette([str(db)], metadata=datasette_metadata(db.stem))
    response = asyncio.run(datasette.client.get(url))
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize(
    ("query", "arguments", "column", "expected"),
    [
        ("coverage", "drug=infliximab", "indication", "Crohn's Disease"),
        ("by_hcpcs", "code=j1745", "code", "J1745"),
        ("compare", "drug=infliximab", "indication_key", "crohns-disease"),
        ("changes_since", "since=2026-01-01", "payer", "Cigna"),
    ],
)
def test_canned_queries_answer_json(
    library: Path, query: str, arguments: str, column: str, expected: str
) -> None:
    rows = _get(library, f"/library/{query}.json?{arguments}&_shape=array")
    assert expected in [row[column] for row in rows]


def test_metadata_titles_and_describes_tables(library: Path) -> None:
    data = _get(library, "/-/metadata.json")
    assert data["title"] == "Policy library"
    tables = data["databases"]["library"]["tables"]
    assert "payer" in tables["policies"]["facets"] and tables["conditions"]["description"]


def test_serve_without_the_extra_names_the_pip_command(
    library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from policy_extract.cli import app

    monkeypatch.setitem(sys.modules, "datasette.app", None)
    result = CliRunner().invoke(app, ["serve", "--db", str(library)])
    assert result.exit_code == 1
    assert "error: serve needs Datasette: pip install 'policy-extract[serve]'" in result.output
