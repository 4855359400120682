"""Accuracy on the hand-labelled real payer PDFs, as ``../shared/tools/score_labels.py`` scores it.

    .venv/bin/python benchmarks/accuracy.py [--verbose] [--jobs N] [--keep DIR]

Converts every labelled PDF of ``../shared/corpus/real`` twice, with the named template profiles
and with every one switched off (the template-free reader alone, as users get it for payers no
profile knows), and prints the scorer's per-document lines and summary for each, then one line
per payer. The conversions run through the command line, as a user runs them.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared"
REAL = SHARED / "corpus" / "real"
LABELS = SHARED / "corpus" / "labels"
SCORER = SHARED / "tools" / "score_labels.py"
DISABLE_ENV = "POLICY_EXTRACT_DISABLE_PROFILES"
_LINE = re.compile(
    r"^(?P<stem>\S+)\s+ind (?P<ind>\d+)/(?P<nind>\d+) \(got (?P<got>\d+)\)"
    r"\s+hcpcs (?P<h>\d+)/(?P<nh>\d+)\s+icd (?P<i>\d+)/(?P<ni>\d+)\s+fields (?P<f>\d+)/(?P<nf>\d+)"
)


def labelled_pdfs() -> list[Path]:
    names = [
        json.loads(p.read_text(encoding="utf-8"))["file"] for p in sorted(LABELS.glob("*.json"))
    ]
    return [REAL / name for name in names if (REAL / name).exists()]


def convert(pdfs: list[Path], out: Path, jobs: int, profiles_off: bool) -> None:
    env = dict(os.environ)
    if profiles_off:
        env[DISABLE_ENV] = "all"
    else:
        env.pop(DISABLE_ENV, None)
    command = [sys.executable, "-m", "policy_extract", "convert", *map(str, pdfs), "-o", str(out)]
    subprocess.run([*command, "--jobs", str(jobs), "--quiet"], env=env, check=False)


def score(out: Path, verbose: bool) -> str:
    args = [sys.executable, str(SCORER), str(LABELS), str(out), *(["--verbose"] if verbose else [])]
    return subprocess.run(args, capture_output=True, text=True, check=False).stdout


def per_payer(report: str) -> list[str]:
    """Indication P/R/F1 and field share per payer (the file name's first word)."""
    totals: dict[str, list[int]] = {}
    for line in report.splitlines():
        match = _LINE.match(line)
        if not match:
            continue
        payer = match.group("stem").split("_")[0]
        row = totals.setdefault(payer, [0, 0, 0, 0, 0])
        for index, key in enumerate(("ind", "nind", "got", "f", "nf")):
            row[index] += int(match.group(key))
    lines = []
    for payer, (tp, labelled, got, ok, fields) in sorted(totals.items()):
        precision = tp / got if got else (1.0 if labelled == 0 else 0.0)
        recall = tp / labelled if labelled else 1.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        lines.append(
            f"  {payer:13} indications P {precision:.2f} R {recall:.2f} F1 {f1:.2f}"
            f"  fields {ok}/{fields}"
        )
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--verbose", action="store_true", help="list every missed field")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--keep", type=Path, help="write the JSON here instead of a temp folder")
    args = parser.parse_args()
    if not SCORER.exists() or not REAL.is_dir():
        print(f"skipped: {SCORER} or {REAL} not found (../shared is not beside the checkout)")
        return 0
    pdfs = labelled_pdfs()
    for title, profiles_off in (("named profiles", False), ("template-free reader alone", True)):
        with tempfile.TemporaryDirectory() as temp:
            out = (
                (args.keep / ("free" if profiles_off else "profiles")) if args.keep else Path(temp)
            )
            convert(pdfs, out, args.jobs, profiles_off)
            report = score(out, args.verbose)
        print(f"== {title} ({len(pdfs)} labelled PDFs)")
        print(report.rstrip())
        print("per payer:")
        print("\n".join(per_payer(report)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
