"""Batch conversion: bad files never cost the good ones, and output never depends on --jobs."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from conftest import SEED, fixture_documents, run_cli


def convert(*args: str) -> subprocess.CompletedProcess[str]:
    return run_cli("convert", *args)


def files_under(folder: Path) -> dict[str, bytes]:
    return {
        str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()
    }


@pytest.fixture
def mixed_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "mixed"
    (folder / "good").mkdir(parents=True)
    for source in fixture_documents():
        (folder / "good" / source.name).write_bytes(source.read_bytes())
    bad = folder / "bad"
    bad.mkdir()
    (bad / "empty.md").write_bytes(b"")
    (bad / "random.pdf").write_bytes(os.urandom(2048))
    (bad / "binary.md").write_bytes(bytes(range(256)))
    (bad / "latin1.txt").write_bytes("Politique caf\xe9".encode("latin-1"))
    (bad / "loop").symlink_to(bad, target_is_directory=True)
    (bad / "dangling.md").symlink_to(bad / "missing.md")
    return folder


def test_mixed_folder_converts_every_good_file_and_names_every_bad_one(
    mixed_folder: Path, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    result = convert(str(mixed_folder), "-o", str(out), "--jobs", "2")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    errors = sorted(line for line in result.stderr.splitlines() if line.startswith("error:"))
    assert len(errors) == 4, errors
    for name in ("empty.md", "random.pdf", "binary.md", "latin1.txt"):
        assert any(name in line for line in errors), name
    assert "dangling.md: symbolic link skipped" in result.stderr  # said, not silently dropped
    written = files_under(out)
    assert sorted(written) == sorted(f"good/{p.stem}.json" for p in fixture_documents())
    assert not any(name.endswith(".tmp") for name in written)
    assert f"{len(fixture_documents())} converted" in result.stderr
    assert "4 failed" in result.stderr


def test_output_bytes_do_not_depend_on_jobs(mixed_folder: Path, tmp_path: Path) -> None:
    convert(str(mixed_folder / "good"), "-o", str(tmp_path / "one"), "--jobs", "1")
    convert(str(mixed_folder / "good"), "-o", str(tmp_path / "two"), "--jobs", "2")
    one, two = files_under(tmp_path / "one"), files_under(tmp_path / "two")
    assert one and one == two


def test_folder_with_nothing_convertible_is_named(tmp_path: Path) -> None:
    (tmp_path / "notes.docx").write_bytes(b"x")
    result = convert(str(tmp_path), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "folder has no .pdf, .md or .txt files" in result.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root can read files without read permission")
def test_unreadable_file_is_named(tmp_path: Path) -> None:
    source = tmp_path / "locked.md"
    source.write_bytes(SEED.read_bytes())
    source.chmod(0)
    result = convert(str(source), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "locked.md: cannot read file" in result.stderr


def test_strict_turns_warnings_into_failures(tmp_path: Path) -> None:
    source = tmp_path / "odd.md"
    text = SEED.read_text(encoding="utf-8").replace(
        "**Coverage Period:**\n\nUp to 44 days", "**Coverage Period:**\n\nAs the plan decides"
    )
    source.write_text(text, encoding="utf-8")
    relaxed = convert(str(source), "-o", str(tmp_path / "a"))
    assert relaxed.returncode == 0
    assert "(1 warning(s))" in relaxed.stdout
    strict = convert(str(source), "-o", str(tmp_path / "b"), "--strict")
    assert strict.returncode == 1
    assert "odd.md: --strict fails it on warning period-unreadable" in strict.stderr
    assert not (tmp_path / "b" / "odd.json").exists()


def test_a_document_over_the_time_limit_is_named_and_writes_nothing(tmp_path: Path) -> None:
    from pdfbuild import build_policy_pdf

    slow = tmp_path / "in" / "slow.pdf"
    slow.parent.mkdir()
    build_policy_pdf(SEED.read_text(encoding="utf-8"), slow)
    (tmp_path / "in" / "atgam.md").write_bytes(SEED.read_bytes())
    result = convert(str(tmp_path / "in"), "-o", str(tmp_path / "out"), "--timeout", "0.001")
    assert result.returncode == 1
    assert "slow.pdf: timed out after 0.001 s" in result.stderr
    assert not (tmp_path / "out" / "slow.json").exists()
