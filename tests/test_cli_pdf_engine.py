"""``--pdf-engine``: every command that reads a PDF takes it, it beats the environment variable,
and it reaches the worker processes that do the reading."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED
from policy_extract.batch import Job, Options, convert_one
from policy_extract.loaders.pdf_engines import ENGINE_VARIABLE
from policy_extract.pipeline import extract
from policy_extract.render.json import policy_to_json

SOURCE_COMMANDS = ["convert", "index", "verify", "lint", "diff", "fhir", "evaluate"]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """The command as a user runs it, with ``env`` added to the environment."""
    return subprocess.run(
        [sys.executable, "-m", "policy_extract", *args],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def seed_pdf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from pdfbuild import build_policy_pdf

    path = tmp_path_factory.mktemp("engine_cli") / "atgam.pdf"
    build_policy_pdf(SEED.read_text(encoding="utf-8"), path)
    return path


def _arguments(command: str, source: Path, out: Path) -> list[str]:
    if command == "diff":
        return [command, str(source), str(source)]
    if command == "index":
        return [command, str(source), "--db", str(out / "library.sqlite")]
    if command == "evaluate":
        answers = out / "answers.json"
        answers.write_text("{}", encoding="utf-8")
        return [command, str(source), "--answers", str(answers)]
    if command in ("convert", "fhir"):
        return [command, str(source), "-o", str(out)]
    return [command, str(source)]


@pytest.mark.parametrize("command", SOURCE_COMMANDS)
def test_an_unknown_engine_is_one_line_and_writes_nothing(
    command: str, seed_pdf: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    result = cli(*_arguments(command, seed_pdf, out), "--pdf-engine", "ghostscript")
    assert result.returncode == 2, result.stderr
    assert result.stderr == "error: unknown PDF engine 'ghostscript'; use pdfium or pdfminer\n"
    assert [p.name for p in out.iterdir()] == (["answers.json"] if command == "evaluate" else [])


@pytest.mark.parametrize("command", ["verify", "lint", "diff"])
def test_the_option_beats_a_bad_environment_variable(command: str, seed_pdf: Path) -> None:
    bad = {ENGINE_VARIABLE: "ghostscript"}
    refused = cli(*_arguments(command, seed_pdf, seed_pdf.parent), env=bad)
    assert refused.returncode == 2
    assert f"unknown PDF engine 'ghostscript' (from {ENGINE_VARIABLE})" in refused.stderr
    chosen = cli(*_arguments(command, seed_pdf, seed_pdf.parent), "--pdf-engine", "pdfium", env=bad)
    assert chosen.returncode in (0, 1), chosen.stderr  # lint/diff exit 1 on findings/changes
    assert "error" not in chosen.stderr


def test_convert_workers_read_with_the_engine_the_command_names(
    seed_pdf: Path, tmp_path: Path
) -> None:
    """Two worker processes, whose environment names no usable engine: the option must reach
    them, and the JSON is the one that engine gives."""
    sources = tmp_path / "in"
    sources.mkdir()
    for name in ("a", "b", "c"):
        (sources / f"{name}.pdf").write_bytes(seed_pdf.read_bytes())
    out = tmp_path / "out"
    bad = {ENGINE_VARIABLE: "ghostscript"}
    result = cli(
        "convert", str(sources), "-o", str(out), "--jobs", "2", "--pdf-engine", "pdfium", env=bad
    )
    assert result.returncode == 0, result.stderr
    expected = json.loads(policy_to_json(extract(sources / "a.pdf", "pdfium")))
    written = json.loads((out / "b.json").read_text(encoding="utf-8"))
    written["source"]["path"] = expected["source"]["path"]
    assert written == expected


def test_options_carry_the_engine_to_where_a_document_is_converted(
    seed_pdf: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a Dask worker runs: ``convert_one`` with the pickled Options, not the client's
    environment."""
    monkeypatch.setenv(ENGINE_VARIABLE, "ghostscript")
    job = Job(seed_pdf, tmp_path / "atgam")
    assert "unknown PDF engine" in (convert_one(job, Options()).error or "")
    result = convert_one(job, Options(pdf_engine="pdfium"))
    assert result.error is None
    assert json.loads(result.outputs[".json"])["title"]


def test_help_names_the_engines_and_the_variable() -> None:
    result = cli("convert", "--help", env={"COLUMNS": "200"})
    assert "--pdf-engine" in result.stdout
    assert "pdfium|pdfminer" in result.stdout
    assert ENGINE_VARIABLE in result.stdout
    assert "else pdfium" in result.stdout  # the default
