"""Whether the pdfium and pdfminer engines give the same JSON, per PDF, with the first differences.

    .venv/bin/python benchmarks/engine_diff.py [PDF ...] [--show N] [--layouts]

Without arguments it reads every PDF of the real corpus (../shared/corpus/real); ``--layouts``
adds the test layouts (PDFs built from the seed and every fixture by tests/pdfbuild.py). Each
line says ``same`` or ``DIFF`` and the count of differing JSON paths; the first ``--show``
paths follow with both values (pdfminer first).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "corpus" / "real"
sys.path.insert(0, str(ROOT / "tests"))


def engine_json(path: Path, engine: str) -> Any:
    from policy_extract.errors import PolicyExtractError
    from policy_extract.loaders.pdf import load_pdf
    from policy_extract.pipeline import run_pipeline
    from policy_extract.render.json import policy_to_json

    try:
        policy = run_pipeline(load_pdf(path, engine)).policy
    except PolicyExtractError as exc:
        return {"error": str(exc)}
    return json.loads(policy_to_json(policy))


def differences(old: Any, new: Any, where: str = "") -> Iterator[tuple[str, Any, Any]]:
    """Every JSON path whose values differ, depth first."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new)):
            yield from differences(old.get(key), new.get(key), f"{where}.{key}")
    elif isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            left = old[index] if index < len(old) else None
            right = new[index] if index < len(new) else None
            yield from differences(left, right, f"{where}[{index}]")
    elif old != new:
        yield where, old, new


def test_layouts(workdir: Path) -> list[Path]:
    from pdfbuild import build_policy_pdf  # tests/pdfbuild.py

    fixtures = sorted((ROOT / "tests" / "fixtures").glob("*.*"))
    sources = [ROOT / "source_docs" / "atgam.md", *fixtures]
    paths = []
    for source in sources:
        for layout in ("a", "b"):
            path = workdir / f"{source.stem}_{layout}.pdf"
            try:
                build_policy_pdf(source.read_text(encoding="utf-8"), path, layout=layout)
            except Exception:  # a fixture the PDF builder cannot lay out: not a layout
                continue
            paths.append(path)
    return paths


def report(path: Path, show: int) -> bool:
    found = list(differences(engine_json(path, "pdfminer"), engine_json(path, "pdfium")))
    boxes = sum(1 for where, _, _ in found if ".bbox[" in where)
    verdict = "same" if not found else f"DIFF ({len(found)} paths, {boxes} of them bbox digits)"
    found.sort(key=lambda item: ".bbox[" in item[0])  # other differences first
    print(f"{path.name[:60]:<60} {verdict}", flush=True)
    for where, old, new in found[:show]:
        print(f"    {where}\n      pdfminer: {_short(old)}\n      pdfium:   {_short(new)}")
    return not found


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 160 else text[:157] + "..."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pdfs", nargs="*", type=Path, help="PDFs (default: the real corpus)")
    parser.add_argument("--show", type=int, default=5, help="differing paths shown per PDF")
    parser.add_argument("--layouts", action="store_true", help="also the test layouts")
    args = parser.parse_args()
    paths = list(args.pdfs) or (sorted(REAL.glob("*.pdf")) if REAL.is_dir() else [])
    with tempfile.TemporaryDirectory() as folder:
        if args.layouts or not paths:
            paths += test_layouts(Path(folder))
        same = [report(path, args.show) for path in paths]
    print(f"{sum(same)} of {len(same)} identical")
    return 0 if all(same) else 1


if __name__ == "__main__":
    sys.exit(main())
