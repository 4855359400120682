"""The command line. The only module that prints or exits; everything else raises or returns."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .errors import PolicyExtractError

if TYPE_CHECKING:
    from .diff import DiffFormat
    from .verify import VerifyReport

app = typer.Typer(
    name="policy-extract",
    help="Turn payer drug policies (PDF, Markdown, text) into validated, source-grounded JSON.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from . import __version__

        typer.echo(f"policy-extract {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Turn payer drug policies (PDF, Markdown, text) into validated, source-grounded JSON."""


def main() -> None:
    """Console-script entry point."""
    # pdfminer logs recoverable oddities of real PDFs as warnings; they are not the user's concern.
    logging.getLogger("pdfminer").setLevel(logging.ERROR)
    app()


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _parse_formats(formats: str) -> list[str]:
    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = sorted(set(wanted) - {"json", "md", "html"})
    if unknown:
        _fail(f"unknown --format {', '.join(unknown)}; choose from json, md, html", 2)
    return wanted


@app.command()
def convert(
    sources: Annotated[list[Path], typer.Argument(help="Policy files or folders (.pdf .md .txt).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the results.")] = Path(
        "output"
    ),
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: json, md, html.")
    ] = "json",
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0, help="Worker processes (0: one per core).")
    ] = 0,
    timeout: Annotated[
        float, typer.Option(min=0, help="Seconds allowed per document (0: no limit).")
    ] = 120.0,
    icd10_descriptions: Annotated[
        bool,
        typer.Option(
            "--icd10-descriptions", help="Add ICD-10-CM descriptions from the offline code set."
        ),
    ] = False,
    expand_icd_ranges: Annotated[
        bool,
        typer.Option(
            "--expand-icd-ranges", help="List each ICD-10 range's billable codes in 'expanded'."
        ),
    ] = False,
    strict: Annotated[bool, typer.Option("--strict", help="Treat warnings as failures.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only failures.")] = False,
) -> None:
    """Convert policies to OUTPUT/<name>.json (and summaries with --format json,md,html)."""
    from .batch import Options, collect_jobs, convert_many, write_atomically

    options = Options(
        formats=tuple(_parse_formats(formats)),
        icd10_descriptions=icd10_descriptions,
        expand_icd_ranges=expand_icd_ranges,
        timeout=timeout or None,
    )
    todo, problems = collect_jobs(sources, output)
    workers = jobs or os.cpu_count() or 1
    with _progress(len(todo), enabled=not quiet and sys.stderr.isatty()) as advance:
        results = convert_many(todo, options, workers=workers, on_done=advance)
    converted = with_warnings = 0
    for result in results:
        if result.error is None and strict and result.warnings:
            result.error = f"{result.job.source}: {result.warnings} warning(s) and --strict is on"
        if result.error is not None:
            problems.append(result.error)
            continue
        for suffix, text in result.outputs.items():
            write_atomically(result.job.target.with_name(result.job.target.name + suffix), text)
        converted += 1
        with_warnings += bool(result.warnings)
        if not quiet:
            note = f" ({result.warnings} warning(s))" if result.warnings else ""
            typer.echo(f"{result.job.source} -> {result.job.target}.json{note}")
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    if not quiet or problems:
        clean = converted - with_warnings
        typer.echo(
            f"{converted} converted ({clean} clean, {with_warnings} with warnings), "
            f"{len(problems)} failed",
            err=True,
        )
    if problems:
        raise typer.Exit(1)


@contextmanager
def _progress(total: int, *, enabled: bool) -> Iterator[Callable[[object], None]]:
    """A rich progress bar on a terminal; a no-op callback otherwise."""
    if not enabled or total < 2:
        yield lambda _result: None
        return
    from rich.progress import Progress

    with Progress(transient=True) as progress:
        task = progress.add_task("converting", total=total)
        yield lambda _result: progress.advance(task)


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
    from .batch import write_atomically
    from .render.jinja import TEMPLATES, render_template
    from .render.json import load_policy

    if template not in TEMPLATES:
        _fail(f"unknown --template {template!r}; choose from {', '.join(TEMPLATES)}", 2)
    try:
        text = render_template(load_policy(policy_json), template)
    except PolicyExtractError as exc:
        _fail(exc.one_line())
        return
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomically(output, text)


