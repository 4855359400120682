"""Rendering the library's answers (``queries``) as md, html, csv or json; deterministic.

HTML is one self-contained page (inline style, no scripts), rendered by Jinja with autoescape.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any, Literal

from .changes import ChangeReport
from .queries import CompareCell, Comparison, Coverage

__all__ = ["ViewFormat", "render_changes", "render_comparison", "render_coverage"]

ViewFormat = Literal["md", "html", "csv", "json"]

_STYLE = (
    "body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse}"
    "td,th{border:1px solid #999;padding:.3em .5em;vertical-align:top;text-align:left}"
    "th{background:#eee}.src{color:#555;font-size:.85em}pre{margin:0;white-space:pre-wrap}"
)

_COVERAGE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>{{ style }}</style></head><body>
<h1>{{ title }}</h1>
<table><tr><th>Payer</th><th>Policy</th><th>Effective</th><th>Indications</th><th>Source</th></tr>
{% for row in rows %}<tr><td>{{ row.plan.payer }}</td>
<td>{{ row.plan.policy_number }} {{ row.plan.title }}</td><td>{{ row.plan.effective_date }}</td>
<td><ul>{% for ind in row.indications %}<li>{{ ind.name }}
<span class="src">({{ ind.source.label() }})</span></li>{% endfor %}
{% for product in row.products %}<li>{{ product.describe() }}
<span class="src">({{ product.source.label() }})</span></li>{% endfor %}</ul></td>
<td class="src">{{ row.plan.source_path }}</td></tr>
{% endfor %}</table></body></html>
"""

