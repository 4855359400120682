"""Hostile inputs for the never-crash tests and ``benchmarks/hostile.py``, built from a seed.

Five kinds, each for ``.md``, ``.txt`` and ``.pdf``:

* ``truncated``: a real policy cut at a random byte (mid-character, mid-object);
* ``bitflip``: a real policy with a few random bits flipped;
* ``bomb``: small on disk, big once read (a policy repeated; a PDF stream that inflates);
* ``nested``: lists and quotes nested hundreds deep; a PDF object nested thousands deep;
* ``regex``: a real policy with lines built to make backtracking patterns scan for ever
  (``1,000,000,...``, runs of spaces and separators after a label or a code).

The same ``seed`` always gives the same bytes, so a failure found in a run can be rebuilt.
``scale`` sizes the bombs and the adversarial lines: 1 for tests (seconds), more for benchmarks.

``write_named_hostile_inputs`` writes one file per named case instead (a header-only PDF, UTF-16
Markdown, a late NUL, a disguised PDF...), for tests that check each command's answer to each case;
``python tests/hostile.py FOLDER COUNT`` writes them for a longer run by hand.
"""

from __future__ import annotations

import random
import sys
import zlib
from collections.abc import Callable, Iterator
from pathlib import Path

from conftest import FIXTURES, SEED

__all__ = [
    "FORMATS",
    "KINDS",
    "adversarial_lines",
    "hostile_inputs",
    "write_hostile_corpus",
    "write_named_hostile_inputs",
]

KINDS = ("truncated", "bitflip", "bomb", "nested", "regex")
FORMATS = (".md", ".txt", ".pdf")


