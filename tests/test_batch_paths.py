"""Where a batch reads and writes: outputs stay inside -o, write failures are one line each,
folder walks skip what is not a policy source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED, run_cli


def convert(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    if cwd is None:
        return run_cli("convert", *args)
    return subprocess.run(
        [sys.executable, "-m", "policy_extract", "convert", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,
    )


def assert_one_line_error(result: subprocess.CompletedProcess[str], *expected: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert errors, result.stderr
    for text in expected:
        assert any(text in line for line in errors), (text, errors)


def test_a_source_named_dot_dot_md_writes_inside_the_output_folder(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "..md").write_bytes(SEED.read_bytes())
    result = convert("..md", "-o", ".", cwd=work)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (work / "__md.json").exists()
    assert not list(tmp_path.glob("*.json"))
    out = tmp_path / "out"
    result = convert(str(work / "..md"), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert [p.name for p in out.iterdir()] == ["__md.json"]
    assert not (tmp_path / "out.json").exists()


def test_output_pointing_at_a_file_is_one_line(tmp_path: Path) -> None:
    target = tmp_path / "taken.txt"
    target.write_text("x", encoding="utf-8")
    assert_one_line_error(convert(str(SEED), "-o", str(target)), "taken.txt: is a file")
    assert_one_line_error(
        convert(str(SEED), "-o", str(target / "below")), "below: cannot create folder"
    )


def test_output_dash_is_refused_not_made_a_folder(tmp_path: Path) -> None:
    result = convert(str(SEED), "-o", "-", cwd=tmp_path)
    assert_one_line_error(result, "'-' (stdout) is not one")
    assert not (tmp_path / "-").exists()


def test_a_folder_where_an_output_file_goes_fails_that_file_only(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "atgam.md").write_bytes(SEED.read_bytes())
    (source / "other.md").write_bytes(SEED.read_bytes())
    (tmp_path / "out" / "atgam.json").mkdir(parents=True)
    result = convert(str(source), "-o", str(tmp_path / "out"), "--jobs", "2")
    assert_one_line_error(result, "atgam.json: is a folder")
    assert (tmp_path / "out" / "other.json").is_file()
    assert "1 converted" in result.stderr and "1 failed" in result.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="uses ulimit -f (RLIMIT_FSIZE)")
def test_a_full_disk_is_a_one_line_error_and_leaves_no_partial_file(tmp_path: Path) -> None:
    """``ulimit -f`` stands in for a full disk: writes fail with EFBIG past the limit."""
    command = (
        f"ulimit -f 4; exec {sys.executable} -m policy_extract convert "
        f"{SEED} -o {tmp_path / 'out'} --format json,md,html"
    )
    result = subprocess.run(["sh", "-c", command], capture_output=True, text=True, check=False)
    assert_one_line_error(result, "cannot write: File too large")
    assert not [p for p in (tmp_path / "out").iterdir()]  # a failed input writes nothing


@pytest.mark.parametrize("command", ["render", "diff"])
def test_render_and_diff_to_a_folder_are_one_line(tmp_path: Path, command: str) -> None:
    converted = tmp_path / "atgam.json"
    assert convert(str(SEED), "-o", str(tmp_path)).returncode == 0
    args = [str(converted)] if command == "render" else [str(converted), str(converted)]
    result = run_cli(command, *args, "-o", str(tmp_path))
    assert_one_line_error(result, f"{tmp_path}: is a folder; give a file name")
    assert not list(tmp_path.glob(".*.tmp"))


def test_folder_walk_skips_hidden_folders_own_outputs_and_excluded(tmp_path: Path) -> None:
    source = tmp_path / "src"
    for folder in ("policies", ".venv/lib", ".git", "drafts"):
        (source / folder).mkdir(parents=True)
    for path in ("policies/atgam.md", ".venv/lib/readme.md", ".git/notes.md", "drafts/old.md"):
        (source / path).write_bytes(SEED.read_bytes())
    (source / "policies" / "atgam.summary.md").write_text("# Summary\n", encoding="utf-8")
    result = convert(str(source), "-o", str(tmp_path / "out"), "--exclude", "drafts")
    assert result.returncode == 0, result.stderr
    written = sorted(str(p.relative_to(tmp_path / "out")) for p in (tmp_path / "out").rglob("*"))
    assert written == ["policies", "policies/atgam.json"]


def test_converting_into_the_source_folder_does_not_reingest_summaries(tmp_path: Path) -> None:
    (tmp_path / "atgam.md").write_bytes(SEED.read_bytes())
    first = convert(str(tmp_path), "-o", str(tmp_path), "--format", "json,md")
    second = convert(str(tmp_path), "-o", str(tmp_path), "--format", "json,md")
    assert first.returncode == second.returncode == 0, second.stderr
    assert "1 converted" in second.stderr


def test_skip_existing_converts_only_what_is_missing(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    for name in ("a.md", "b.md"):
        (source / name).write_bytes(SEED.read_bytes())
    out = tmp_path / "out"
    out.mkdir()
    (out / "a.json").write_text("{}", encoding="utf-8")
    result = convert(str(source), "-o", str(out), "--skip-existing")
    assert result.returncode == 0, result.stderr
    assert "1 converted" in result.stderr and "1 skipped (outputs exist)" in result.stderr
    assert (out / "a.json").read_text(encoding="utf-8") == "{}"
    assert json.loads((out / "b.json").read_text(encoding="utf-8"))["coverage"]


def test_symlinks_in_a_folder_are_followed_only_when_asked(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "linked.md").write_bytes(SEED.read_bytes())
    source = tmp_path / "in"
    source.mkdir()
    (source / "own.md").write_bytes(SEED.read_bytes())
    (source / "linked.md").symlink_to(elsewhere / "linked.md")
    (source / "loop").symlink_to(source, target_is_directory=True)
    plain = convert(str(source), "-o", str(tmp_path / "a"))
    assert plain.returncode == 0, plain.stderr
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["own.json"]
    assert "linked.md: symbolic link skipped" in plain.stderr
    followed = convert(str(source), "-o", str(tmp_path / "b"), "--follow-symlinks")
    assert followed.returncode == 0, followed.stderr
    assert sorted(p.name for p in (tmp_path / "b").iterdir()) == ["linked.json", "own.json"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_output_folder_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o500)
    try:
        assert_one_line_error(convert(str(SEED), "-o", str(out)), "Permission denied")
    finally:
        out.chmod(0o700)
