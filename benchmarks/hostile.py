"""Hostile inputs through the command line, counted.

    .venv/bin/python benchmarks/hostile.py [--count 150] [--seed 1] [--scale 2] [--jobs 1]

Writes ``--count`` hostile files (``tests/hostile.py``: truncated, bit-flipped, bomb, nested and
regex-adversarial ``.md``/``.txt``/``.pdf``) into a temporary folder, then runs ``convert`` over
the folder, ``verify`` over the files and ``lint`` over the folder, one process each, and prints:
files per kind, converted / failed with a one-line error / unaccounted for (neither), commands
that printed a traceback, commands that hung (past ``--timeout``), and each command's wall time.
"""

from __future__ import annotations

import argparse
import collections
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from hostile import KINDS, write_hostile_corpus  # noqa: E402


def run(args: list[str], timeout: float) -> tuple[subprocess.CompletedProcess[str] | None, float]:
    """The command's result (None when it hung) and its wall time."""
    start = time.perf_counter()
    try:
        result = subprocess.run(
            [sys.executable, "-m", "policy_extract", *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired:
        return None, time.perf_counter() - start
    return result, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=150)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per command")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        inputs, out = Path(folder) / "in", Path(folder) / "out"
        sources = write_hostile_corpus(inputs, options.seed, options.count, options.scale)
        kinds = collections.Counter(next(k for k in KINDS if k in p.name) for p in sources)
        print(f"{len(sources)} hostile files (seed {options.seed}, scale {options.scale}):")
        print("  " + ", ".join(f"{kind} {kinds[kind]}" for kind in KINDS))
        commands = {
            "convert": ["convert", str(inputs), "-o", str(out), "--jobs", str(options.jobs)],
            "verify": ["verify", *map(str, sources)],
            "lint": ["lint", str(inputs)],
        }
        tracebacks = hangs = internal = 0
        convert_errors = ""
        for name, args in commands.items():
            result, seconds = run(args, options.timeout)
            if result is None:
                hangs += 1
                print(f"{name:8s} HUNG (> {options.timeout:.0f} s)")
                continue
            traceback = "Traceback" in result.stderr
            tracebacks += traceback
            bug = "internal error" in result.stderr  # a bug of ours, caught by the command line
            internal += bug
            errors = sum(line.startswith("error:") for line in result.stderr.splitlines())
            note = ("  TRACEBACK" if traceback else "") + ("  INTERNAL ERROR" if bug else "")
            status = f"exit {result.returncode}  {errors:4d} error line(s)"
            print(f"{name:8s} {status}  {seconds:7.1f} s{note}")
            if name == "convert":
                convert_errors = result.stderr
        converted = [p for p in sources if (out / p.name).with_suffix(".json").exists()]
        failed = [p for p in sources if p not in converted and f"{p}:" in convert_errors]
        lost = len(sources) - len(converted) - len(failed)
        outcome = f"{len(converted)} converted, {len(failed)} failed with a reason"
        print(f"convert: {outcome}, {lost} unaccounted for")
        print(
            f"tracebacks: {tracebacks} command(s); internal errors: {internal} command(s); "
            f"hangs: {hangs} command(s)"
        )


if __name__ == "__main__":
    main()
