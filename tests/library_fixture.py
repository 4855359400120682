"""A library database built from the fixture policies, shared by the query, changes and serve
tests (the index function in process: seconds, not a CLI run per document)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import fixture_documents


def build_library(db: Path, documents: list[Path] | None = None) -> Path:
    """``db`` holding every fixture policy (or ``documents``: files or our JSON), one version
    each."""
    from policy_extract.diff import load_for_diff
    from policy_extract.library import index_policy, open_library
    from policy_extract.render.json import policy_to_json

    connection = open_library(db)
    try:
        for path in documents if documents is not None else fixture_documents():
            policy = load_for_diff(path)  # a document, or our JSON
            index_policy(connection, policy, policy_to_json(policy), source_path=str(path))
    finally:
        connection.close()
    return db


def invoke(*args: str) -> subprocess.CompletedProcess[str]:
    """The CLI in process (no interpreter start per call), as ``run_cli`` reports it."""
    from typer.testing import CliRunner

    from policy_extract.cli import app

    result = CliRunner().invoke(app, list(args))
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)
