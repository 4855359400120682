"""Loaders: one per input format, each ``load_X(path) -> Document`` with the same Block stream."""

from __future__ import annotations

import hashlib
from pathlib import Path

from ..blocks import Document
from ..errors import LoadError
from ._files import (
    DEFAULT_MAX_INPUT_BYTES,
    decode_text,
    input_size_limit,
    provided_source,
    read_source_bytes,
)

__all__ = [
    "DEFAULT_MAX_INPUT_BYTES",
    "SUPPORTED_SUFFIXES",
    "input_size_limit",
    "load_document",
    "provided_source",
    "read_source_bytes",
    "read_text_file",
]

SUPPORTED_SUFFIXES = {".pdf": "pdf", ".md": "markdown", ".markdown": "markdown", ".txt": "text"}


def load_document(path: Path, pdf_engine: str | None = None) -> Document:
    """Load ``path`` with the loader its suffix names; raise LoadError with the reason if not.

    ``pdf_engine`` chooses a PDF's character source (``pdf_engines``; default: the environment
    variable, else the default engine); other formats ignore it.
    """
    kind = SUPPORTED_SUFFIXES.get(path.suffix.lower())
    if kind is None:
        raise LoadError(
            path, f"unsupported file type {path.suffix or '(none)'!r}; use .pdf, .md or .txt"
        )
    if kind == "pdf":
        from .pdf import load_pdf  # pdfplumber is heavy: import only when a PDF comes

        document: Document = load_pdf(path, pdf_engine)
        return document
    text, digest = read_text_file(path)
    if kind == "markdown":
        from .markdown import parse_markdown

        return parse_markdown(text, path=str(path), sha256=digest)
    from .text import parse_text

    return parse_text(text, path=str(path), sha256=digest)


def read_text_file(path: Path) -> tuple[str, str]:
    """The file's text (UTF-8, or UTF-16/32 with a byte-order mark) and the sha256 of its bytes."""
    data = read_source_bytes(path)
    text = decode_text(path, data)
    return text.replace("\r\n", "\n").replace("\r", "\n"), hashlib.sha256(data).hexdigest()
