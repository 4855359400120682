"""Limits and messages a user meets: input size, encodings, time, warnings, the progress bar."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import SEED, run_cli
from policy_extract.errors import LoadError
from policy_extract.loaders import input_size_limit, read_text_file

SEED_TEXT = SEED.read_text(encoding="utf-8")


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32", "utf-32-be"])
def test_utf16_and_utf32_with_a_byte_order_mark_read_like_utf8(
    tmp_path: Path, encoding: str
) -> None:
    path = tmp_path / "policy.md"
    bom = {"utf-16-be": "\ufeff", "utf-32-be": "\ufeff"}.get(encoding, "")
    path.write_bytes((bom + SEED_TEXT).encode(encoding))
    assert read_text_file(path)[0] == SEED_TEXT


def test_a_nul_byte_anywhere_in_a_text_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "late-nul.md"
    path.write_bytes(SEED.read_bytes() + b"\n" + b"x" * 9000 + b"\x00tail\n")
    with pytest.raises(LoadError, match="binary"):
        read_text_file(path)


def test_input_larger_than_the_limit_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "big.md"
    path.write_bytes(SEED.read_bytes())
    with input_size_limit(1000), pytest.raises(LoadError, match="larger than the input limit"):
        read_text_file(path)
    assert read_text_file(path)[0] == SEED_TEXT  # the limit ends with the block


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_symlink_to_dev_zero_is_refused_at_once(tmp_path: Path) -> None:
    (tmp_path / "x.txt").symlink_to("/dev/zero")
    result = run_cli("convert", str(tmp_path / "x.txt"), "-o", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "x.txt: not a regular file" in result.stderr


def test_max_size_option_caps_convert(tmp_path: Path) -> None:
    big = tmp_path / "big.md"
    big.write_text(SEED_TEXT + ("\nFiller paragraph.\n" * 70000), encoding="utf-8")
    result = run_cli("convert", str(big), "-o", str(tmp_path / "out"), "--max-size", "1")
    assert result.returncode == 1
    assert "big.md: file is larger than the input limit (1 MB)" in result.stderr


@pytest.fixture
def slow_pdf(tmp_path: Path) -> Path:
    from pdfbuild import build_policy_pdf

    path = tmp_path / "slow.pdf"
    build_policy_pdf(SEED_TEXT, path)
    return path


def test_a_pdf_over_the_time_limit_says_it_timed_out(slow_pdf: Path, tmp_path: Path) -> None:
    result = run_cli("convert", str(slow_pdf), "-o", str(tmp_path / "out"), "--timeout", "0.001")
    assert result.returncode == 1
    assert "slow.pdf: timed out after 0.001 s" in result.stderr
    assert "damaged" not in result.stderr


@pytest.mark.parametrize("command", ["verify", "lint", "diff"])
def test_verify_lint_and_diff_have_the_same_time_limit(slow_pdf: Path, command: str) -> None:
    args = [str(slow_pdf)] * (2 if command == "diff" else 1)
    result = run_cli(command, *args, "--timeout", "0.001")
    assert result.returncode in (1, 2)
    assert "Traceback" not in result.stderr
    assert "slow.pdf: timed out after 0.001 s" in result.stderr


@pytest.fixture
def odd_policy(tmp_path: Path) -> Path:
    source = tmp_path / "odd.md"
    text = SEED_TEXT.replace(
        "**Coverage Period:**\n\nUp to 44 days", "**Coverage Period:**\n\nAs the plan decides"
    )
    source.write_text(text, encoding="utf-8")
    return source


def test_warnings_are_printed_one_line_each_and_quiet_hides_them(
    odd_policy: Path, tmp_path: Path
) -> None:
    loud = run_cli("convert", str(odd_policy), "-o", str(tmp_path / "a"))
    warnings = [line for line in loud.stderr.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 1
    assert "odd.md" in warnings[0] and "As the plan decides" in warnings[0]
    assert loud.stdout == f"{odd_policy} -> odd.json (1 warning(s))\n"  # one path, not two
    quiet = run_cli("convert", str(odd_policy), "-o", str(tmp_path / "b"), "--quiet")
    assert quiet.returncode == 0
    assert quiet.stdout == quiet.stderr == ""


def test_strict_names_the_warning_that_failed_the_file(odd_policy: Path, tmp_path: Path) -> None:
    result = run_cli("convert", str(odd_policy), "-o", str(tmp_path / "out"), "--strict")
    assert result.returncode == 1
    (error,) = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert "odd.md: --strict fails it on warning" in error
    assert "As the plan decides" in error


def test_progress_bar_on_a_terminal_shows_counts_and_failures(tmp_path: Path) -> None:
    source = tmp_path / "in"
    source.mkdir()
    (source / "atgam.md").write_bytes(SEED.read_bytes())
    (source / "empty.md").write_bytes(b"")
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "policy_extract", "convert", str(source), "-o", str(tmp_path)],
            stdout=subprocess.PIPE,
            stderr=follower,
            check=False,
            timeout=60,
            env={**os.environ, "COLUMNS": "120"},
        )
        os.close(follower)
        shown = b""
        while chunk := _read_available(leader):
            shown += chunk
    finally:
        os.close(leader)
    screen = shown.decode("utf-8", "replace")
    assert result.returncode == 1
    assert "2/2" in screen and "1 failed" in screen
    assert "Traceback" not in screen


def _read_available(fd: int) -> bytes:
    try:
        return os.read(fd, 65536)
    except OSError:  # the terminal is closed and drained
        return b""


def test_pdfminer_log_lines_stay_out_of_stderr_in_workers(tmp_path: Path) -> None:
    """A content stream pdfminer warns about (an unparsable matrix) converts without log noise."""
    from reportlab.pdfgen import canvas

    source = tmp_path / "in"
    source.mkdir()
    for name in ("a.pdf", "b.pdf"):
        page = canvas.Canvas(str(source / name))
        page._code.append("/A /B /C 1 2 3 cm")  # pdfminer: "Cannot concatenate matrix ..."
        for row, text in enumerate(["Drug Policy", "Prior Authorization is required."]):
            page.drawString(72, 750 - 20 * row, text)
        page.showPage()
        page.save()
    result = run_cli("convert", str(source), "-o", str(tmp_path / "out"), "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert "Cannot concatenate" not in result.stderr
    prefixes = ("warning:", "error:", "note:", "2 converted")
    assert all(line.startswith(prefixes) for line in result.stderr.splitlines()), result.stderr
