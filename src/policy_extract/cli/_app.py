"""The shared Typer application and the helpers every command uses to report and exit."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn, TypeVar

import typer

from ..errors import PolicyExtractError
from ..loaders.pdf_engines import DEFAULT_ENGINE, ENGINE_VARIABLE, PDF_ENGINES

if TYPE_CHECKING:
    from ..batch import Line

app = typer.Typer(
    name="policy-extract",
    help="Turn payer drug policies (PDF, Markdown, text) into validated, source-grounded JSON.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


_T = TypeVar("_T")
TIMEOUT_OPTION = typer.Option(min=0, help="Seconds allowed per document (0: no limit).")
PDF_ENGINE_OPTION = typer.Option(
    "--pdf-engine",
    metavar="|".join(PDF_ENGINES),
    help=f"How PDF characters are read (default: ${ENGINE_VARIABLE}, else {DEFAULT_ENGINE}).",
    show_default=False,
)


def _version(value: bool) -> None:
    if value:
        from .. import __version__

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


def fail(message: str, code: int = 1) -> NoReturn:
    """Print ``error: message`` on stderr and exit with ``code``."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(code)


def pdf_engine_of(option: str | None) -> str:
    """The PDF engine of ``--pdf-engine``, else of the environment: named once, in the parent,
    so worker processes and cluster workers read PDFs the same way."""
    from ..loaders.pdf_engines import resolve_engine

    try:
        return resolve_engine(option)
    except ValueError as exc:
        fail(str(exc), 2)


def within(timeout: float, path: Path, work: Callable[[], _T]) -> _T:
    """``work()`` under the --timeout of one document; running over is a PolicyExtractError."""
    from ..batch import DocumentTimeout, time_limit

    try:
        with time_limit(timeout or None):
            return work()
    except DocumentTimeout as exc:
        raise PolicyExtractError(path, exc.reason()) from None


def echo_lines(lines: list[Line]) -> None:
    """Print batch report lines, each on the stream it belongs to."""
    for line in lines:
        typer.echo(line.text, err=line.error_stream)
