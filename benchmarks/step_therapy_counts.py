"""Step therapy and normalisation on the real corpus: how much the library's keys find.

    .venv/bin/python benchmarks/step_therapy_counts.py [JSON_OR_PDF_DIR] [--sample N]

Reads converted JSON (``policy-extract convert ../shared/corpus/real -o DIR``) or converts
the PDFs of ``../shared/corpus/real`` itself, then prints per document: criteria nodes,
nodes that yield step-therapy drugs, distinct drugs, the policy's drug keys and its
indication keys; then totals, a sample of step-therapy entries, and the time the library
functions took (the dictionary's one-time load apart).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Iterator
from pathlib import Path

from policy_extract import extract, load
from policy_extract.library.normalize import (
    document_abbreviations,
    drug_key,
    indication_key,
    policy_drug_aliases,
    policy_drug_keys,
)
from policy_extract.library.step_therapy import StepTherapyDrug, step_therapy_requirements
from policy_extract.model import CriteriaNode, Policy

ROOT = Path(__file__).resolve().parent.parent
REAL = ROOT.parent / "shared" / "corpus" / "real"


def _policies(folder: Path) -> Iterator[tuple[str, Policy]]:
    jsons = sorted(folder.glob("*.json"))
    if jsons:
        for path in jsons:
            yield path.stem, load(path)
        return
    for path in sorted(folder.glob("*.pdf")):
        yield path.stem, extract(path)


def _trees(policy: Policy) -> list[CriteriaNode]:
    trees = [policy.general_criteria] if policy.general_criteria else []
    for condition in policy.coverage:
        trees.extend(t for t in (condition.criteria, condition.continuation_criteria) if t)
    return trees


def _count_nodes(node: CriteriaNode) -> int:
    return 1 + sum(_count_nodes(child) for child in node.children)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=REAL)
    parser.add_argument("--sample", type=int, default=12)
    args = parser.parse_args()
    drug_key("Remicade")  # the dictionary's one-time load, kept out of the timing
    indication_key("Crohn disease")
    nodes = step_nodes = class_only = 0
    sample: list[tuple[str, StepTherapyDrug]] = []
    elapsed = 0.0
    for name, policy in _policies(args.folder):
        started = time.perf_counter()
        trees = _trees(policy)
        aliases = policy_drug_aliases(policy)
        requirements = [r for tree in trees for r in step_therapy_requirements(tree, aliases)]
        found = [drug for requirement in requirements for drug in requirement.drugs]
        abbreviations = document_abbreviations(policy)
        keys = sorted({indication_key(c.condition, abbreviations) for c in policy.coverage})
        drugs = policy_drug_keys(policy)
        elapsed += time.perf_counter() - started
        count = sum(_count_nodes(tree) for tree in trees)
        yielding = sum(1 for r in requirements if r.drugs)
        classes_alone = sum(1 for r in requirements if not r.drugs)
        nodes, step_nodes = nodes + count, step_nodes + yielding
        class_only += classes_alone
        sample.extend((name, drug) for drug in found[:2])
        print(
            f"{name}: {count} nodes, {yielding} with step-therapy drugs "
            f"(+{classes_alone} naming classes only), "
            f"{len({d.drug_key for d in found})} drugs; drug keys {drugs}; "
            f"{len(keys)} indication keys"
        )
    print(
        f"total: {nodes} criteria nodes, {step_nodes} yield step-therapy drugs, "
        f"{class_only} more name drug classes only"
    )
    for name, drug in sample[: args.sample]:
        where = f"p{drug.span.page} l{drug.span.line_start}" if drug.span else "-"
        print(f"  {name} {where} [{drug.phrase}] {drug.name} -> {drug.drug_key}: {drug.text[:70]}")
    print(f"library functions: {elapsed * 1000:.0f} ms for the whole corpus")


if __name__ == "__main__":
    main()
