"""The command line. The only module that prints or exits; everything else raises or returns."""

from __future__ import annotations

import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from .errors import PolicyExtractError

if TYPE_CHECKING:
    from .verify import VerifyReport

app = typer.Typer(
    name="policy-extract",
    help="Turn payer drug policies (PDF, Markdown, text) into validated, source-grounded JSON.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

SUFFIXES = (".pdf", ".md", ".markdown", ".txt")


def main() -> None:
    """Console-script entry point."""
    app()


def _fail(message: str, code: int = 1) -> None:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


@dataclass(frozen=True)
class _Job:
    source: Path
    output_stem: Path  # output path without suffix, relative to the output folder


def collect_inputs(sources: list[Path]) -> tuple[list[_Job], list[str]]:
    """Files to convert (folders searched recursively, sorted) and one problem line per bad SRC."""
    jobs: list[_Job] = []
    problems: list[str] = []
    for source in sources:
        if source.is_dir():
            found = sorted(p for p in _walk(source, problems) if p.suffix.lower() in SUFFIXES)
            if not found:
                problems.append(f"{source}: folder has no .pdf, .md or .txt files")
            jobs.extend(_Job(p, p.relative_to(source).with_suffix("")) for p in found)
        elif source.exists():
            jobs.append(_Job(source, Path(source.stem)))
        else:
            problems.append(f"{source}: no such file or folder")
    return jobs, problems


def _walk(folder: Path, problems: list[str]) -> list[Path]:
    files: list[Path] = []

    def on_error(error: OSError) -> None:
        problems.append(f"{error.filename}: cannot read folder: {error.strerror}")

    for root, _dirs, names in os.walk(folder, onerror=on_error, followlinks=False):
        files.extend(Path(root) / name for name in names)
    return files


def write_atomically(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a reader never sees a partial file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="\n") as stream:
            stream.write(text)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _render_outputs(source: Path, formats: list[str]) -> tuple[dict[str, str], int]:
    """Every requested rendering of one source, keyed by output suffix; and its warning count."""
    from .pipeline import extract
    from .render.json import policy_to_json

    policy = extract(source)
    outputs = {".json": policy_to_json(policy)}
    if "md" in formats or "html" in formats:
        from .render.jinja import render_template

        if "md" in formats:
            outputs[".summary.md"] = render_template(policy, "summary.md")
        if "html" in formats:
            outputs[".summary.html"] = render_template(policy, "summary.html")
    return outputs, len(policy.warnings)


@app.command()
def convert(
    sources: Annotated[list[Path], typer.Argument(help="Policy files or folders (.pdf .md .txt).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the results.")] = Path(
        "output"
    ),
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: json, md, html.")
    ] = "json",
    strict: Annotated[bool, typer.Option(help="Treat warnings as failures.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only failures.")] = False,
) -> None:
    """Convert policies to DIR/<name>.json (and summaries with --format md,html)."""
    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = sorted(set(wanted) - {"json", "md", "html"})
    if unknown:
        _fail(f"unknown --format {', '.join(unknown)}; choose from json, md, html", 2)
    jobs, problems = collect_inputs(sources)
    converted = with_warnings = 0
    seen: dict[Path, Path] = {}
    for job in jobs:
        target = output / job.output_stem
        if target in seen:
            problems.append(f"{job.source}: output name collides with {seen[target]}; rename one")
            continue
        seen[target] = job.source
        try:
            outputs, warning_count = _render_outputs(job.source, wanted)
        except PolicyExtractError as exc:
            problems.append(exc.one_line())
            continue
        if strict and warning_count:
            problems.append(f"{job.source}: {warning_count} warning(s) and --strict is on")
            continue
        for suffix, text in outputs.items():
            write_atomically(target.with_name(target.name + suffix), text)
        converted += 1
        with_warnings += bool(warning_count)
        if not quiet:
            note = f" ({warning_count} warning(s))" if warning_count else ""
            typer.echo(f"{job.source} -> {target}.json{note}")
    for problem in problems:
        typer.echo(f"error: {problem}", err=True)
    if not quiet or problems:
        typer.echo(
            f"{converted} converted ({with_warnings} with warnings), {len(problems)} failed",
            err=True,
        )
    if problems:
        raise typer.Exit(1)


@app.command()
def schema() -> None:
    """Print the JSON Schema of the output (contract v1)."""
    from .render.json import policy_json_schema

    sys.stdout.write(policy_json_schema())


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
