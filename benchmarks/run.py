"""Speed, measured as ratios against baselines taken in the same run.

    .venv/bin/python benchmarks/run.py [--quick]

Prints:
- Markdown documents per second (seed and fixtures, in-process);
- PDF conversion time, per character engine (pdfminer, pdfium), over pdfplumber's own
  ``extract_words(extra_attrs=["fontname", "size"])`` on the same files (the real corpus in
  ../shared/corpus/real when present, else PDFs built from the seed), and pages per second on
  one core;
- peak memory converting the largest PDF, per engine;
- ``convert --jobs 2`` wall time over ``--jobs 1`` on a batch;
- start-up time of ``policy-extract --help``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "corpus" / "real"
sys.path.insert(0, str(ROOT / "tests"))


def best_of(repeat: int, action: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return min(times)


def markdown_rate(repeat: int) -> str:
    from policy_extract.loaders.markdown import MARKDOWN_PARSERS, PARSER_VARIABLE
    from policy_extract.pipeline import extract

    fixtures = sorted((ROOT / "tests" / "fixtures").glob("*.*"))  # files, not the generic/ folder
    sources = [ROOT / "source_docs" / "atgam.md", *fixtures]
    rounds = 20

    def run() -> None:
        for _ in range(rounds):
            for source in sources:
                extract(source)

    rates = {}
    chosen = os.environ.get(PARSER_VARIABLE)
    try:
        for parser in MARKDOWN_PARSERS:
            os.environ[PARSER_VARIABLE] = parser
            rates[parser] = rounds * len(sources) / best_of(repeat, run)
    finally:
        if chosen is None:
            os.environ.pop(PARSER_VARIABLE, None)
        else:
            os.environ[PARSER_VARIABLE] = chosen
    default, reference = MARKDOWN_PARSERS
    return (
        f"markdown/text: {rates[default]:,.0f} documents/s ({default}, the default); "
        f"{rates[reference]:,.0f}/s with {reference} (x{rates[default] / rates[reference]:.2f})"
    )


def pdf_files(workdir: Path) -> list[Path]:
    if REAL.is_dir():
        return sorted(REAL.glob("*.pdf"))
    from pdfbuild import build_policy_pdf  # tests/pdfbuild.py

    seed = (ROOT / "source_docs" / "atgam.md").read_text(encoding="utf-8")
    paths = []
    for layout in ("a", "b"):
        path = workdir / f"atgam_{layout}.pdf"
        build_policy_pdf(seed, path, layout=layout)
        paths.append(path)
    return paths


def pdfplumber_words(path: Path) -> None:
    import pdfplumber

    with pdfplumber.open(path) as pdf:
        for page in pdf.pages:
            page.extract_words(extra_attrs=["fontname", "size"])
            page.close()


ENGINES = ("pdfminer", "pdfium")


def pdf_ratio(workdir: Path, repeat: int) -> str:
    """Whole conversion per engine over pdfplumber's own extract_words, and pages/s per core."""
    import pdfplumber

    from policy_extract.loaders.pdf import load_pdf
    from policy_extract.pipeline import run_pipeline

    files = pdf_files(workdir)
    totals = dict.fromkeys(("words", *ENGINES), 0.0)
    pages = 0
    rows = []
    for path in files:
        times = {"words": best_of(repeat, lambda p=path: pdfplumber_words(p))}
        for engine in ENGINES:
            times[engine] = best_of(repeat, lambda p=path, e=engine: run_pipeline(load_pdf(p, e)))
        with pdfplumber.open(path) as pdf:
            count = len(pdf.pages)
        pages += count
        for key, seconds in times.items():
            totals[key] += seconds
        ratios = "  ".join(f"x{times[e] / times['words']:.2f}" for e in ENGINES)
        rows.append(f"  {path.name[:52]:<52} {count:>5} {times['words']:8.2f} s  {ratios}")
    header = f"  {'file':<52} {'pages':>5} {'words':>10}  {'  '.join(ENGINES)}"
    overall = [
        f"PDF ({engine}): convert / pdfplumber extract_words = "
        f"x{totals[engine] / totals['words']:.2f} overall, {pages / totals[engine]:.1f} pages/s "
        f"per core (extract_words alone: {pages / totals['words']:.1f} pages/s)"
        for engine in ENGINES
    ]
    return "\n".join([*overall, header, *rows])


def peak_memory(workdir: Path) -> str:
    """Peak resident memory converting the longest PDF, per engine, each in a fresh process."""
    files = pdf_files(workdir)
    longest = max(files, key=lambda p: p.stat().st_size)
    script = (
        "import resource, sys; from policy_extract.pipeline import extract; extract(sys.argv[1]);"
        " print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    parts = []
    for engine in ENGINES:
        env = {**os.environ, "POLICY_EXTRACT_PDF_ENGINE": engine}
        done = subprocess.run(
            [sys.executable, "-c", script, str(longest)], env=env, capture_output=True, text=True
        )
        kilobytes = int(done.stdout.strip() or 0)
        parts.append(f"{engine} {kilobytes / 1024:.0f} MB")
    return f"peak memory on {longest.name}: " + ", ".join(parts)


def jobs_ratio(workdir: Path) -> str:
    batch = workdir / "batch"
    batch.mkdir()
    sources = [*pdf_files(workdir)][:6] or [ROOT / "source_docs" / "atgam.md"]
    for index, source in enumerate(sources):
        shutil.copy(source, batch / f"{index:02d}_{source.name}")
    command = [sys.executable, "-m", "policy_extract", "convert", str(batch), "-q"]

    def run(jobs: int) -> float:
        out = workdir / f"out{jobs}"
        start = time.perf_counter()
        subprocess.run([*command, "-o", str(out), "--jobs", str(jobs)], check=False)
        return time.perf_counter() - start

    one, two = run(1), run(2)
    ratio = f"x{two / one:.2f} ({one:.1f} s -> {two:.1f} s)"
    return f"batch of {len(sources)}: --jobs 2 / --jobs 1 = {ratio}"


def startup() -> str:
    command = [sys.executable, "-m", "policy_extract", "--help"]
    baseline = [sys.executable, "-c", "pass"]
    ours = statistics.median(_timed(command) for _ in range(5))
    bare = statistics.median(_timed(baseline) for _ in range(5))
    return f"start-up: policy-extract --help {ours:.2f} s (bare python {bare:.2f} s)"


def _timed(command: list[str]) -> float:
    return best_of(1, lambda: subprocess.run(command, capture_output=True, check=False))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repetition instead of three")
    parser.add_argument("--only", choices=["markdown", "pdf", "jobs", "startup"], help="one part")
    args = parser.parse_args()
    repeat = 1 if args.quick else 3
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder)
        if args.only in (None, "markdown"):
            print(markdown_rate(repeat))
        if args.only in (None, "pdf"):
            print(pdf_ratio(workdir, repeat))
            print(peak_memory(workdir))
        if args.only in (None, "jobs"):
            print(jobs_ratio(workdir))
        if args.only in (None, "startup"):
            print(startup())


if __name__ == "__main__":
    main()
