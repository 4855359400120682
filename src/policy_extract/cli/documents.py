"""`render`, `diff`, `lint`, `verify` and `schema`: commands on one policy at a time."""

from __future__ import annotations

import sys
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import PolicyExtractError
from ._app import PDF_ENGINE_OPTION, TIMEOUT_OPTION, app, fail, pdf_engine_of, within

if TYPE_CHECKING:
    from ..diff import DiffFormat
    from ..verify import VerifyReport


@app.command()
def render(
    policy_json: Annotated[Path, typer.Argument(help="A policy JSON written by convert.")],
    template: Annotated[
        str, typer.Option("--template", "-t", help="summary.md, summary.html or policy.md.")
    ] = "summary.md",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """Render a converted policy through a template: a summary or the canonical policy.md."""
    from ..batch import write_atomically
    from ..render.jinja import TEMPLATES, render_template
    from ..render.json import load_policy

    if template not in TEMPLATES:
        fail(f"unknown --template {template!r}; choose from {', '.join(TEMPLATES)}", 2)
    try:
        text = render_template(load_policy(policy_json), template)
        if output is not None:
            write_atomically(output, text)
    except PolicyExtractError as exc:
        fail(exc.one_line())
    if output is None:
        sys.stdout.write(text)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier version (.pdf .md .txt or .json).")],
    new: Annotated[Path, typer.Argument(help="The later version (.pdf .md .txt or .json).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, html, json or changelog.")] = "md",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
    timeout: Annotated[float, TIMEOUT_OPTION] = 120.0,
    pdf_engine: Annotated[str | None, PDF_ENGINE_OPTION] = None,
) -> None:
    """Compare two versions of a policy: exit 0 when nothing changed, 1 when something did."""
    from ..batch import write_atomically
    from ..diff import diff_policies, load_for_diff, render_diff

    formats: dict[str, DiffFormat] = {"md": "md", "html": "html", "json": "json"}
    formats["changelog"] = "changelog"
    if fmt not in formats:
        fail(f"unknown --format {fmt!r}; choose from {', '.join(formats)}", 2)
    engine = pdf_engine_of(pdf_engine)
    try:
        before = within(timeout, old, lambda: load_for_diff(old, engine))
        after = within(timeout, new, lambda: load_for_diff(new, engine))
        result = within(timeout, new, lambda: diff_policies(before, after))
        text = render_diff(result, formats[fmt])
        if output is not None:
            write_atomically(output, text)
    except PolicyExtractError as exc:
        fail(exc.one_line(), 2)
    if output is None:
        sys.stdout.write(text)
    raise typer.Exit(1 if result.changes else 0)


@app.command()
def lint(
    sources: Annotated[list[Path], typer.Argument(help="Policy files or folders to check.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    hcpcs_file: Annotated[
        Path | None,
        typer.Option(help="CMS HCPCS Level II release file, to check that codes exist."),
    ] = None,
    timeout: Annotated[float, TIMEOUT_OPTION] = 120.0,
    pdf_engine: Annotated[str | None, PDF_ENGINE_OPTION] = None,
) -> None:
    """Check policies for authors: code sets and consistency. Exit 1 on any error."""
    from ..batch import collect_jobs
    from ..lint import (
        icd10_release,
        lint_file,
        load_hcpcs_file,
        render_findings_json,
        render_findings_text,
    )

    if fmt not in ("text", "json"):
        fail(f"unknown --format {fmt!r}; choose from text, json", 2)
    engine = pdf_engine_of(pdf_engine)
    try:
        hcpcs_codes = load_hcpcs_file(hcpcs_file) if hcpcs_file else None
    except PolicyExtractError as exc:
        fail(exc.one_line())
    found = collect_jobs(sources, Path("."))
    problems = found.problems
    results = []
    for job in found.jobs:
        try:
            check = partial(lint_file, job.source, hcpcs_codes=hcpcs_codes, pdf_engine=engine)
            findings = within(timeout, job.source, check)
            results.append((str(job.source), findings))
        except PolicyExtractError as exc:
            problems.append(exc.one_line())
    render = render_findings_json if fmt == "json" else render_findings_text
    sys.stdout.write(render(results, code_set=icd10_release()))
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    has_errors = any(f.severity == "error" for _, findings in results for f in findings)
    if problems or has_errors:
        raise typer.Exit(1)


@app.command()
def verify(
    sources: Annotated[list[Path], typer.Argument(help="Policy files to check (.pdf .md .txt).")],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a machine-readable report.")
    ] = False,
    timeout: Annotated[float, TIMEOUT_OPTION] = 120.0,
    pdf_engine: Annotated[str | None, PDF_ENGINE_OPTION] = None,
) -> None:
    """Account for every body line of each source: exit 0 when all are in structured fields."""
    import json

    engine = pdf_engine_of(pdf_engine)
    failed = False
    reports = []
    for source in sources:
        try:
            report = within(timeout, source, partial(_verify_file, source, engine))
        except PolicyExtractError as exc:
            typer.echo(f"error: {exc.one_line()}", err=True)
            failed = True
            continue
        failed = failed or not report.ok
        if as_json:
            reports.append(
                {
                    "source": report.source,
                    "ok": report.ok,
                    "totals": dict(report.totals()),
                    "structured_lines": report.structured_lines,
                    "outline_only_lines": report.outline_only_lines,
                    "problems": [
                        {"line": c.line, "page": c.page, "claim": c.claim, "text": c.text}
                        for c in report.problems
                    ],
                }
            )
        else:
            typer.echo(_verify_table(report))
    if as_json:
        typer.echo(json.dumps(reports, indent=2))
    if failed:
        raise typer.Exit(1)


def _verify_file(source: Path, pdf_engine: str) -> VerifyReport:
    from ..loaders import load_document
    from ..pipeline import run_pipeline
    from ..verify import verify_extraction

    return verify_extraction(run_pipeline(load_document(source, pdf_engine)))


def _verify_table(report: VerifyReport) -> str:
    lines = [f"{report.source}"]
    width = max((len(group) for group, _ in report.totals()), default=10)
    lines += [f"  {group:<{width}}  {count:>5}" for group, count in report.totals()]
    lines.append(f"  {'total body lines':<{width}}  {len(report.lines):>5}")
    lines.append(
        f"  {report.structured_lines} in structured fields, "
        f"{report.outline_only_lines} only in the outline"
    )
    for claim in report.problems:
        where = f"page {claim.page}, line {claim.line}" if claim.page else f"line {claim.line}"
        lines.append(f"  {claim.claim.upper()} {where}: {claim.text}")
    verdict = (
        "OK: every body line is accounted for"
        + (" (some only in the outline: not structured)" if report.outline_only_lines else "")
        if report.ok
        else (f"FAIL: {len(report.problems)} line(s) unparsed or lost")
    )
    lines.append(f"  {verdict}")
    return "\n".join(lines)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the output (contract v1.1)."""
    from ..render.json import policy_json_schema

    sys.stdout.write(policy_json_schema())
