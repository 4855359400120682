"""The pypdfium2 character source (placeholder until the engine lands)."""

from __future__ import annotations

from collections.abc import Iterator

from ._pdf_chars import PageChars

__all__ = ["read_pdfium_pages"]


def read_pdfium_pages(data: bytes) -> Iterator[PageChars]:
    raise NotImplementedError("the pdfium engine is not built yet")
