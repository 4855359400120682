"""Hostile inputs through every command: output or a one-line error each, never a traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from hostile import write_named_hostile_inputs


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "policy_extract", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,  # a hang fails the test instead of holding CI
    )


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    return write_named_hostile_inputs(tmp_path_factory.mktemp("hostile"))


def test_convert_answers_every_hostile_input(hostile: list[Path], tmp_path: Path) -> None:
    result = run(
        "convert", str(hostile[0].parent), "-o", str(tmp_path), "-j", "2", "--timeout", "60"
    )
    assert result.returncode in (0, 1)
    assert "Traceback" not in result.stderr + result.stdout
    for path in hostile:
        converted = f"{path.name} -> " in result.stdout
        failed = any(
            line.startswith("error:") and f"{path.name}:" in line
            for line in result.stderr.splitlines()
        )
        assert converted != failed, (path.name, result.stderr)


@pytest.mark.parametrize("command", ["verify", "lint"])
def test_verify_and_lint_answer_every_hostile_input(hostile: list[Path], command: str) -> None:
    result = run(command, *map(str, hostile), "--timeout", "60")
    assert result.returncode in (0, 1)
    assert "Traceback" not in result.stderr + result.stdout
    assert "internal error" not in result.stderr


@pytest.mark.parametrize(
    ("old", "new"),
    [("truncated.pdf", "utf16.md"), ("nested-text.txt", "nested-list.md")],
)
def test_diff_answers_hostile_pairs(hostile: list[Path], old: str, new: str) -> None:
    folder = hostile[0].parent
    result = run("diff", str(folder / old), str(folder / new), "--timeout", "60")
    assert result.returncode in (0, 1, 2)
    assert "Traceback" not in result.stderr
