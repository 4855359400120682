"""The rows one version adds to the library: products, HCPCS codes, names, conditions, the
criteria trees with their step-therapy drugs, ICD-10 codes, not-covered uses and search text."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from functools import lru_cache

from ..blocks import Span
from ..model import ConditionCoverage, CriteriaNode, Icd10Code, Period, Policy, Quantity
from .normalize import drug_key, indication_key
from .step_therapy import StepTherapyDrug, step_therapy_drugs

__all__ = ["insert_version_rows", "remembered_drug_key", "span_columns"]

Aliases = Mapping[str, str]
_Where = tuple[int, int | None, str]  # version id, condition id (None: general), phase


@lru_cache(maxsize=65536)
def _cached_drug_key(name: str, aliases: tuple[tuple[str, str], ...]) -> str:
    return drug_key(name, dict(aliases))


@lru_cache(maxsize=65536)
def _cached_indication_key(name: str) -> str:
    return indication_key(name)


@lru_cache(maxsize=4096)
def _cached_steps(
    tree_json: str, aliases: tuple[tuple[str, str], ...]
) -> tuple[StepTherapyDrug, ...]:
    root = CriteriaNode.model_validate_json(tree_json)
    return tuple(step_therapy_drugs(root, dict(aliases)))


def remembered_drug_key(name: str, aliases: Aliases) -> str:
    """drug_key, remembered: a library repeats the same names across thousands of versions."""
    return _cached_drug_key(name, tuple(sorted(aliases.items())))


def span_columns(span: Span | None) -> tuple[int | None, int | None, int | None]:
    """page, line_start, line_end of a span (all None without one)."""
    if span is None:
        return (None, None, None)
    return (span.page, span.line_start, span.line_end)


def insert_version_rows(
    db: sqlite3.Connection, version_id: int, policy: Policy, aliases: Aliases
) -> None:
    """Every derived row of one version (inside the caller's transaction)."""
    if policy.title:
        _search(db, policy.title, "title", version_id, version_id)
    _insert_products(db, version_id, policy, aliases)
    _insert_names(db, version_id, policy, aliases)
    if policy.general_criteria is not None:
        _insert_criteria(db, (version_id, None, "general"), policy.general_criteria, aliases)
    for ordinal, condition in enumerate(policy.coverage):
        condition_id = _insert_condition(db, version_id, ordinal, condition)
        for phase, tree in (
            ("initial", condition.criteria),
            ("continuation", condition.continuation_criteria),
        ):
            if tree is not None:
                _insert_criteria(db, (version_id, condition_id, phase), tree, aliases)
        for code in condition.icd10:
            _insert_icd10(db, version_id, condition_id, code)
    for code in policy.icd10:
        _insert_icd10(db, version_id, None, code)
    for ordinal, statement in enumerate(policy.not_covered):
        db.execute(
            "INSERT INTO not_covered (version_id, ordinal, text, page, line_start, line_end)"
            " VALUES (?, ?, ?, ?, ?, ?)",
            (version_id, ordinal, statement.text, *span_columns(statement.span)),
        )


def _search(db: sqlite3.Connection, text: str, kind: str, row_id: int, version_id: int) -> None:
    db.execute(
        "INSERT INTO search (text, kind, row_id, version_id) VALUES (?, ?, ?, ?)",
        (text, kind, row_id, version_id),
    )


def _insert_products(
    db: sqlite3.Connection, version_id: int, policy: Policy, aliases: Aliases
) -> None:
    for code in policy.drug_details.hcpcs:
        db.execute(
            "INSERT INTO hcpcs (version_id, code, description, product_id, page, line_start,"
            " line_end) VALUES (?, ?, ?, NULL, ?, ?, ?)",
            (version_id, code.code.upper(), code.description, *span_columns(code.span)),
        )
    for ordinal, product in enumerate(policy.products):
        key = remembered_drug_key(product.generic_name or product.name, aliases)
        cursor = db.execute(
            "INSERT INTO products (version_id, ordinal, name, generic_name, drug_key,"
            " brand_names, flags, page, line_start, line_end)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                version_id,
                ordinal,
                product.name,
                product.generic_name,
                key,
                json.dumps(product.brand_names),
                json.dumps(product.flags, ensure_ascii=False),
                *span_columns(product.span),
            ),
        )
        for product_code in sorted(set(product.hcpcs)):
            db.execute(
                "INSERT INTO hcpcs (version_id, code, product_id, page, line_start, line_end)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (version_id, product_code.upper(), cursor.lastrowid, *span_columns(product.span)),
            )


