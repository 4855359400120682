"""The command line. The only package that prints or exits; everything else raises or returns.

Each module registers its commands on the one Typer ``app`` of ``_app``: ``convert`` (batches),
``documents`` (render, diff, lint, verify, schema), ``fhir`` (fhir, evaluate),
``library`` (index), ``library_views`` (coverage, compare, changes, serve).
"""

from __future__ import annotations

import logging
import sys

import typer

from . import convert, documents, fhir, library, library_views
from ._app import app

__all__ = ["app", "main"]

_COMMAND_MODULES = (
    convert,
    documents,
    fhir,
    library,
    library_views,
)  # imported for the commands they register


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
