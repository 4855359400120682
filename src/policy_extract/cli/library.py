"""`index`: policies (documents or our JSON) into the SQLite policy library."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from ..errors import PolicyExtractError
from ._app import PDF_ENGINE_OPTION, TIMEOUT_OPTION, app, fail, pdf_engine_of


@app.command()
def index(
    sources: Annotated[
        list[Path] | None,
        typer.Argument(help="Policy files or folders (.pdf .md .txt, or .json from convert)."),
    ] = None,
    db: Annotated[Path, typer.Option("--db", help="The library database (created if new).")] = Path(
        "library.sqlite"
    ),
    jobs: Annotated[
        int, typer.Option("--jobs", "-j", min=0, help="Worker processes (0: one per core).")
    ] = 0,
    timeout: Annotated[float, TIMEOUT_OPTION] = 120.0,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Recreate the database from its stored JSON first.")
    ] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print only failures.")] = False,
    pdf_engine: Annotated[str | None, PDF_ENGINE_OPTION] = None,
) -> None:
    """Index policies into DB: one transaction per document; unchanged files are skipped."""
    from ..batch import Options, choose_engine
    from ..library import open_library, rebuild_library
    from ..library.sources import find_sources, index_sources

    if not sources and not rebuild:
        fail("nothing to index: give policy files or folders, or --rebuild", 2)
    engine_name = pdf_engine_of(pdf_engine)
    try:
        if rebuild:
            count = rebuild_library(db)
            typer.echo(f"rebuilt {db} from {count} stored version(s)", err=quiet)
        connection = open_library(db)
    except PolicyExtractError as exc:
        fail(exc.one_line())
    found = find_sources(sources or [], db.parent / ".policy-extract-index")
    failed = 0
    for problem in found.problems:
        typer.echo(f"error: {problem}", err=True)
        failed += 1
    counts = {"added": 0, "unchanged": 0}
    workers = jobs or os.cpu_count() or 1
    engine = choose_engine(len(found.jobs), workers, caller_reads_outputs=True)
    options = Options(timeout=timeout or None, pdf_engine=engine_name)
    try:
        for result in index_sources(connection, found, engine, options):
            if result.error is not None:
                failed += 1
                typer.echo(f"error: {result.error}", err=True)
                continue
            counts[result.outcome] += 1
            if not quiet:
                typer.echo(f"{result.label}: {result.outcome}")
    finally:
        connection.close()
    summary = f"{counts['added']} indexed, {counts['unchanged']} unchanged, {failed} failed"
    if not quiet or failed:
        typer.echo(f"{summary}; library in {db}", err=failed > 0)
    if failed:
        raise typer.Exit(1)
