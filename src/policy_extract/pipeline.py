"""The pipeline: a loaded Document -> furniture removed -> profile -> a validated Policy."""

from __future__ import annotations

from pathlib import Path

from .blocks import Document
from .errors import ParseError
from .furniture import remove_page_furniture
from .loaders import load_document
from .model import Policy, Source
from .profiles import bsc, generic

__all__ = ["extract", "extract_document"]


def extract(path: str | Path) -> Policy:
    """Read a policy file (.pdf, .md, .txt) into a Policy; raise PolicyExtractError if it can't."""
    return extract_document(load_document(Path(path)))


def extract_document(document: Document) -> Policy:
    """Turn a loaded Document into a Policy, choosing the profile by the document's template."""
    blocks = document.blocks
    if not blocks or not generic.looks_like_policy(blocks):
        raise ParseError(
            document.path, "not a drug policy (no policy, coverage or drug wording found)"
        )
    if bsc.matches(blocks):
        profile_name = bsc.NAME
        content, furniture = remove_page_furniture(
            blocks, bsc.find_title(blocks), bsc.FOOTER_PATTERNS
        )
        policy, findings = bsc.read_policy(content, [*document.furniture, *furniture])
    else:
        profile_name = generic.NAME
        content, furniture = remove_page_furniture(blocks, generic_title(blocks))
        policy, findings = generic.read_policy(content, [*document.furniture, *furniture])
    all_furniture = sorted(
        [*document.furniture, *furniture],
        key=lambda f: (f.span.page or 0, f.span.line_start or 0),
    )
    policy.source = Source(
        path=document.path,
        format=document.format,
        sha256=document.sha256,
        pages=document.pages,
        furniture=sorted({f.text for f in all_furniture}),
        profile=profile_name,
    )
    policy.warnings = findings.warnings
    policy.unparsed = findings.unparsed
    return policy


def generic_title(blocks: list) -> str | None:  # type: ignore[type-arg]
    for block in blocks:
        if block.kind == "heading":
            return str(block.full_text)
    return None
