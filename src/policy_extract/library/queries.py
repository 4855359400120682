"""Questions asked of the library: who covers a drug, and how plans compare for it.

Each query reads the current version of every policy (``current_versions``) and returns plain
data classes; ``views`` renders them. Order is deterministic: payer, policy number, title.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field

from .normalize import drug_key
from .store import LibraryError

__all__ = [
    "CompareCell",
    "Comparison",
    "Coverage",
    "CoverageRow",
    "IndicationRow",
    "Plan",
    "SourceRef",
    "compare_drug",
    "coverage_of",
    "looks_like_hcpcs",
]

_HCPCS = re.compile(r"^[A-Za-z]\d{4}$")


@dataclass(frozen=True, slots=True)
class SourceRef:
    """Where a fact is printed: the source file, its page (PDF) and lines."""

    path: str
    page: int | None = None
    line_start: int | None = None
    line_end: int | None = None

    def label(self) -> str:
        """``file p. 3 l. 10-12``: the place a reader opens."""
        parts = [self.path]
        if self.page is not None:
            parts.append(f"p. {self.page}")
        if self.line_start is not None:
            end = self.line_end if self.line_end not in (None, self.line_start) else None
            parts.append(f"l. {self.line_start}" + (f"-{end}" if end else ""))
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class Plan:
    """One policy's current version: a column of a comparison, a row of coverage."""

    version_id: int
    payer: str
    policy_number: str
    title: str
    effective_date: str
    source_path: str

    def heading(self) -> str:
        """``Cigna 1234``: payer and policy number, as a column heading."""
        return " ".join(part for part in (self.payer or "(no payer)", self.policy_number) if part)


@dataclass(frozen=True, slots=True)
class IndicationRow:
    """A covered indication of one policy, linked to its source."""

    name: str
    key: str
    source: SourceRef


@dataclass(frozen=True, slots=True)
class ProductRow:
    """A drug list's row for the drug: its name, codes and the list's other columns."""

    name: str
    hcpcs: list[str]
    flags: dict[str, str]
    source: SourceRef

    def describe(self) -> str:
        """``Remicade J1745: coverage level Preferred Specialty``."""
        codes = " ".join(self.hcpcs)
        flags = "; ".join(f"{key.replace('_', ' ')} {value}" for key, value in self.flags.items())
        return f"{self.name} {codes}".strip() + (f": {flags}" if flags else "")


@dataclass(frozen=True, slots=True)
class CoverageRow:
    """One plan covering the drug, with its indications (and, for a drug list, its rows)."""

    plan: Plan
    indications: list[IndicationRow]
    products: list[ProductRow] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Coverage:
    """``coverage``: every current policy covering ``query``."""

    query: str
    matched_by: str  # 'drug' | 'hcpcs'
    rows: list[CoverageRow]


@dataclass(frozen=True, slots=True)
class CompareCell:
    """One indication under one plan."""

    prior_authorization: bool | None
    initial: str
    continuation: str
    step_therapy: list[str]
    places_of_service: list[str]
    source: SourceRef
    criteria: list[str] = field(default_factory=list)  # indented lines, with --indication


@dataclass(frozen=True, slots=True)
class Comparison:
    """``compare``: indications (by key) x plans."""

    drug: str
    plans: list[Plan]
    # (row, a name as written), sorted: a row is an indication key, "key (2)" for a plan's
    # second listing of it
    indications: list[tuple[str, str]]
    cells: dict[tuple[str, int], CompareCell]  # (row, version id) -> cell
    indication: str | None = None  # the --indication key, when criteria are shown


def looks_like_hcpcs(text: str) -> bool:
    """A letter and four digits (``J1745``)."""
    return bool(_HCPCS.match(text.strip()))


_PLAN_COLUMNS = (
    "v.id, COALESCE(p.payer, ''), COALESCE(p.policy_number, ''), COALESCE(v.title, ''), "
    "COALESCE(v.effective_date, ''), v.source_path"
)


def _plans(connection: sqlite3.Connection, query: str) -> tuple[str, list[Plan]]:
    if looks_like_hcpcs(query):
        sql = f"SELECT DISTINCT {_PLAN_COLUMNS} FROM current_versions v JOIN policies p "
        sql += "ON p.id = v.policy_id JOIN hcpcs h ON h.version_id = v.id WHERE h.code = ?"
        rows = connection.execute(sql, (query.strip().upper(),)).fetchall()
        return "hcpcs", sorted((Plan(*row) for row in rows), key=_plan_order)
    key = drug_key(query)
    sql = f"SELECT DISTINCT {_PLAN_COLUMNS} FROM current_versions v JOIN policies p "
    sql += "ON p.id = v.policy_id WHERE p.drug_key = :key "
    sql += "OR v.id IN (SELECT version_id FROM drug_names WHERE drug_key = :key) "
    sql += "OR v.id IN (SELECT version_id FROM products WHERE drug_key = :key)"
    rows = connection.execute(sql, {"key": key}).fetchall()
    return "drug", sorted((Plan(*row) for row in rows), key=_plan_order)


def _plan_order(plan: Plan) -> tuple[str, str, str, int]:
    return (plan.payer.casefold(), plan.policy_number, plan.title.casefold(), plan.version_id)


def _run(connection: sqlite3.Connection, db: str, query: str) -> tuple[str, list[Plan]]:
    try:
        return _plans(connection, query)
    except sqlite3.DatabaseError as exc:
        raise LibraryError(db, f"cannot query the library ({exc})") from None


