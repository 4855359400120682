"""The command line. The only module that prints or exits; everything else raises or returns."""

from __future__ import annotations

import logging
import os
import signal
import sys
from collections.abc import Callable
from contextlib import closing
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from .errors import PolicyExtractError

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from .batch import BatchReport, Engine, Job, Line, Options
    from .diff import DiffFormat
    from .verify import VerifyReport

app = typer.Typer(
    name="policy-extract",
    help="Turn payer drug policies (PDF, Markdown, text) into validated, source-grounded JSON.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


_T = TypeVar("_T")
_TIMEOUT = typer.Option(min=0, help="Seconds allowed per document (0: no limit).")


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
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug of ours: one line the user can report, not a traceback
        typer.echo(
            f"error: internal error ({type(exc).__name__}: {exc}); please report it", err=True
        )
        sys.exit(70)


def _fail(message: str, code: int = 1) -> NoReturn:
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def _within(timeout: float, path: Path, work: Callable[[], _T]) -> _T:
    """``work()`` under the --timeout of one document; running over is a PolicyExtractError."""
    from .batch import DocumentTimeout, time_limit

    try:
        with time_limit(timeout or None):
            return work()
    except DocumentTimeout as exc:
        raise PolicyExtractError(path, exc.reason()) from None


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
    timeout: Annotated[float, _TIMEOUT] = 120.0,
    max_memory: Annotated[
        int, typer.Option(min=0, help="Memory allowed per worker, in MB (0: no limit).")
    ] = 2048,
    max_size: Annotated[
        int, typer.Option(min=0, help="Largest input file read, in MB (0: no limit).")
    ] = 200,
    exclude: Annotated[
        list[str] | None,
        typer.Option(help="Skip files and folders matching this glob (repeatable)."),
    ] = None,
    skip_existing: Annotated[
        bool, typer.Option("--skip-existing", help="Skip sources whose outputs already exist.")
    ] = False,
    follow_symlinks: Annotated[
        bool, typer.Option("--follow-symlinks", help="Read symbolic links found in folders.")
    ] = False,
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
    cluster: Annotated[
        str | None,
        typer.Option(
            help="Run on a Dask cluster: tcp://scheduler:8786, or 'local' (needs the dask extra)."
        ),
    ] = None,
    write_on_workers: Annotated[
        bool,
        typer.Option(
            "--write-on-workers", help="With --cluster: workers write to OUTPUT (a shared path)."
        ),
    ] = False,
) -> None:
    """Convert policies to OUTPUT/<name>.json (and summaries with --format json,md,html)."""
    from .batch import (
        BatchReport,
        Line,
        Options,
        Selection,
        choose_engine,
        collect_jobs,
        output_paths,
        prepare_output_folder,
    )

    if write_on_workers and not cluster:
        _fail("--write-on-workers needs --cluster", 2)
    mb = 1024 * 1024
    options = Options(
        formats=tuple(_parse_formats(formats)),
        icd10_descriptions=icd10_descriptions,
        expand_icd_ranges=expand_icd_ranges,
        timeout=timeout or None,
        max_memory=max_memory * mb or None,
        max_size=max_size * mb or None,
        strict=strict,
    )
    try:
        prepare_output_folder(output)
    except PolicyExtractError as exc:
        _fail(exc.one_line())
    found = collect_jobs(sources, output, Selection(tuple(exclude or ()), follow_symlinks))
    todo = [
        job
        for job in found.jobs
        if not (skip_existing and all(p.exists() for p in output_paths(job, options.formats)))
    ]
    report = BatchReport(todo, output, quiet=quiet)
    _echo([report.fail(problem) for problem in found.problems])
    _echo([] if quiet else [Line(f"note: {note}") for note in found.notes])
    engine = choose_engine(
        len(todo), jobs or os.cpu_count() or 1, cluster, write_on_workers=write_on_workers
    )
    interrupted = _run_batch(engine, todo, options, report)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut
    _echo(report.finish(skipped=len(found.jobs) - len(todo), interrupted=interrupted))
    signal.signal(signal.SIGINT, previous)
    if interrupted:
        raise typer.Exit(130)
    if report.failed:
        raise typer.Exit(1)


