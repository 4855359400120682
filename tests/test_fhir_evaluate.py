"""Evaluating criteria on answers keyed by linkId, and the proof that the export means the same:
for every criteria tree of the fixtures and the real corpus, generated answer sets decided by
``evaluate`` and by the Questionnaire's FHIRPath constraints (run by fhirpathpy, a real FHIRPath
engine, on a QuestionnaireResponse) agree on every node and every phase."""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import REAL_CORPUS, SEED, run_cli
from fhir_corpus import (
    FIXTURE_NAMES,
    constraint_of,
    phase_constraints,
    policy_named,
    questionnaires,
    real_pdf_names,
    response_for,
    walk_items,
)
from policy_extract.fhir.evaluate import decide, evaluate
from policy_extract.fhir.export import export_policy
from policy_extract.fhir.link_ids import LinkedNode, condition_prefixes, link_tree, phase_trees
from policy_extract.model import ConditionCoverage, CriteriaNode, Policy

fhirpathpy = pytest.importorskip("fhirpathpy")


def _node(
    operator: str | None, *children: CriteriaNode, min_count: int | None = None
) -> CriteriaNode:
    return CriteriaNode(
        text=f"{operator} of",
        operator=operator,
        min_count=min_count,
        children=list(children),  # type: ignore[arg-type]
    )


def _leaf(label: str) -> CriteriaNode:
    return CriteriaNode(label=label, text=f"criterion {label}")


_ABC = (_leaf("a"), _leaf("b"), _leaf("c"))


@pytest.mark.parametrize(
    ("tree", "answers", "expected"),
    [
        (_node("all", *_ABC), {"a": True, "b": True, "c": True}, True),
        (_node("all", *_ABC), {"a": True, "b": False}, False),  # one false decides
        (_node("all", *_ABC), {"a": True, "b": True}, None),  # one missing leaves it open
        (_node("any", *_ABC), {"c": True}, True),  # one true decides
        (_node("any", *_ABC), {"a": False, "b": False, "c": False}, False),
        (_node("any", *_ABC), {"a": False, "b": False}, None),
        (_node("at_least", *_ABC, min_count=2), {"a": True, "c": True}, True),
        (_node("at_least", *_ABC, min_count=2), {"a": False, "b": False}, False),  # 0 + 1 < 2
        (_node("at_least", *_ABC, min_count=2), {"a": True, "b": False}, None),  # 1 + 1 >= 2
        (_node(None, *_ABC), {"a": True, "b": True, "c": False}, False),  # unstated: all
        (
            _node("all", _leaf("a"), _node("any", _leaf("x"), _leaf("y"))),
            {"a": True, "x": True},
            True,
        ),
    ],
)
def test_three_valued_logic(
    tree: CriteriaNode, answers: dict[str, bool], expected: bool | None
) -> None:
    linked = link_tree(tree, "t")

    def full(short: str) -> str:
        return next(
            i.link_id
            for i in linked.walk()
            if i.link_id.endswith(f"/{short}") or i.link_id.endswith(f".{short}")
        )

    assert decide(linked, {full(k): v for k, v in answers.items()}) is expected


def _policy(*conditions: ConditionCoverage, general: CriteriaNode | None = None) -> Policy:
    return Policy(title="test", coverage=list(conditions), general_criteria=general)


def _condition(
    cid: str, criteria: CriteriaNode, continuation: CriteriaNode | None = None
) -> ConditionCoverage:
    return ConditionCoverage(
        id=cid, condition=cid.upper(), criteria=criteria, continuation_criteria=continuation
    )


def test_general_criteria_apply_to_every_condition() -> None:
    policy = _policy(
        _condition("ra", _node("all", _leaf("1"))),
        _condition("pso", _node("all", _leaf("1"))),
        general=_node("all", _leaf("1")),
    )
    answers = {"ra/initial/1": True, "pso/initial/1": True}
    assert [c.status for c in evaluate(policy, {**answers, "general/1": True}).conditions] == [
        "met",
        "met",
    ]
    failed = evaluate(policy, {**answers, "general/1": False})
    assert [c.status for c in failed.conditions] == ["not met", "not met"]
    assert failed.conditions[0].phases[0].unmet == ("general/1",)
    open_ = evaluate(policy, answers)
    assert [c.status for c in open_.conditions] == ["undetermined", "undetermined"]
    assert open_.conditions[1].phases[0].missing == ("general/1",)


def test_a_condition_is_met_by_either_phase() -> None:
    policy = _policy(_condition("ra", _node("all", _leaf("1")), _node("all", _leaf("1"))))
    result = evaluate(policy, {"ra/initial/1": False, "ra/continuation/1": True})
    (condition,) = result.conditions
    assert condition.status == "met"
    assert [(p.phase, p.status, p.unmet) for p in condition.phases] == [
        ("initial", "not met", ("ra/initial/1",)),
        ("continuation", "met", ()),
    ]