_COMPARE_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<style>{{ style }}</style></head><body>
<h1>{{ title }}</h1>
<table><tr><th>Indication</th>{% for plan in plans %}<th>{{ plan.heading() }}<br>
<span class="src">{{ plan.title }} ({{ plan.effective_date }})</span></th>{% endfor %}</tr>
{% for key, name in indications %}<tr><th>{{ name }}</th>
{% for plan in plans %}<td>{% set cell = cells.get((key, plan.version_id)) %}
{% if cell %}{% for label, value in describe(cell) %}<b>{{ label }}</b>: {{ value }}<br>{% endfor %}
{% if cell.criteria %}<pre>{{ cell.criteria | join("\n") }}</pre>{% endif %}
<span class="src">{{ cell.source.label() }}</span>{% else %}not listed{% endif %}</td>
{% endfor %}</tr>
{% endfor %}</table></body></html>
"""


def _html(template: str, **values: Any) -> str:
    from jinja2 import Environment, StrictUndefined

    environment = Environment(
        autoescape=True, undefined=StrictUndefined, keep_trailing_newline=True
    )
    return environment.from_string(template).render(style=_STYLE, **values)


def _yes_no(value: bool | None) -> str:
    return "unknown" if value is None else ("required" if value else "not required")


def describe(cell: CompareCell) -> list[tuple[str, str]]:
    """The labelled facts of one cell, in a fixed order."""
    return [
        ("Prior authorization", _yes_no(cell.prior_authorization)),
        ("Initial", cell.initial or "-"),
        ("Continuation", cell.continuation or "-"),
        ("Step therapy", ", ".join(cell.step_therapy) or "-"),
        ("Places of service", ", ".join(cell.places_of_service) or "-"),
    ]


def _indented(line: str) -> str:
    body = line.lstrip(" ")
    return "\u00a0" * (len(line) - len(body)) + body


def _md_cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _csv(header: list[str], rows: list[list[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _coverage_records(coverage: Coverage) -> list[dict[str, Any]]:
    return [
        {
            "payer": row.plan.payer,
            "policy_number": row.plan.policy_number,
            "title": row.plan.title,
            "effective_date": row.plan.effective_date,
            "source": row.plan.source_path,
            "indications": [
                {"name": i.name, "key": i.key, "source": i.source.label()} for i in row.indications
            ],
            "listed": [
                {"name": p.name, "hcpcs": p.hcpcs, "flags": p.flags, "source": p.source.label()}
                for p in row.products
            ],
        }
        for row in coverage.rows
    ]


def render_coverage(coverage: Coverage, fmt: ViewFormat) -> str:
    """``coverage`` in ``fmt``."""
    title = f"Coverage of {coverage.query}"
    records = _coverage_records(coverage)
    if fmt == "json":
        payload = {"query": coverage.query, "matched_by": coverage.matched_by, "plans": records}
        return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
    if fmt == "html":
        return _html(_COVERAGE_HTML, title=title, rows=coverage.rows)
    if fmt == "csv":
        plan = ("payer", "policy_number", "title", "effective_date")
        bare = {"name": "", "source": ""}  # a plan with neither: one row naming its source
        rows = [
            [*(r[k] for k in plan), i["name"], i["source"] or r["source"], ""]
            for r in records
            for i in r["indications"] or ([] if r["listed"] else [bare])
        ]
        rows += [
            [*(r[k] for k in plan), "", product.source.label(), product.describe()]
            for r, row in zip(records, coverage.rows, strict=True)
            for product in row.products
        ]
        header = [*plan, "indication", "source", "listed_as"]
        return _csv(header, rows)
    lines = [f"# {title}", "", "| Payer | Policy | Effective | Indications |", "|---|---|---|---|"]
    for r, row in zip(records, coverage.rows, strict=True):
        names = "<br>".join(
            [f"{i['name']} ({i['source']})" for i in r["indications"]]
            + [f"{p.describe()} ({p.source.label()})" for p in row.products]
        )
        policy = f"{r['policy_number']} {r['title']}".strip()
        cells = [r["payer"], policy, r["effective_date"], names or f"({r['source']})"]
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


def _comparison_records(comparison: Comparison) -> list[dict[str, Any]]:
    records = []
    for key, name in comparison.indications:
        for plan in comparison.plans:
            cell = comparison.cells.get((key, plan.version_id))
            if cell is None:
                continue
            record: dict[str, Any] = {"indication_key": key, "indication": name}
            record |= {"plan": plan.heading(), "title": plan.title}
            record |= {label: value for label, value in describe(cell)}
            record["source"] = cell.source.label()
            if comparison.indication:
                record["criteria"] = cell.criteria
            records.append(record)
    return records


def render_comparison(comparison: Comparison, fmt: ViewFormat) -> str:
    """``comparison`` in ``fmt``: one row per indication, one column per plan."""
    title = f"Compare {comparison.drug}"
    if fmt == "html":
        return _html(
            _COMPARE_HTML,
            title=title,
            plans=comparison.plans,
            indications=comparison.indications,
            cells=comparison.cells,
            describe=describe,
        )
    records = _comparison_records(comparison)
    if fmt == "json":
        return json.dumps({"drug": comparison.drug, "cells": records}, indent=2) + "\n"
    if fmt == "csv":
        header = [k for k in records[0] if k != "criteria"] if records else ["indication"]
        rows = [[str(r[k]) for k in header] for r in records]
        return _csv(header, rows)
    return _comparison_md(comparison, title)


def _comparison_md(comparison: Comparison, title: str) -> str:
    headings = [plan.heading() for plan in comparison.plans]
    lines = [f"# {title}", "", "| Indication | " + " | ".join(headings) + " |"]
    lines.append("|---" * (len(headings) + 1) + "|")
    for key, name in comparison.indications:
        cells = [name]
        for plan in comparison.plans:
            cell = comparison.cells.get((key, plan.version_id))
            if cell is None:
                cells.append("not listed")
                continue
            facts = [f"{label}: {value}" for label, value in describe(cell)]
            facts += [_indented(line) for line in cell.criteria]
            cells.append("\n".join([*facts, f"({cell.source.label()})"]))
        lines.append("| " + " | ".join(_md_cell(c) for c in cells) + " |")
    return "\n".join(lines) + "\n"


_CHANGES_HTML = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Policy changes</title>
<style>{{ style }}</style></head><body>
<h1>Policy changes</h1>
<p>{{ rows | selectattr("status", "equalto", "new") | list | length }} new,
{{ rows | selectattr("status", "equalto", "retired") | list | length }} retired,
{{ rows | selectattr("status", "equalto", "revised") | list | length }} revised,
{{ unchanged }} unchanged</p>
<table><tr><th>Status</th><th>Policy</th><th>Effective</th><th>Changes</th><th>Top changes</th>
<th>Source</th></tr>
{% for row in rows %}<tr><td>{{ row.status }}</td><td>{{ row.policy }}</td>
<td>{{ row.old_effective_date ~ " → " if row.old_effective_date }}{{ row.effective_date }}</td>
<td>{% for impact, count in row.counts.items() %}{{ count }} {{ impact }}<br>{% endfor %}</td>
<td><ul>{% for change in row.top %}<li>[{{ change.impact }}] {{ change.summary }}</li>{% endfor %}
</ul></td><td class="src">{{ row.source }}</td></tr>
{% endfor %}</table></body></html>
"""


