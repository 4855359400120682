"""Hostile inputs: damaged, disguised, deeply nested and regex-adversarial policy files.

``write_hostile_inputs(folder)`` writes one file per kind, derived from the seed policy, so a test
(or a longer run with ``python tests/hostile_files.py FOLDER COUNT``) can check that every command
answers each of them with output or a one-line error: no traceback, no hang.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "source_docs" / "atgam.md"


def _seed_pdf(folder: Path) -> bytes:
    sys.path.insert(0, str(Path(__file__).parent))
    from pdfbuild import build_policy_pdf

    path = folder / ".seed.pdf"
    build_policy_pdf(SEED.read_text(encoding="utf-8"), path)
    data = path.read_bytes()
    path.unlink()
    return data


def _flip_bits(data: bytes, rng: random.Random, count: int) -> bytes:
    flipped = bytearray(data)
    for _ in range(count):
        position = rng.randrange(len(flipped) // 4, len(flipped))
        flipped[position] ^= 1 << rng.randrange(8)
    return bytes(flipped)


def _nested_list(depth: int, marker: str) -> str:
    return "".join(f"{'  ' * level}{marker} level {level}\n" for level in range(depth))


def _kinds(pdf: bytes, text: str, rng: random.Random) -> dict[str, Callable[[], bytes]]:
    seed = text.encode("utf-8")
    return {
        "truncated.pdf": lambda: pdf[: len(pdf) // 2],
        "flipped.pdf": lambda: _flip_bits(pdf, rng, 40),
        "header-only.pdf": lambda: b"%PDF-1.7\n",
        "bit-flipped.md": lambda: _flip_bits(seed, rng, 40),
        "utf16.md": lambda: text.encode("utf-16"),
        "late-nul.md": lambda: seed + b"\n" + b"x" * 9000 + b"\x00\n",
        "whitespace.txt": lambda: b" \n\t\n" * 100,
        "nested-list.md": lambda: (text + "\n" + _nested_list(40, "-")).encode(),
        "nested-text.txt": lambda: (text + "\n" + _nested_list(300, "a.")).encode(),
        "long-dose.md": lambda: (text + "\nUp to " + "1,000," * 400 + " mg\n").encode(),
        "icd-commas.md": lambda: (text + "\nD61.9 " + ", " * 1500 + "\n").encode(),
        "space-runs.txt": lambda: (text.replace(" ", " " * 40)).encode(),
        "one-long-line.md": lambda: ("Policy coverage drug " * 5000).encode(),
        "disguised.pdf": lambda: b"%PDF-1.4\n" + bytes(rng.randrange(256) for _ in range(4096)),
    }


def write_hostile_inputs(folder: Path, seed: int = 0, copies: int = 1) -> list[Path]:
    """One file per hostile kind (``copies`` times, with different random damage)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    pdf, text = _seed_pdf(folder), SEED.read_text(encoding="utf-8")
    written = []
    for copy in range(copies):
        for name, make in _kinds(pdf, text, rng).items():
            path = folder / (name if copies == 1 else f"{copy:03d}-{name}")
            path.write_bytes(make())
            written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    print(len(write_hostile_inputs(target, copies=count)), "files written to", target)