def _echo(lines: list[Line]) -> None:
    for line in lines:
        typer.echo(line.text, err=line.error_stream)


def _run_batch(engine: Engine, todo: list[Job], options: Options, report: BatchReport) -> bool:
    """Convert and write each job as it finishes; True when Ctrl-C cut the batch short."""
    from .batch import write_outputs

    with _ProgressBar(len(todo), enabled=not report.quiet and sys.stderr.isatty()) as bar:
        stream = engine.results(todo, options, on_start=bar.start)
        try:
            with closing(stream):
                for result in stream:
                    _echo(report.add(write_outputs(result)))
                    bar.done(report.failed)
        except KeyboardInterrupt:
            return True
        except PolicyExtractError as exc:  # the engine itself failed (a cluster out of reach)
            _fail(exc.one_line())
    return False


class _ProgressBar:
    """Files done of total, failures so far and the file being converted, on a terminal only."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled and total > 1
        self.progress: Progress | None = None
        self.task: TaskID | None = None

    def __enter__(self) -> _ProgressBar:
        if self.enabled:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

            self.progress = Progress(
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[failed]} failed"),
                TextColumn("{task.description}"),
                console=Console(stderr=True),
                transient=True,
            )
            self.progress.start()
            self.task = self.progress.add_task("", total=self.total, failed=0)
        return self

    def __exit__(self, *exc_info: object) -> None:
        if self.progress is not None:
            self.progress.stop()

    def start(self, job: Job) -> None:
        if self.progress is not None and self.task is not None:
            label = job.label if len(job.label) <= 50 else "..." + job.label[-47:]
            self.progress.update(self.task, description=label)

    def done(self, failed: int) -> None:
        if self.progress is not None and self.task is not None:
            self.progress.update(self.task, advance=1, failed=failed)


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
        if output is not None:
            write_atomically(output, text)
    except PolicyExtractError as exc:
        _fail(exc.one_line())
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
    timeout: Annotated[float, _TIMEOUT] = 120.0,
) -> None:
    """Compare two versions of a policy: exit 0 when nothing changed, 1 when something did."""
    from .batch import write_atomically
    from .diff import diff_policies, load_for_diff, render_diff

    formats: dict[str, DiffFormat] = {"md": "md", "html": "html", "json": "json"}
    formats["changelog"] = "changelog"
    if fmt not in formats:
        _fail(f"unknown --format {fmt!r}; choose from {', '.join(formats)}", 2)
    try:
        before = _within(timeout, old, lambda: load_for_diff(old))
        after = _within(timeout, new, lambda: load_for_diff(new))
        result = _within(timeout, new, lambda: diff_policies(before, after))
        text = render_diff(result, formats[fmt])
        if output is not None:
            write_atomically(output, text)
    except PolicyExtractError as exc:
        _fail(exc.one_line(), 2)
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
    timeout: Annotated[float, _TIMEOUT] = 120.0,
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
    found = collect_jobs(sources, Path("."))
    problems = found.problems
    results = []
    for job in found.jobs:
        try:
            check = partial(lint_file, job.source, hcpcs_codes=hcpcs_codes)
            findings = _within(timeout, job.source, check)
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
    timeout: Annotated[float, _TIMEOUT] = 120.0,
) -> None:
    """Account for every body line of each source: exit 0 when all are in structured fields."""
    import json

    failed = False
    reports = []
    for source in sources:
        try:
            report = _within(timeout, source, partial(_verify_file, source))
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


def _verify_file(source: Path) -> VerifyReport:
    from .loaders import load_document
    from .pipeline import run_pipeline
    from .verify import verify_extraction

    return verify_extraction(run_pipeline(load_document(source)))


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
    from .render.json import policy_json_schema

    sys.stdout.write(policy_json_schema())