def _insert_names(
    db: sqlite3.Connection, version_id: int, policy: Policy, aliases: Aliases
) -> None:
    names: set[tuple[str, str]] = set()
    generics = [policy.drug.generic_name] + [p.generic_name for p in policy.products]
    names.update((name, "generic") for name in generics if name)
    brands = policy.drug.brand_names + [b for p in policy.products for b in p.brand_names]
    names.update((name, "brand") for name in brands if name)
    seen: set[tuple[str, str]] = set()
    for name, kind in sorted(names):
        norm = " ".join(name.lower().split())
        if (norm, kind) in seen:
            continue
        seen.add((norm, kind))
        db.execute(
            "INSERT INTO drug_names (version_id, name, name_norm, drug_key, kind)"
            " VALUES (?, ?, ?, ?, ?)",
            (version_id, name, norm, remembered_drug_key(name, aliases), kind),
        )


def _insert_condition(
    db: sqlite3.Connection, version_id: int, ordinal: int, condition: ConditionCoverage
) -> int:
    initial = _duration(condition.coverage_periods, "initial")
    continuation = _duration(condition.coverage_periods, "continuation")
    pa = condition.prior_authorization_required
    cursor = db.execute(
        "INSERT INTO conditions (version_id, ordinal, slug, name, indication_key,"
        " prior_authorization, initial_duration_value, initial_duration_unit,"
        " continuation_duration_value, continuation_duration_unit, page, line_start, line_end)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            version_id,
            ordinal,
            condition.id,
            condition.condition,
            _cached_indication_key(condition.condition),
            None if pa is None else int(pa),
            *_quantity(initial),
            *_quantity(continuation),
            *span_columns(condition.span),
        ),
    )
    condition_id = int(cursor.lastrowid or 0)
    _search(db, condition.condition, "condition", condition_id, version_id)
    return condition_id


def _duration(periods: list[Period], phase: str) -> Quantity | None:
    """The first period of ``phase`` with a duration; an unphased one counts as initial."""
    for period in periods:
        wanted = period.phase == phase or (phase == "initial" and period.phase is None)
        if wanted and period.duration is not None:
            return period.duration
    return None


def _quantity(quantity: Quantity | None) -> tuple[float | None, str | None]:
    return (None, None) if quantity is None else (float(quantity.value), quantity.unit)


def _insert_criteria(
    db: sqlite3.Connection, where: _Where, root: CriteriaNode, aliases: Aliases
) -> None:
    """A criteria tree, then the step-therapy drugs it names, each on the node naming it."""
    ids: dict[tuple[str, int | None], int] = {}
    _insert_node(db, where, root, None, ids)
    version_id, condition_id, _phase = where
    for drug in _cached_steps(root.model_dump_json(), tuple(sorted(aliases.items()))):
        line = drug.span.line_start if drug.span else None
        node_id = ids.get((drug.text, line)) or ids[(root.text, _line(root))]
        db.execute(
            "INSERT INTO step_therapy (criterion_id, version_id, condition_id, drug, drug_key,"
            " page, line_start, line_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (node_id, version_id, condition_id, drug.name, drug.drug_key, *span_columns(drug.span)),
        )


def _line(node: CriteriaNode) -> int | None:
    return node.span.line_start if node.span else None


def _insert_node(
    db: sqlite3.Connection,
    where: _Where,
    node: CriteriaNode,
    parent: tuple[int, int, int] | None,
    ids: dict[tuple[str, int | None], int],
) -> None:
    """One node and, below it, its children (``parent``: its id, depth and this ordinal)."""
    version_id, condition_id, phase = where
    depth = 0 if parent is None else parent[1] + 1
    cursor = db.execute(
        "INSERT INTO criteria (version_id, condition_id, parent_id, phase, ordinal, depth, label,"
        " operator, min_count, text, page, line_start, line_end)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            version_id,
            condition_id,
            None if parent is None else parent[0],
            phase,
            0 if parent is None else parent[2],
            depth,
            node.label,
            node.operator,
            node.min_count,
            node.text,
            *span_columns(node.span),
        ),
    )
    node_id = int(cursor.lastrowid or 0)
    ids.setdefault((node.text, _line(node)), node_id)
    _search(db, node.text, "criterion", node_id, version_id)
    for index, child in enumerate(node.children):
        _insert_node(db, where, child, (node_id, depth, index), ids)


def _insert_icd10(
    db: sqlite3.Connection, version_id: int, condition_id: int | None, code: Icd10Code
) -> None:
    db.execute(
        "INSERT INTO icd10 (version_id, condition_id, code, range_start, range_end, description,"
        " applies_to, page, line_start, line_end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            version_id,
            condition_id,
            code.code,
            code.start,
            code.end,
            code.description,
            json.dumps(sorted(code.applies_to)),
            *span_columns(code.span),
        ),
    )
