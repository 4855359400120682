"""The UnitedHealthcare Commercial Medical Benefit Drug Policy template.

Page 1 opens "UnitedHealthcare® Commercial" / "Medical Benefit Drug Policy" / the policy title,
then "Policy Number: 2026D0017AN" and "Effective Date: January 1, 2026", a two-column table of
contents beside a sidebar of related policies, and the "Coverage Rationale" (general and
diagnosis-specific requirements, unproven lists). "Applicable Codes" holds the HCPCS table and
the diagnosis-code table. The reader starts from the generic reader (so the whole document is in
``outline``) and overlays the template's fields; see ``uhc_coverage``, ``uhc_codes`` and
``uhc_layout``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..blocks import Block, Furniture
from ..model import Drug, Policy, Product, Statement
from ._common import Findings, parse_drug_names
from ._fields import find_icd10_codes
from ._products import find_product, link_hcpcs_to_products
from .base import NO_MATCH, Match, Profile
from .generic import read_base_policy as read_generic
from .uhc_codes import read_diagnosis_table, read_products
from .uhc_coverage import ProductConditions, read_rationale
from .uhc_layout import split_sidebar

__all__ = ["NAME", "PROFILE", "find_title", "is_structure", "match", "read_policy"]

NAME = "uhc"
_PAYER = re.compile(r"\bunited\s*healthcare\b", re.IGNORECASE)
_POLICY_TYPE = re.compile(r"^\s*medical\s+benefit\s+drug\s+policy\s*$", re.IGNORECASE)
_POLICY_NUMBER = re.compile(r"\bpolicy\s+number\s*:?\s*\d{4}[A-Z]\d{4}[A-Z]{0,3}\b", re.IGNORECASE)
_FIELD = re.compile(r"^\s*(?:policy\s+number|effective\s+date)\b", re.IGNORECASE)
_RATIONALE = re.compile(r"^\s*coverage\s+rationale\s*$", re.IGNORECASE)
_CODES = re.compile(r"^\s*applicable\s+codes\s*$", re.IGNORECASE)
# Sections after the Coverage Rationale; the first one ends it.
_AFTER_RATIONALE = re.compile(
    r"^\s*(?:applicable\s+codes|background|benefit\s+considerations|clinical\s+evidence"
    r"|definitions|references|policy\s+history)\b",
    re.IGNORECASE,
)
_SIGNATURE = (
    ("payer", _PAYER),
    ("policy type", _POLICY_TYPE),
    ("policy number", _POLICY_NUMBER),
    ("section", _RATIONALE),
    ("section", _CODES),
)


def match(blocks: Sequence[Block]) -> Match:
    """UnitedHealthcare named on page 1 and at least three of the template's marks: the
    "Medical Benefit Drug Policy" line, a "Policy Number: 2026D0017AN"-style number, the
    "Coverage Rationale" and "Applicable Codes" headings."""
    if not any(_PAYER.search(b.full_text) for b in blocks if (b.span.page or 1) == 1):
        return NO_MATCH  # the payer is required: the other marks need not be looked for
    found: dict[str, str] = {}
    for block in blocks:
        text = block.full_text
        for kind, pattern in _SIGNATURE:
            if pattern.pattern in found:
                continue
            if kind == "payer" and (block.span.page or 1) > 1:
                continue
            hit = (
                pattern.search(text) if kind in ("payer", "policy number") else pattern.match(text)
            )
            if hit:
                found[pattern.pattern] = f"{kind} {hit.group(0).strip()!r}"
    if _PAYER.pattern not in found or len(found) < 4:
        return NO_MATCH
    return Match(len(found) / len(_SIGNATURE), tuple(found.values()))


def find_title(blocks: Sequence[Block]) -> str | None:
    """The line after "Medical Benefit Drug Policy" (the lines before it name the payer)."""
    title = _title_block(blocks)
    return title.full_text.strip() if title is not None else None


def _title_block(blocks: Sequence[Block]) -> Block | None:
    for index, block in enumerate(blocks[:10]):
        if _POLICY_TYPE.match(block.full_text) and index + 1 < len(blocks):
            following = blocks[index + 1]
            # A labelled field ("Policy Number:") there: the title line was taken as furniture.
            return None if following.label or _FIELD.match(following.full_text) else following
    return None


def is_structure(block: Block) -> bool:
    return block.kind == "heading"


def read_policy(blocks: Sequence[Block], furniture: Sequence[Furniture]) -> tuple[Policy, Findings]:
    """The generic reading (whole outline, front matter, payer), overlaid with the template's
    fields."""
    body, sidebar = split_sidebar(blocks)
    ordered = _sidebar_after_contents(body, sidebar)
    policy, generic_findings = read_generic(ordered, furniture)
    findings = Findings(
        warnings=[w for w in generic_findings.warnings if w.code != "template-not-recognised"],
        unparsed=generic_findings.unparsed,
    )
    _read_title(policy, body, furniture)
    policy.products = read_products(body)
    link_hcpcs_to_products(policy.products, policy.drug_details.hcpcs)
    _read_coverage(policy, body, findings)
    _read_codes(policy, body, findings)
    if policy.products and (policy.drug.generic_name is None or not policy.drug.brand_names):
        first = policy.products[0]
        policy.drug = Drug(generic_name=first.generic_name, brand_names=list(first.brand_names))
    return policy, findings


def _sidebar_after_contents(body: list[Block], sidebar: list[Block]) -> list[Block]:
    """The sidebar as the tail of the table-of-contents section, before the Coverage Rationale."""
    if not sidebar:
        return body
    at = next((i for i, b in enumerate(body) if _RATIONALE.match(b.full_text)), len(body))
    return [*body[:at], *sidebar, *body[at:]]


def _read_title(policy: Policy, body: Sequence[Block], furniture: Sequence[Furniture]) -> None:
    title = _title_block(body)
    if title is not None:
        policy.title = title.full_text.strip()
        policy.spans["title"] = title.span
    else:  # the running header or footer repeats the title on every page
        repeated = next((f for f in furniture if f.reason.startswith("running")), None)
        if repeated is None:
            return
        policy.title, policy.spans["title"] = repeated.text.strip(), repeated.span
    policy.policy_type = next(
        (b.full_text.strip() for b in body[:10] if _POLICY_TYPE.match(b.full_text)), None
    )
    policy.drug = parse_drug_names(policy.title) if "(" in policy.title else Drug()


def _rationale_blocks(body: Sequence[Block]) -> list[Block] | None:
    start = next((i for i, b in enumerate(body) if _RATIONALE.match(b.full_text)), None)
    if start is None:
        return None
    end = next(
        (
            i
            for i in range(start + 1, len(body))
            if body[i].kind == "heading" and _AFTER_RATIONALE.match(body[i].full_text)
        ),
        len(body),
    )
    return list(body[start + 1 : end])


def _read_coverage(policy: Policy, body: Sequence[Block], findings: Findings) -> None:
    blocks = _rationale_blocks(body)
    if blocks is None:
        findings.warn("section-not-read", "the 'Coverage Rationale' section was not found")
        return
    reading = read_rationale(blocks, findings)
    policy.general_criteria = reading.general_criteria
    policy.coverage = reading.coverage
    policy.not_covered = reading.not_covered
    for group in reading.product_conditions:
        _product_for(policy.products, group).conditions.extend(
            Statement(text=b.full_text.strip(), span=b.span) for b in group.conditions
        )


def _product_for(products: list[Product], group: ProductConditions) -> Product:
    """The drug-list product the group names, or a new product for it."""
    product = find_product(products, group.product)
    if product is None:
        drug = parse_drug_names(group.product)
        product = Product(
            name=group.product,
            generic_name=drug.generic_name,
            brand_names=drug.brand_names,
            span=group.lead.span,
        )
        products.append(product)
    return product


def _read_codes(policy: Policy, body: Sequence[Block], findings: Findings) -> None:
    table = read_diagnosis_table(body, findings)
    if not table:
        return
    listed = {entry.code for entry in table}
    others = [e for e in find_icd10_codes(body) if e.code not in listed]
    policy.icd10 = [*table, *others]


PROFILE = Profile(NAME, match, find_title, read_policy, is_structure)
