"""FHIR export on the whole corpus: does every policy export, does every resource validate, do
``evaluate`` and the FHIRPath constraints agree, and what does the export cost next to conversion.

    .venv/bin/python benchmarks/fhir_bench.py [--answer-sets N] [--seed S]

For every fixture and (when present) every real PDF: conversion time (extract), export time,
the round trip through ``fhir.resources``, then N random answer sets per Questionnaire (each
leaf true / false / unanswered) decided by ``evaluate`` and by every constraint's FHIRPath
(fhirpathpy on a QuestionnaireResponse). Prints one line per document and the totals; exits 1 on
any failure or disagreement.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from conftest import REAL_CORPUS, fixture_documents  # noqa: E402
from fhir_corpus import (  # noqa: E402
    constraint_of,
    phase_constraints,
    questionnaires,
    response_for,
    walk_items,
)
from policy_extract.fhir.evaluate import decide, evaluate  # noqa: E402
from policy_extract.fhir.export import export_policy  # noqa: E402
from policy_extract.fhir.link_ids import condition_prefixes, phase_trees  # noqa: E402
from policy_extract.model import Policy  # noqa: E402
from policy_extract.pipeline import extract  # noqa: E402

_STATUS = {True: "met", False: "not met", None: "undetermined"}


def _sources() -> list[Path]:
    generic = sorted((ROOT / "tests" / "fixtures" / "generic").glob("*.md"))
    real = sorted(REAL_CORPUS.glob("*.pdf")) if REAL_CORPUS.is_dir() else []
    return [*fixture_documents(), *generic, *real]


def _fhirpath(expression: str, response: dict[str, Any], cache: dict[str, Any]) -> bool | None:
    import fhirpathpy
    from fhirpathpy.models import models

    if expression not in cache:
        cache[expression] = fhirpathpy.compile(expression, models["r4"])
    value = cache[expression](response, {"resource": response})
    return value[0] if value else None


def _agreement(
    policy: Policy, forms: list[dict[str, Any]], sets: int, rng: random.Random
) -> tuple[int, int, int]:
    """(answer sets, constraint checks, disagreements) for one policy."""
    cache: dict[str, Any] = {}
    answer_sets = checks = wrong = 0
    for index, form in enumerate(forms if policy.coverage else []):
        condition = policy.coverage[index]
        prefix = condition_prefixes(policy)[index]
        nodes = {
            item.link_id: item
            for phase in phase_trees(policy, condition, prefix)
            for tree in phase.trees
            for item in tree.walk()
        }
        leaves = [i["linkId"] for i in walk_items(form["item"]) if i["type"] == "boolean"]
        for _ in range(sets):
            answers = {leaf: rng.choice([True, True, True, False, None]) for leaf in leaves}
            response = response_for(form, answers)
            answer_sets += 1
            for item in walk_items(form["item"]):
                constraint = constraint_of(item)
                if constraint is not None:
                    checks += 1
                    got = _fhirpath(constraint["expression"], response, cache)
                    wrong += got is not decide(nodes[item["linkId"]], answers)
            statuses = {
                p.phase: p.status for p in evaluate(policy, answers).conditions[index].phases
            }
            for phase, expression in phase_constraints(form).items():
                checks += 1
                wrong += _STATUS[_fhirpath(expression, response, cache)] != statuses[phase]
    return answer_sets, checks, wrong


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answer-sets", type=int, default=20, help="per Questionnaire")
    parser.add_argument("--seed", type=int, default=18)
    args = parser.parse_args()
    from fhir.resources.R4B.bundle import Bundle

    rng = random.Random(args.seed)
    totals = {"docs": 0, "resources": 0, "convert": 0.0, "export": 0.0, "sets": 0, "checks": 0}
    failures = 0
    for source in _sources():
        started = time.perf_counter()
        policy = extract(source)
        converted = time.perf_counter() - started
        started = time.perf_counter()
        exported = export_policy(policy)
        spent = time.perf_counter() - started
        bundle = json.loads(exported.text)
        valid = json.loads(Bundle.model_validate_json(exported.text).model_dump_json()) == bundle
        sets, checks, wrong = _agreement(policy, questionnaires(bundle), args.answer_sets, rng)
        failures += (not valid) + wrong
        totals["docs"] += 1
        totals["resources"] += len(bundle["entry"])
        totals["convert"] += converted
        totals["export"] += spent
        totals["sets"] += sets
        totals["checks"] += checks
        print(
            f"{source.name:<58} {len(bundle['entry']):>3} resources  valid={valid}  "
            f"convert {converted:6.2f} s  export {spent:5.3f} s  "
            f"agree {checks - wrong}/{checks} over {sets} answer sets"
        )
    ratio = 100 * totals["export"] / totals["convert"]
    print(
        f"{totals['docs']} policies exported, {totals['resources']} resources, "
        f"{'all valid' if failures == 0 else f'{failures} FAILURES'}; "
        f"{totals['checks']} constraint checks over {totals['sets']} answer sets; "
        f"export {totals['export']:.2f} s = {ratio:.1f}% of conversion {totals['convert']:.1f} s"
    )
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
