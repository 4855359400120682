"""The generic profile: any payer's policy in a template no other profile knows.

It fills what it can find anywhere (title, references, review dates) and keeps the whole document
in ``outline`` so nothing of an unknown layout is lost.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

from ..blocks import Block, Cell, Furniture
from ..model import Drug, Hcpcs, Policy, Reference
from ..outline import Section, build_sections
from ..phrases import parse_hcpcs_line
from ._common import (
    Findings,
    find_urls,
    flatten_node_text,
    node_span,
    outline_from_sections,
    parse_drug_names,
)
from ._drug_names import drug_from_document, trademarked_brands
from ._fields import read_front_matter
from ._payers import find_payer
from ._products import link_hcpcs_to_products, listed_products
from ._title import read_title
from .base import Match, Profile
from .reader import read_coverage
from .reader.plain_headings import plain_text_headings

__all__ = [
    "FOOTER_PATTERNS",
    "NAME",
    "PROFILE",
    "find_title",
    "is_structure",
    "looks_like_policy",
    "read_base_policy",
    "read_policy",
]

NAME = "generic"
FOOTER_PATTERNS: tuple[re.Pattern[str], ...] = ()
_POLICY_WORDS = re.compile(
    r"\b(?:polic(?:y|ies)|coverage|covered|medical(?:ly)?\s+necess|criteria|prior\s+auth"
    r"|hcpcs|icd-?10|dosing|dose|drug|formulary|benefit|indication)",
    re.IGNORECASE,
)
_REFERENCES = re.compile(r"^\s*(?:references?|bibliography|citations)\s*:?\s*$", re.IGNORECASE)
_REVIEW_DATE = re.compile(
    r"\b(?:last\s+(?:annual\s+)?review(?:ed)?(?:\s+date)?|review\s+date|revised|last\s+revised)"
    r"\s*+(?:date)?[\s:|]*+(?P<date>\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d{2}-\d{2}|[1-4]Q\d{4}"
    r"|[A-Z][a-z]+\.?\s+\d{1,2},\s+\d{4})",
    re.IGNORECASE,
)


def looks_like_policy(blocks: Sequence[Block]) -> bool:
    """At least three different policy words appear: a novel or a README is not a policy."""
    text = " ".join(block.full_text for block in blocks[:400])
    found: set[str] = set()
    for match in _POLICY_WORDS.finditer(text):
        found.add(match.group(0).lower()[:6])
        if len(found) >= 3:
            return True
    return False


def read_policy(blocks: Sequence[Block], furniture: Sequence[Furniture]) -> tuple[Policy, Findings]:
    """The template-free reading: the base Policy, then indications, criteria and durations
    found from layout and language alone (``reader``)."""
    blocks = plain_text_headings(blocks)
    policy, findings = read_base_policy(blocks, furniture)
    read_coverage(policy, blocks, findings)
    findings.warn(
        "template-not-recognised",
        "the document is not in a known template; its content is kept in 'outline'",
    )
    return policy, findings


def read_base_policy(
    blocks: Sequence[Block], furniture: Sequence[Furniture]
) -> tuple[Policy, Findings]:
    """What every template shares: the full outline, title, drug names, references, HCPCS
    codes, review date, payer and front matter. Template profiles start from this."""
    findings = Findings()
    sections = build_sections(blocks)
    policy = Policy(outline=outline_from_sections(sections))
    policy.title = read_title(blocks, furniture)
    if policy.title and "(" in policy.title and not _NAME_LIST.search(policy.title):
        policy.drug = parse_drug_names(policy.title)  # "Dupixent (dupilumab)"
    policy.references = _references(sections)
    policy.drug_details.hcpcs = _hcpcs_codes(blocks)
    if policy.drug.generic_name is None:
        policy.drug = drug_from_document(policy.title, blocks, policy.drug_details.hcpcs)
    policy.products = listed_products(blocks)
    link_hcpcs_to_products(policy.products, policy.drug_details.hcpcs)
    if policy.drug.generic_name is None and policy.products:  # a multi-drug policy: its first
        first = policy.products[0]
        policy.drug = Drug(generic_name=first.generic_name, brand_names=list(first.brand_names))
    if policy.drug.generic_name is not None:
        brands = policy.drug.brand_names
        marked = trademarked_brands(policy.title, blocks, policy.drug.generic_name)
        known = {name.lower() for name in brands}
        brands.extend(name for name in marked if name.lower() not in known)
    policy.review_history.last_annual_review = _review_date(blocks)
    payer = find_payer(blocks, furniture)
    if payer is not None:
        policy.payer, policy.spans["payer"] = payer
    read_front_matter(policy, blocks, furniture=furniture)
    return policy, findings


# A title that lists names ("Denosumab: Aukelso; Bildyos; ... (Subcutaneous)") is not one
# "Brand (generic)" pair: the drug is then read from the text.
_NAME_LIST = re.compile(r"[:;]")


def find_title(blocks: Sequence[Block]) -> str | None:
    """The first heading: its later copies are running headers. Plain text has no headings:
    there, the first line."""
    first = next((b.full_text for b in blocks if b.kind == "heading"), None)
    if first is None and blocks and blocks[0].kind == "paragraph":
        return blocks[0].full_text
    return first


def is_structure(block: Block) -> bool:
    """Every heading is kept in the outline, so it is structure."""
    return block.kind == "heading"


def _references(sections: Sequence[Section]) -> list[Reference]:
    """Entries of a References section. Where the entries are numbered, only numbered nodes are
    references: a section without a heading of its own (a policy-history table, a copyright
    notice) often runs on after the list, and stays in the outline."""
    references: list[Reference] = []
    for section in sections:
        if section.heading is None or not _REFERENCES.match(section.heading.full_text):
            continue
        numbered = any((node.label or "").isdigit() for node in section.nodes)
        for node in section.nodes:
            label = node.label
            if numbered and not (label or "").isdigit():
                continue
            urls = find_urls(node.block)
            references.append(
                Reference(
                    number=int(label) if label and label.isdigit() else None,
                    text=flatten_node_text(node),
                    url=urls[0] if urls else None,
                    span=node_span([node]),
                )
            )
    return references


_HCPCS_ROW = re.compile(r"^[A-Z]\d{4}\b")
_CODE_ONLY = re.compile(r"^[A-Z]\d{4}$")
_DESCRIPTION_HEADER = re.compile(r"\bdescription\b", re.IGNORECASE)


def _hcpcs_codes(blocks: Sequence[Block]) -> list[Hcpcs]:
    """HCPCS Level II codes from coding tables: rows whose first cell starts with one (a ruled
    table's rows, or row paragraphs of unruled text), first mention kept.

    The description is the rest of the code's own cell, else the row's cell under a header
    cell naming a description, else the next cell; ``text`` keeps the whole row."""
    codes: dict[str, Hcpcs] = {}
    for block in blocks:
        for text, cells, description_at in _coding_rows(block):
            if not _HCPCS_ROW.match(text) or all(_CODE_ONLY.match(c.text) for c in cells):
                continue  # not a coding row, or a header row naming codes (a code grid)
            code = parse_hcpcs_line(cells[0].text)
            if code is None or code.code in codes:
                continue
            description = code.description or _description_cell(cells, description_at)
            span = cells[0].span if block.kind == "table" else block.span
            codes[code.code] = Hcpcs(code=code.code, description=description, text=text, span=span)
    return list(codes.values())


def _coding_rows(block: Block) -> Iterator[tuple[str, list[Cell], tuple[float, float] | None]]:
    """(row text, cells, the x extent of a "Description" header cell) for each row of a block."""
    if block.rows is None:
        cells = [Cell(text, block.span) for text in block.full_text.split(" | ")]
        yield block.full_text, cells, None
        return
    description_at = None
    for row in block.rows:
        header = next((c for c in row if _DESCRIPTION_HEADER.search(c.text)), None)
        if header is not None and header.span.bbox is not None:
            description_at = (header.span.bbox[0], header.span.bbox[2])
        cells = [cell for cell in row if cell.text]
        if cells:
            yield " | ".join(cell.text for cell in cells), cells, description_at


def _description_cell(cells: list[Cell], under: tuple[float, float] | None) -> str | None:
    """The cell under the description header (most horizontal overlap), else the next cell."""
    if under is not None:
        best, overlap = None, 0.0
        for cell in cells[1:]:
            if cell.span.bbox is not None:
                x0, _, x1, _ = cell.span.bbox
                shared = min(x1, under[1]) - max(x0, under[0])
                if shared > overlap:
                    best, overlap = cell, shared
        if best is not None:
            return best.text
    return cells[1].text if len(cells) > 1 else None


def _review_date(blocks: Sequence[Block]) -> str | None:
    for block in blocks:
        match = _REVIEW_DATE.search(block.full_text)
        if match:
            return match.group("date")
    return None


def match(blocks: Sequence[Block]) -> Match:
    """Any policy: the reader of last resort, chosen when no template profile matches."""
    return Match(0.0, ("no template profile matched",))


PROFILE = Profile(NAME, match, find_title, read_policy, is_structure, FOOTER_PATTERNS)