def adversarial_lines(size: int) -> list[str]:
    """Lines of about ``size`` characters that once took quadratic or cubic time somewhere."""
    return [
        "1" + ",000" * (size // 4) + " mg",  # dose amounts: "1,000,000,..."
        "D89.810" + ", " * (size // 2) + "x",  # separators after an ICD-10 code
        "M05.00" + " " * size + "x",
        "Page" + " " * size + "x",  # page numbers
        "Subject" + " " * size + ":" + " " * size + "x",  # a labelled title field
        "Last review" + " " * size + "x",  # a review date
        "Places" + " " * size + "of" + " " * size + "Service" + " " * size + ":x",  # a heading
        "Blue" + " " * size + "Medication Policy x",  # a template footer
        "at least" + " " * size + "x",  # criteria operators
        "every " * (size // 6) + "2",  # dose timing
        "for 1" + "-" * size + "x",  # period durations
        "**a** " * (size // 6) + "**",  # bold runs
        "[" * size,
        "(" * size + "a",
    ]


def hostile_inputs(seed: int, count: int, scale: int = 1) -> Iterator[tuple[str, bytes]]:
    """``count`` (file name, content) pairs: kinds and formats in turn, bytes from ``seed``."""
    bases = _base_documents()
    for index in range(count):
        kind = KINDS[index % len(KINDS)]
        suffix = FORMATS[(index // len(KINDS)) % len(FORMATS)]
        rng = random.Random(f"{seed}-{index}")
        content = _MAKERS[kind](rng, suffix, bases, scale)
        yield f"{index:04d}-{kind}{suffix}", content


def write_hostile_corpus(folder: Path, seed: int, count: int, scale: int = 1) -> list[Path]:
    """Write ``hostile_inputs`` into ``folder``; the paths in order."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, content in hostile_inputs(seed, count, scale):
        path = folder / name
        path.write_bytes(content)
        paths.append(path)
    return paths


# --- base documents ----------------------------------------------------------------------------

_Bases = dict[str, list[bytes]]
_PDF_CACHE: dict[str, bytes] = {}


def _base_documents() -> _Bases:
    markdown = [SEED, *sorted(FIXTURES.glob("*.md"))]
    return {
        ".md": [path.read_bytes() for path in markdown],
        ".txt": [path.read_bytes() for path in sorted(FIXTURES.glob("*.txt"))],
        ".pdf": [_policy_pdf(SEED.read_text(encoding="utf-8"))],
    }


def _policy_pdf(markdown: str) -> bytes:
    """The policy as a PDF drawn with reportlab (cached: building one takes a moment)."""
    if markdown not in _PDF_CACHE:
        import tempfile

        from pdfbuild import build_policy_pdf

        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "policy.pdf"
            build_policy_pdf(markdown, path)
            _PDF_CACHE[markdown] = path.read_bytes()
    return _PDF_CACHE[markdown]


# --- the five kinds ----------------------------------------------------------------------------


def _truncated(rng: random.Random, suffix: str, bases: _Bases, scale: int) -> bytes:
    data = rng.choice(bases[suffix])
    return data[: rng.randrange(1, len(data))]


def _bitflip(rng: random.Random, suffix: str, bases: _Bases, scale: int) -> bytes:
    return _flip_bits(rng.choice(bases[suffix]), rng, rng.randint(1, 16))


def _flip_bits(data: bytes, rng: random.Random, count: int, start: int = 0) -> bytes:
    """``data`` with ``count`` random bits flipped at or after byte ``start``."""
    flipped = bytearray(data)
    for _ in range(count):
        position = rng.randrange(start, len(flipped))
        flipped[position] ^= 1 << rng.randrange(8)
    return bytes(flipped)


def _bomb(rng: random.Random, suffix: str, bases: _Bases, scale: int) -> bytes:
    if suffix == ".pdf":
        # A page whose content stream inflates a thousandfold, to megabytes of blank space.
        text = b"BT /F1 10 Tf 72 720 Td (Drug policy: coverage criteria for the drug) Tj ET\n"
        return _minimal_pdf(zlib.compress(text + b" " * (8_000_000 * scale), 9))
    data = rng.choice(bases[suffix])
    return data * (10 * scale) + b"word " * (5_000 * scale) + b"\n"


def _nested(rng: random.Random, suffix: str, bases: _Bases, scale: int) -> bytes:
    depth = rng.choice((12, 60, 500)) * scale
    head = "# Drug policy\n\nCoverage criteria for the drug; prior authorization required.\n\n"
    if suffix == ".pdf":
        # A page dictionary holding an array nested thousands deep.
        nested = b"[" * (3000 * scale) + b"]" * (3000 * scale)
        text = b"BT /F1 10 Tf 72 720 Td (Drug policy: coverage criteria for the drug) Tj ET\n"
        return _minimal_pdf(zlib.compress(text), extra=b"/Nested " + nested)
    if suffix == ".txt" or rng.random() < 0.3:
        items = "".join("  " * level + f"- criterion at level {level}\n" for level in range(depth))
    else:
        items = "> " * depth + "a quotation nested deep\n"
    return (
        (head.lstrip("# ") if suffix == ".txt" else head).encode()
        + items.encode()
        + (b"\nA last paragraph about coverage after the nesting.\n")
    )


def _regex(rng: random.Random, suffix: str, bases: _Bases, scale: int) -> bytes:
    lines = adversarial_lines(2000 * scale)
    chosen = rng.sample(lines, k=4)
    markdown = rng.choice(bases[".md"]).decode("utf-8")
    source = markdown if suffix != ".txt" else rng.choice(bases[".txt"]).decode("utf-8")
    body = source.split("\n")
    for line in chosen:
        body.insert(rng.randrange(1, len(body)), line)
    text = "\n".join(body)
    if suffix == ".pdf":
        return _policy_pdf(text)
    return text.encode("utf-8")


_MAKERS: dict[str, Callable[[random.Random, str, _Bases, int], bytes]] = {
    "truncated": _truncated,
    "bitflip": _bitflip,
    "bomb": _bomb,
    "nested": _nested,
    "regex": _regex,
}


def _minimal_pdf(content: bytes, extra: bytes = b"") -> bytes:
    """A one-page PDF with a Flate-compressed content stream and valid cross-references."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> " + extra + b" >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
        + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


# --- named cases -------------------------------------------------------------------------------


def _nested_list(depth: int, marker: str) -> str:
    return "".join(f"{'  ' * level}{marker} level {level}\n" for level in range(depth))


def _named_cases(pdf: bytes, text: str, rng: random.Random) -> dict[str, Callable[[], bytes]]:
    seed = text.encode("utf-8")
    return {
        "truncated.pdf": lambda: pdf[: len(pdf) // 2],
        "flipped.pdf": lambda: _flip_bits(pdf, rng, 40, start=len(pdf) // 4),
        "header-only.pdf": lambda: b"%PDF-1.7\n",
        "bit-flipped.md": lambda: _flip_bits(seed, rng, 40, start=len(seed) // 4),
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


def write_named_hostile_inputs(folder: Path, seed: int = 0, copies: int = 1) -> list[Path]:
    """One file per named case of the seed policy (``copies`` times, with other random damage)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    text = SEED.read_text(encoding="utf-8")
    pdf = _policy_pdf(text)
    written = []
    for copy in range(copies):
        for name, make in _named_cases(pdf, text, rng).items():
            path = folder / (name if copies == 1 else f"{copy:03d}-{name}")
            path.write_bytes(make())
            written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    print(len(write_named_hostile_inputs(target, copies=count)), "files written to", target)