@app.command()
def diff(
    old: Annotated[Path, typer.Argument(help="The earlier version (.pdf .md .txt or .json).")],
    new: Annotated[Path, typer.Argument(help="The later version (.pdf .md .txt or .json).")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="md, html, json or changelog.")] = "md",
    output: Annotated[
        Path | None, typer.Option("-o", "--output", help="File to write (default: stdout).")
    ] = None,
) -> None:
    """Compare two versions of a policy: exit 0 when nothing changed, 1 when something did."""
    from .batch import write_atomically
    from .diff import diff_policies, load_for_diff, render_diff

    formats: dict[str, DiffFormat] = {"md": "md", "html": "html", "json": "json"}
    formats["changelog"] = "changelog"
    if fmt not in formats:
        _fail(f"unknown --format {fmt!r}; choose from {', '.join(formats)}", 2)
    try:
        result = diff_policies(load_for_diff(old), load_for_diff(new))
    except PolicyExtractError as exc:
        _fail(exc.one_line(), 2)
        return
    text = render_diff(result, formats[fmt])
    if output is None:
        sys.stdout.write(text)
    else:
        write_atomically(output, text)
    raise typer.Exit(1 if result.changes else 0)


@app.command()
def lint(
    sources: Annotated[list[Path], typer.Argument(help="Policy files or folders to check.")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="text or json.")] = "text",
    hcpcs_file: Annotated[
        Path | None,
        typer.Option(help="CMS HCPCS Level II release file, to check that codes exist."),
    ] = None,
) -> None:
    """Check policies for authors: code sets and consistency. Exit 1 on any error."""
    from .batch import collect_jobs
    from .lint import (
        icd10_release,
        lint_file,
        load_hcpcs_file,
        render_findings_json,
        render_findings_text,
    )

    if fmt not in ("text", "json"):
        _fail(f"unknown --format {fmt!r}; choose from text, json", 2)
    try:
        hcpcs_codes = load_hcpcs_file(hcpcs_file) if hcpcs_file else None
    except PolicyExtractError as exc:
        _fail(exc.one_line())
        return
    jobs, problems = collect_jobs(sources, Path("."))
    results = []
    for job in jobs:
        try:
            results.append((str(job.source), lint_file(job.source, hcpcs_codes=hcpcs_codes)))
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
) -> None:
    """Account for every body line of each source: exit 0 when all are in structured fields."""
    import json

    from .loaders import load_document
    from .pipeline import run_pipeline
    from .verify import verify_extraction

    failed = False
    reports = []
    for source in sources:
        try:
            report = verify_extraction(run_pipeline(load_document(source)))
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


def _verify_table(report: VerifyReport) -> str:
    lines = [f"{report.source}"]
    width = max((len(group) for group, _ in report.totals()), default=10)
    lines += [f"  {group:<{width}}  {count:>5}" for group, count in report.totals()]
    lines.append(f"  {'total body lines':<{width}}  {len(report.lines):>5}")
    for claim in report.problems:
        where = f"page {claim.page}, line {claim.line}" if claim.page else f"line {claim.line}"
        lines.append(f"  {claim.claim.upper()} {where}: {claim.text}")
    verdict = (
        "OK: every body line is accounted for"
        if report.ok
        else (f"FAIL: {len(report.problems)} line(s) unparsed or lost")
    )
    lines.append(f"  {verdict}")
    return "\n".join(lines)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the output (contract v1)."""
    from .render.json import policy_json_schema

    sys.stdout.write(policy_json_schema())
