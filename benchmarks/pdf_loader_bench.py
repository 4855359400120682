"""How much ``load_pdf`` costs on top of pdfplumber's own word extraction.

For each PDF, time (best of ``--repeat`` runs, interleaved so that background load hits both
sides alike) the baseline -- open the file, ``extract_words(extra_attrs=["fontname", "size"])``
on every page, close each page -- and the whole ``load_pdf``. The target is a total ratio of at
most about 1.3
(x0.6 with the lean pdfminer path, x0.2 with pdfium).

Usage::

    .venv/bin/python benchmarks/pdf_loader_bench.py [PDF_OR_DIR ...] [--repeat N] [--engine E]

Without arguments it measures every PDF under ``/work/shared/corpus/real``.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pdfplumber

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from policy_extract.loaders.pdf import load_pdf

DEFAULT_CORPUS = Path("/work/shared/corpus/real")


def extract_words_only(path: Path) -> None:
    """The baseline: what pdfplumber does for us anyway."""
    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_words(extra_attrs=["fontname", "size"])
            page.close()


def best_time(run: Callable[[Path], object], path: Path) -> float:
    start = time.perf_counter()
    run(path)
    return time.perf_counter() - start


def pdf_paths(arguments: list[str]) -> list[Path]:
    roots = [Path(a) for a in arguments] or [DEFAULT_CORPUS]
    paths: list[Path] = []
    for root in roots:
        paths.extend(sorted(root.glob("*.pdf")) if root.is_dir() else [root])
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", help="PDF files or folders")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engine", choices=["pdfminer", "pdfium"], default="pdfminer")
    args = parser.parse_args()

    def load_with_engine(path: Path) -> object:
        return load_pdf(path, args.engine)

    paths = pdf_paths(args.paths)
    if not paths:
        print("no PDFs to measure", file=sys.stderr)
        return 1
    total_base = total_load = 0.0
    print(f"{'file':<58} {'pages':>5} {'words s':>8} {'load s':>8} {'ratio':>6}")
    for path in paths:
        base = load = float("inf")
        for _ in range(args.repeat):
            base = min(base, best_time(extract_words_only, path))
            load = min(load, best_time(load_with_engine, path))
        pages = load_pdf(path, args.engine).pages or 0
        total_base += base
        total_load += load
        print(f"{path.name[:58]:<58} {pages:>5} {base:>8.3f} {load:>8.3f} {load / base:>6.2f}")
    ratio = total_load / total_base
    print(f"{'total':<58} {'':>5} {total_base:>8.3f} {total_load:>8.3f} {ratio:>6.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
