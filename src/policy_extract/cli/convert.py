"""`convert`: a batch of policies to JSON (and summaries), on the local pool or a Dask cluster."""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import PolicyExtractError
from ._app import PDF_ENGINE_OPTION, TIMEOUT_OPTION, app, echo_lines, fail, pdf_engine_of

if TYPE_CHECKING:
    from rich.progress import Progress, TaskID

    from ..batch import BatchReport, ConversionResult, Engine, Job, Options


def _parse_formats(formats: str) -> list[str]:
    wanted = [f.strip().lower() for f in formats.split(",") if f.strip()]
    unknown = sorted(set(wanted) - {"json", "md", "html", "fhir"})
    if unknown:
        fail(f"unknown --format {', '.join(unknown)}; choose from json, md, html, fhir", 2)
    if "fhir" in wanted:
        from ..fhir.export import FHIR_EXTRA_MISSING, fhir_extra_installed

        if not fhir_extra_installed():
            fail(f"--format fhir: {FHIR_EXTRA_MISSING}", 2)
    return wanted


@app.command()
def convert(
    sources: Annotated[list[Path], typer.Argument(help="Policy files or folders (.pdf .md .txt).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Folder for the results.")] = Path(
        "output"
    ),
    formats: Annotated[
        str, typer.Option("--format", help="Comma-separated: json, md, html, fhir.")
    ] = "json",
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0, help="Worker processes (0: one per core).")
    ] = 0,
    timeout: Annotated[float, TIMEOUT_OPTION] = 120.0,
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
    pdf_engine: Annotated[str | None, PDF_ENGINE_OPTION] = None,
) -> None:
    """Convert policies to OUTPUT/<name>.json (summaries, FHIR with --format json,md,html,fhir)."""
    from ..batch import (
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
        fail("--write-on-workers needs --cluster", 2)
    mb = 1024 * 1024
    options = Options(
        formats=tuple(_parse_formats(formats)),
        icd10_descriptions=icd10_descriptions,
        expand_icd_ranges=expand_icd_ranges,
        timeout=timeout or None,
        max_memory=max_memory * mb or None,
        max_size=max_size * mb or None,
        strict=strict,
        pdf_engine=pdf_engine_of(pdf_engine),
    )
    try:
        prepare_output_folder(output)
    except PolicyExtractError as exc:
        fail(exc.one_line())
    found = collect_jobs(sources, output, Selection(tuple(exclude or ()), follow_symlinks))
    todo = [
        job
        for job in found.jobs
        if not (skip_existing and all(p.exists() for p in output_paths(job, options.formats)))
    ]
    report = BatchReport(todo, output, quiet=quiet)
    echo_lines([report.fail(problem) for problem in found.problems])
    echo_lines([] if quiet else [Line(f"note: {note}") for note in found.notes])
    engine = choose_engine(
        len(todo), jobs or os.cpu_count() or 1, cluster, write_on_workers=write_on_workers
    )
    interrupted = _run_batch(engine, todo, options, report)
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut
    echo_lines(report.finish(skipped=len(found.jobs) - len(todo), interrupted=interrupted))
    signal.signal(signal.SIGINT, previous)
    if interrupted:
        raise typer.Exit(130)
    if report.failed:
        raise typer.Exit(1)


def _run_batch(engine: Engine, todo: list[Job], options: Options, report: BatchReport) -> bool:
    """Convert and write each job as it finishes; True when Ctrl-C cut the batch short."""
    from ..batch import consume_results, write_outputs

    with _ProgressBar(len(todo), enabled=not report.quiet and sys.stderr.isatty()) as bar:

        def handle(result: ConversionResult) -> None:
            echo_lines(report.add(write_outputs(result)))
            bar.done(report.failed)

        try:
            return consume_results(engine.results(todo, options, on_start=bar.start), handle)
        except PolicyExtractError as exc:  # the engine itself failed (a cluster out of reach)
            fail(exc.one_line())
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