def _change_records(report: ChangeReport) -> list[dict[str, Any]]:
    """One record per new, retired or revised policy, in the report's order."""
    records: list[dict[str, Any]] = []
    for status, entries in (("new", report.new), ("retired", report.retired)):
        records += [
            {
                "status": status,
                "policy": e.label,
                "old_effective_date": "",
                "effective_date": e.effective_date,
                "counts": {},
                "top": [],
                "source": e.source,
            }
            for e in entries
        ]
    for item in report.revised:
        records.append(
            {
                "status": "revised",
                "policy": item.new.label,
                "old_effective_date": item.old.effective_date,
                "effective_date": item.new.effective_date,
                "counts": dict(item.counts),
                "top": [
                    {"impact": c.impact, "path": c.path, "summary": c.summary} for c in item.top
                ],
                "source": f"{item.old.source} -> {item.new.source}",
            }
        )
    return records


def render_changes(report: ChangeReport, fmt: ViewFormat = "md") -> str:
    """The change report in ``fmt``: new, retired, then revised policies with their top
    changes, newest first."""
    if fmt == "md":
        return _changes_md(report)
    records = _change_records(report)
    if fmt == "json":
        return json.dumps({"changes": records, "unchanged": report.unchanged}, indent=2) + "\n"
    if fmt == "html":
        return _html(_CHANGES_HTML, rows=records, unchanged=report.unchanged)
    impacts = ["narrows", "broadens", "editorial", "unclassified"]
    header = ["status", "policy", "old_effective_date", "effective_date", *impacts, "source"]
    rows = [
        [str(r[key]) for key in header[:4]]
        + [str(r["counts"].get(impact, "")) for impact in impacts]
        + [r["source"]]
        for r in records
    ]
    return _csv(header, rows)


def _changes_md(report: ChangeReport) -> str:
    lines = ["# Policy changes", ""]
    lines.append(
        f"{len(report.new)} new, {len(report.retired)} retired, {len(report.revised)} revised, "
        f"{report.unchanged} unchanged"
    )
    for heading, entries in (("New", report.new), ("Retired", report.retired)):
        if entries:
            lines += ["", f"## {heading}", ""]
            lines += [f"- {e.label} ({e.effective_date or 'no date'}): {e.source}" for e in entries]
    if report.revised:
        lines += ["", "## Revised"]
    for item in report.revised:
        dates = f"{item.old.effective_date or '?'} -> {item.new.effective_date or '?'}"
        counts = ", ".join(f"{count} {impact}" for impact, count in item.counts.items())
        lines += [
            "",
            f"### {item.new.label} ({dates})",
            "",
            f"{item.old.source} -> {item.new.source}",
        ]
        lines += ["", f"Changes: {counts}", ""]
        lines += [f"- [{change.impact}] {change.summary}" for change in item.top]
    return "\n".join(lines) + "\n"
