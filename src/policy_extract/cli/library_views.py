"""`coverage`, `compare`, `changes`, `serve`: the policy library queried and browsed."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, TypeVar, cast

import typer

from ..errors import PolicyExtractError
from ._app import app, fail

if TYPE_CHECKING:
    from ..library.views import ViewFormat

DB_OPTION = typer.Option("--db", help="The library database (from 'policy-extract index').")
FORMAT_OPTION = typer.Option("--format", "-f", help="md | html | csv | json.")
OUTPUT_OPTION = typer.Option("--output", "-o", help="Write to FILE instead of stdout.")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_T = TypeVar("_T")


def open_existing(db: Path) -> sqlite3.Connection:
    """The library at ``db``, never created: a missing or foreign file is a one-line error."""
    from ..library import open_library

    try:
        return open_library(db, create=False)
    except PolicyExtractError as exc:
        fail(exc.one_line())


def write_output(text: str, output: Path | None) -> None:
    """``text`` to ``output`` (whole or not at all), else stdout."""
    if output is None:
        typer.echo(text, nl=False)
        return
    partial = output.with_name(output.name + ".partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(output)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        fail(f"{output}: cannot write: {exc.strerror or exc}")


def _check_format(fmt: str) -> ViewFormat:
    if fmt not in ("md", "html", "csv", "json"):
        fail(f"unknown format {fmt!r}: choose md, html, csv or json", 2)
    return cast("ViewFormat", fmt)


def _ask(db: Path, question: Callable[[sqlite3.Connection], _T]) -> _T:
    """``question`` asked of the library at ``db``; a library error is one line."""
    connection = open_existing(db)
    try:
        return question(connection)
    except PolicyExtractError as exc:
        fail(exc.one_line())
    finally:
        connection.close()


@app.command()
def coverage(
    drug_or_hcpcs: Annotated[str, typer.Argument(help="A drug name, or an HCPCS code (J1745).")],
    db: Annotated[Path, DB_OPTION] = Path("library.sqlite"),
    fmt: Annotated[str, FORMAT_OPTION] = "md",
    output: Annotated[Path | None, OUTPUT_OPTION] = None,
) -> None:
    """Every plan whose current policy covers the drug, with its indications (a drug list: its
    rows for the drug, with their columns) and sources."""
    from ..library.queries import coverage_of
    from ..library.views import render_coverage

    view = _check_format(fmt)
    found = _ask(db, lambda connection: coverage_of(connection, str(db), drug_or_hcpcs))
    if not found.rows:
        fail(f"{db}: no current policy covers {drug_or_hcpcs!r}")
    write_output(render_coverage(found, view), output)


@app.command()
def compare(
    drug: Annotated[str, typer.Argument(help="A drug name (brand or generic) or HCPCS code.")],
    db: Annotated[Path, DB_OPTION] = Path("library.sqlite"),
    indication: Annotated[
        str | None,
        typer.Option("--indication", help="Show this indication's criteria side by side."),
    ] = None,
    fmt: Annotated[str, FORMAT_OPTION] = "md",
    output: Annotated[Path | None, OUTPUT_OPTION] = None,
) -> None:
    """Indications x plans: prior authorization, durations, step therapy, places of service."""
    from ..library.queries import compare_drug
    from ..library.views import render_comparison

    view = _check_format(fmt)
    found = _ask(db, lambda connection: compare_drug(connection, str(db), drug, indication))
    if not found.plans:
        what = f"{drug!r} for {indication!r}" if indication else repr(drug)
        fail(f"{db}: no current policy covers {what}")
    write_output(render_comparison(found, view), output)


@app.command()
def changes(
    old_dir: Annotated[
        Path | None, typer.Argument(help="Folder of the old policies (documents or JSON).")
    ] = None,
    new_dir: Annotated[Path | None, typer.Argument(help="Folder of the new policies.")] = None,
    db: Annotated[Path | None, typer.Option("--db", help="Compare versions in a library.")] = None,
    since: Annotated[
        str | None, typer.Option("--since", help="With --db: versions effective on or after.")
    ] = None,
    fmt: Annotated[str, FORMAT_OPTION] = "md",
    output: Annotated[Path | None, OUTPUT_OPTION] = None,
) -> None:
    """New, retired and revised policies: OLD_DIR NEW_DIR, or --db DB --since YYYY-MM-DD."""
    from ..library.changes import changes_between_folders, changes_since
    from ..library.views import render_changes

    view = _check_format(fmt)
    if db is not None:
        if since is None or not _ISO_DATE.match(since) or old_dir or new_dir:
            fail("with --db give --since YYYY-MM-DD and no folders", 2)
        report = _ask(db, lambda connection: changes_since(connection, str(db), since))
    elif old_dir is None or new_dir is None:
        fail("give OLD_DIR NEW_DIR, or --db DB --since YYYY-MM-DD", 2)
    else:
        try:
            report = changes_between_folders(old_dir, new_dir)
        except PolicyExtractError as exc:
            fail(exc.one_line())
    write_output(render_changes(report, view), output)


@app.command()
def serve(
    db: Annotated[Path, DB_OPTION] = Path("library.sqlite"),
    host: Annotated[str, typer.Option("--host", help="Address to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="Port.")] = 8001,
) -> None:
    """Browse the library in Datasette (facets, canned queries); needs the 'serve' extra."""
    from ..library.serve import datasette_metadata

    open_existing(db).close()
    try:
        import uvicorn
        from datasette.app import Datasette
    except ImportError:
        fail("serve needs Datasette: pip install 'policy-extract[serve]'")
    metadata = datasette_metadata(db.stem)
    datasette = Datasette([str(db)], metadata=metadata, immutables=[])
    typer.echo(f"serving {db} on http://{host}:{port}/", err=True)
    uvicorn.run(datasette.app(), host=host, port=port, log_level="warning")