def test_unmet_and_missing_name_only_items_that_stand_in_the_way() -> None:
    either = _node("any", _leaf("a"), _leaf("b")).model_copy(update={"label": "2"})
    tree = _node("all", _leaf("1"), either, _leaf("3"))
    policy = _policy(_condition("ra", tree))
    (phase,) = (
        evaluate(policy, {"ra/initial/1": False, "ra/initial/2.a": True}).conditions[0].phases
    )
    assert phase.status == "not met"
    assert phase.unmet == ("ra/initial/1",)
    assert phase.missing == ("ra/initial/3",)  # 2 is met through 2.a: 2.b does not matter


def test_unknown_link_ids_are_reported_not_ignored() -> None:
    policy = _policy(_condition("ra", _node("all", _leaf("1"))))
    result = evaluate(policy, {"ra/initial/1": True, "ra/initial/9": True, "typo": None})
    assert result.unknown_link_ids == ("ra/initial/9", "typo")
    assert result.conditions[0].status == "met"


def _write_json(path: Path, data: object) -> str:
    path.write_text(json.dumps(data), encoding="utf-8")
    return str(path)


def test_evaluate_command_exit_codes(tmp_path: Path) -> None:
    policy_json = tmp_path / "atgam.json"
    policy_json.write_text(policy_named(SEED.name).model_dump_json(), encoding="utf-8")
    prefix = policy_named(SEED.name).coverage[0].id + "/initial"
    met = _write_json(tmp_path / "met.json", {f"{prefix}/1": True, f"{prefix}/2": True})
    result = run_cli("evaluate", str(policy_json), "--answers", met)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0].endswith(": met")
    unmet = _write_json(tmp_path / "unmet.json", {f"{prefix}/1": False})
    as_json = run_cli("evaluate", str(policy_json), "--answers", unmet, "--format", "json")
    assert as_json.returncode == 1
    report = json.loads(as_json.stdout)
    assert report["any_met"] is False
    assert report["conditions"][0]["phases"][0]["unmet"] == [f"{prefix}/1"]
    unknown = _write_json(tmp_path / "unknown.json", {"nope": True})
    flagged = run_cli("evaluate", str(policy_json), "--answers", unknown)
    assert flagged.returncode == 2 and "unknown linkId in answers: nope" in flagged.stdout
    assert "warning: " in flagged.stderr and "'nope'" in flagged.stderr
    bad = _write_json(tmp_path / "bad.json", {f"{prefix}/1": "yes"})
    refused = run_cli("evaluate", str(policy_json), "--answers", bad)
    assert refused.returncode == 2 and refused.stderr.startswith(f"error: {bad}: ")
    assert refused.stdout == ""


# --- The proof: evaluate == FHIRPath, on every criteria tree of the corpus ---

_REAL = [
    pytest.param(
        name,
        marks=pytest.mark.skipif(not REAL_CORPUS.is_dir(), reason="real corpus not present"),
    )
    for name in real_pdf_names()
]
_ANSWER = st.sampled_from([True, True, True, False, None])  # mostly true: every status occurs


@functools.cache
def _compiled(expression: str) -> Callable[..., list[Any]]:
    from fhirpathpy.models import models

    return fhirpathpy.compile(expression, models["r4"])  # type: ignore[no-any-return]


def _fhirpath(expression: str, response: dict[str, Any]) -> bool | None:
    value = _compiled(expression)(response, {"resource": response})
    assert value in ([], [True], [False]), value
    return value[0] if value else None


@functools.cache
def _exported(name: str) -> tuple[Policy, list[dict[str, Any]]]:
    policy = policy_named(name)
    return policy, questionnaires(json.loads(export_policy(policy).text))


def _linked_nodes(policy: Policy, condition_index: int) -> dict[str, LinkedNode]:
    condition = policy.coverage[condition_index]
    prefix = condition_prefixes(policy)[condition_index]
    return {
        item.link_id: item
        for phase in phase_trees(policy, condition, prefix)
        for tree in phase.trees
        for item in tree.walk()
    }


@pytest.mark.parametrize("name", [*FIXTURE_NAMES, *_REAL])
@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data())
def test_evaluator_and_fhirpath_agree_on_every_criteria_tree(
    name: str, data: st.DataObject
) -> None:
    policy, forms = _exported(name)
    for index, form in enumerate(forms if policy.coverage else []):
        leaves = sorted(i["linkId"] for i in walk_items(form["item"]) if i["type"] == "boolean")
        answers = data.draw(st.fixed_dictionaries(dict.fromkeys(leaves, _ANSWER)), label=form["id"])
        response = response_for(form, answers)
        nodes = _linked_nodes(policy, index)
        for item in walk_items(form["item"]):
            constraint = constraint_of(item)
            if constraint is not None:
                expected = decide(nodes[item["linkId"]], answers)
                assert _fhirpath(constraint["expression"], response) is expected, item["linkId"]
        phases = evaluate(policy, answers).conditions[index].phases
        by_phase = {phase.phase: phase.status for phase in phases}
        for phase, expression in phase_constraints(form).items():
            status = {True: "met", False: "not met", None: "undetermined"}[
                _fhirpath(expression, response)
            ]
            assert status == by_phase[phase], (form["id"], phase)
        assert set(phase_constraints(form)) == set(by_phase)