def coverage_of(connection: sqlite3.Connection, db: str, query: str) -> Coverage:
    """Every current policy covering ``query`` (a drug name, or an HCPCS code)."""
    matched_by, plans = _run(connection, db, query)
    rows = []
    for plan in plans:
        found = connection.execute(
            "SELECT name, indication_key, page, line_start, line_end FROM conditions "
            "WHERE version_id = ? ORDER BY ordinal",
            (plan.version_id,),
        ).fetchall()
        indications = [
            IndicationRow(name, key, SourceRef(plan.source_path, page, start, end))
            for name, key, page, start, end in found
        ]
        rows.append(CoverageRow(plan, indications, _listed_rows(connection, plan, query)))
    return Coverage(query, matched_by, rows)


def _listed_rows(connection: sqlite3.Connection, plan: Plan, query: str) -> list[ProductRow]:
    """The plan's drug-list rows (products with columns of their own) for the drug or code."""
    sql = "SELECT p.id, p.name, p.flags, p.page, p.line_start, p.line_end FROM products p "
    if looks_like_hcpcs(query):
        sql += "WHERE p.version_id = ? AND p.id IN (SELECT product_id FROM hcpcs WHERE code = ?)"
        wanted = query.strip().upper()
    else:
        sql += "WHERE p.version_id = ? AND p.drug_key = ?"
        wanted = drug_key(query)
    rows = []
    for product_id, name, flags, page, start, end in connection.execute(
        sql + " AND p.flags != '{}' ORDER BY p.ordinal", (plan.version_id, wanted)
    ).fetchall():
        codes = connection.execute(
            "SELECT code FROM hcpcs WHERE product_id = ? ORDER BY code", (product_id,)
        ).fetchall()
        source = SourceRef(plan.source_path, page, start, end)
        rows.append(ProductRow(name, [c for (c,) in codes], json.loads(flags), source))
    return rows


def compare_drug(
    connection: sqlite3.Connection, db: str, drug: str, indication: str | None = None
) -> Comparison:
    """The drug's indications x plans; with ``indication``, only it, with its criteria trees."""
    from .indications import indication_key

    _, plans = _run(connection, db, drug)
    wanted = indication_key(indication) if indication else None
    names: dict[str, str] = {}
    cells: dict[tuple[str, int], CompareCell] = {}
    for plan in plans:
        places = _places_of_service(connection, plan.version_id)
        repeats: Counter[str] = Counter()
        for condition in _conditions(connection, plan.version_id):
            key = condition[1]
            if wanted and key != wanted:
                continue
            # a plan listing an indication twice (adults, children) gets a row per listing
            repeats[key] += 1
            row = key if repeats[key] == 1 else f"{key} ({repeats[key]})"
            names.setdefault(row, condition[2])
            cells[(row, plan.version_id)] = _cell(connection, plan, condition, places, wanted)
    used = {version for _, version in cells}
    return Comparison(
        drug=drug,
        plans=[plan for plan in plans if plan.version_id in used],
        indications=sorted(names.items()),
        cells=cells,
        indication=wanted,
    )


def _conditions(connection: sqlite3.Connection, version_id: int) -> list[tuple]:  # type: ignore[type-arg]
    return connection.execute(
        "SELECT id, indication_key, name, prior_authorization, initial_duration_value, "
        "initial_duration_unit, continuation_duration_value, continuation_duration_unit, "
        "page, line_start, line_end FROM conditions WHERE version_id = ? ORDER BY ordinal",
        (version_id,),
    ).fetchall()


def _cell(
    connection: sqlite3.Connection,
    plan: Plan,
    condition: tuple,  # type: ignore[type-arg]
    places: list[str],
    wanted: str | None,
) -> CompareCell:
    condition_id, _, _, prior, i_value, i_unit, c_value, c_unit, page, start, end = condition
    steps = connection.execute(
        "SELECT DISTINCT drug_key FROM step_therapy WHERE condition_id = ? ORDER BY drug_key",
        (condition_id,),
    ).fetchall()
    return CompareCell(
        prior_authorization=None if prior is None else bool(prior),
        initial=_duration(i_value, i_unit),
        continuation=_duration(c_value, c_unit),
        step_therapy=[row[0] for row in steps],
        places_of_service=places,
        source=SourceRef(plan.source_path, page, start, end),
        criteria=_criteria_lines(connection, condition_id) if wanted else [],
    )


_UNITS = {"h": "hour", "d": "day", "wk": "week", "mo": "month", "a": "year"}


def _duration(value: float | None, unit: str | None) -> str:
    if value is None:
        return ""
    number = int(value) if float(value).is_integer() else value
    word = _UNITS.get(unit or "", unit or "")
    return f"{number} {word}{'' if number == 1 else 's'}".strip()


def _places_of_service(connection: sqlite3.Connection, version_id: int) -> list[str]:
    (text,) = connection.execute("SELECT json FROM versions WHERE id = ?", (version_id,)).fetchone()
    places = json.loads(text).get("places_of_service") or []
    return sorted({str(place) for place in places})


def _criteria_lines(connection: sqlite3.Connection, condition_id: int) -> list[str]:
    rows = connection.execute(
        "SELECT id, parent_id, phase, depth, label, text FROM criteria WHERE condition_id = ? "
        "ORDER BY phase DESC, id",
        (condition_id,),
    ).fetchall()
    lines: list[str] = []
    phase_seen = ""
    for _, _, phase, depth, label, text in rows:
        if phase != phase_seen:
            lines.append(f"[{phase}]")
            phase_seen = phase
        lines.append("  " * depth + (f"{label} " if label else "") + text)
    return lines
