"""The pipeline: a loaded Document -> furniture removed -> profile -> a validated Policy."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from .blocks import MAX_LIST_DEPTH, Block, Document, Furniture
from .errors import ParseError
from .furniture import remove_page_furniture
from .loaders import load_document
from .model import Policy, Source, Warning
from .outline import too_deep_items
from .profiles import choose_profile, generic

__all__ = ["Extraction", "extract", "extract_document", "run_pipeline"]


@dataclass(slots=True)
class Extraction:
    """Everything one run of the pipeline knows: the Policy and what ``verify`` needs besides."""

    document: Document
    policy: Policy
    furniture: list[Furniture]
    is_structure: Callable[[Block], bool]


def extract(path: str | Path, pdf_engine: str | None = None) -> Policy:
    """Read a policy file (.pdf, .md, .txt) into a Policy; raise PolicyExtractError if it can't.

    ``pdf_engine`` names a PDF's character source (``pdfminer`` or ``pdfium``; default: the
    ``POLICY_EXTRACT_PDF_ENGINE`` environment variable, else the default engine).
    """
    return run_pipeline(load_document(Path(path), pdf_engine)).policy


def extract_document(document: Document) -> Policy:
    """Turn a loaded Document into a Policy, choosing the profile by the document's template."""
    return run_pipeline(document).policy


def run_pipeline(
    document: Document, disabled_profiles: Collection[str] | None = None
) -> Extraction:
    """Choose the profile, remove furniture, read the Policy and stamp its ``source``.

    ``disabled_profiles`` switches template profiles off by name (default: from the
    ``POLICY_EXTRACT_DISABLE_PROFILES`` environment variable).
    """
    blocks = document.blocks
    if not blocks or not generic.looks_like_policy(blocks):
        raise ParseError(
            document.path, "not a drug policy (no policy, coverage or drug wording found)"
        )
    profile, evidence = choose_profile(blocks, disabled_profiles)
    content, removed = remove_page_furniture(
        blocks, profile.find_title(blocks), profile.footer_patterns
    )
    furniture = _in_reading_order([*document.furniture, *removed])
    policy, findings = profile.read_policy(content, furniture)
    policy.source = Source(
        path=document.path,
        format=document.format,
        sha256=document.sha256,
        pages=document.pages,
        furniture=sorted({item.text for item in furniture}),
        profile=profile.name,
        profile_evidence=list(evidence.evidence),
    )
    policy.warnings = [*_loader_warnings(document, content), *findings.warnings]
    policy.unparsed = findings.unparsed
    return Extraction(document, policy, furniture, profile.is_structure)


def _loader_warnings(document: Document, content: Sequence[Block]) -> list[Warning]:
    """What the loader reported, and lists nested deeper than the trees go (kept, one level up)."""
    warnings = [Warning(code=n.code, message=n.message, span=n.span) for n in document.notices]
    too_deep = too_deep_items(content)
    if too_deep:
        message = (
            f"{len(too_deep)} list item(s) nested deeper than {MAX_LIST_DEPTH} levels, from "
            f"{too_deep[0].span.describe()}: kept, as siblings at level {MAX_LIST_DEPTH}"
        )
        warnings.append(Warning(code="list-too-deep", message=message, span=too_deep[0].span))
    return warnings


def _in_reading_order(furniture: Sequence[Furniture]) -> list[Furniture]:
    return sorted(furniture, key=lambda f: (f.span.page or 0, f.span.line_start or 0))
