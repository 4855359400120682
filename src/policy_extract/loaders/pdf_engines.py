"""The PDF character engines a user can choose, named without importing the PDF libraries.

``pdfminer`` reads characters through pdfminer (pdfplumber's own reader, the lean path of
``_pdf_chars``); ``pdfium`` through pypdfium2 (``_pdf_pdfium``). The choice comes from the caller
(``--pdf-engine``), else the ``POLICY_EXTRACT_PDF_ENGINE`` environment variable, else
``DEFAULT_ENGINE``.
"""

from __future__ import annotations

import os

__all__ = ["DEFAULT_ENGINE", "ENGINE_VARIABLE", "PDF_ENGINES", "resolve_engine"]

PDF_ENGINES = ("pdfium", "pdfminer")
DEFAULT_ENGINE = "pdfium"
ENGINE_VARIABLE = "POLICY_EXTRACT_PDF_ENGINE"


def resolve_engine(engine: str | None = None) -> str:
    """The engine asked for, else ``POLICY_EXTRACT_PDF_ENGINE``, else the default.

    Raise ``ValueError`` with a one-line reason naming where an unknown name came from.
    """
    asked = (engine or "").strip().lower()
    chosen = asked or os.environ.get(ENGINE_VARIABLE, "").strip().lower() or DEFAULT_ENGINE
    if chosen not in PDF_ENGINES:
        origin = "" if asked else f" (from {ENGINE_VARIABLE})"
        raise ValueError(f"unknown PDF engine {chosen!r}{origin}; use {' or '.join(PDF_ENGINES)}")
    return chosen
