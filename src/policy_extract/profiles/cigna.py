"""The Cigna Drug Coverage Policy / Prior Authorization Policy template.

Page 1 opens with a header box ("Drug Coverage Policy", "Effective Date ....", "Coverage Policy
Number .... IP0660", "Policy Title ....") then the title in large type and the products as
bullets ("Avsola™ (infliximab-axxq intravenous infusion – Amgen)"). The Coverage Policy states
whether prior authorization is required, then lists numbered indications under "FDA-Approved
Indications" / "Other Uses with Supportive Evidence" (read in ``cigna_coverage``), "Conditions
Not Covered", and a Coding Information table of HCPCS codes.

The profile starts from the generic reader's Policy (full ``outline``, references, HCPCS rows,
front matter, payer) and overlays the structured fields it reads.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..blocks import Block, Furniture, Span
from ..model import ConditionCoverage, Drug, Policy, Product, Statement
from ._common import Findings
from ._drug_names import strip_biosimilar_suffix
from .base import NO_MATCH, Match, Profile
from .cigna_coverage import Item, build_item_tree, read_indication, split_indications
from .generic import read_base_policy as read_generic_policy

__all__ = ["FOOTER_PATTERNS", "NAME", "PROFILE", "find_title", "is_structure", "match"]

NAME = "cigna"
FOOTER_PATTERNS: tuple[re.Pattern[str], ...] = ()


def _line(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^\s*{pattern}\s*:?\s*$", re.IGNORECASE)


_HEADER = _line(r"(?:drug|medical|pharmacy)\s+coverage\s+policy")
_POLICY_NUMBER = re.compile(r"^\s*coverage\s+policy\s+number\b[\s.…:]*[A-Z]{2,3}\d{3,5}\b", re.I)
_FIELD = re.compile(
    r"^\s*(?:effective\s+date|coverage\s+policy\s+number|policy\s+title|next\s+review\s+date"
    r"|(?:drug|medical|pharmacy)\s+coverage\s+policy)\b",
    re.IGNORECASE,
)
_COMPANIES = re.compile(r"\bCigna\s+Companies\b")
INDICATION_GROUP = _line(
    r"(?:FDA[-\s]Approved\s+Indications?|Other\s+Uses\s+with\s+Supportive\s+Evidence)"
)
NOT_COVERED = _line(r"conditions\s+not\s+covered")
_APPROVAL_ITEM = re.compile(r"\bApprove\s+for\s+(?:the\s+duration\s+noted|\d+\s+\w+)\s+if\b")
_PRIOR_AUTH = re.compile(
    r"\bPrior\s+Authorization\s+is\s+(?P<not>not\s+)?required\b", re.IGNORECASE
)
_SENTENCE_WORDS = 8  # a bold "heading" this long is a sentence (an intro), not a section name

_SIGNATURE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("header 'Drug/Medical Coverage Policy'", _HEADER),
    ("field 'Coverage Policy Number'", _POLICY_NUMBER),
    ("names 'Cigna Companies'", _COMPANIES),
    ("heading 'FDA-Approved Indications'/'Other Uses with Supportive Evidence'", INDICATION_GROUP),
    ("heading 'Conditions Not Covered'", NOT_COVERED),
    ("items 'Approve for ... if the patient meets'", _APPROVAL_ITEM),
)


def match(blocks: Sequence[Block]) -> Match:
    """The template's header box, headings and approval grammar: at least 4 of 6 signs."""
    found: dict[str, str] = {}
    for block in blocks:
        text = block.full_text
        for name, pattern in _SIGNATURE:
            if name not in found and pattern.search(text):
                found[name] = name
        if len(found) == len(_SIGNATURE):
            break
    if len(found) < 4:
        return NO_MATCH
    return Match(len(found) / len(_SIGNATURE), tuple(found.values()))


def find_title(blocks: Sequence[Block]) -> str | None:
    """The large-type title on page 1 (several lines joined), below the header box."""
    lines = _title_blocks(blocks)
    return " ".join(b.full_text.strip() for b in lines) if lines else None


def _title_blocks(blocks: Sequence[Block]) -> list[Block]:
    """Page-1 headings before the first other block that are not header-box fields (nor lines
    at a field's indentation: a wrapped field value)."""
    field_indents: set[float] = set()
    title: list[Block] = []
    for block in blocks:
        if block.kind != "heading" or (block.span.page or 1) != 1:
            if title or block.kind != "heading":
                break
            continue
        if _FIELD.match(block.full_text):
            field_indents.add(round(block.indent))
        elif round(block.indent) not in field_indents:
            title.append(block)
    return title


def is_structure(block: Block) -> bool:
    """Every heading is kept in the outline, so it is structure."""
    return block.kind == "heading"


def read_policy(blocks: Sequence[Block], furniture: Sequence[Furniture]) -> tuple[Policy, Findings]:
    """The generic Policy with Cigna's title, products, drug, indications and exclusions."""
    policy, generic_findings = read_generic_policy(blocks, furniture)
    findings = Findings(
        [w for w in generic_findings.warnings if w.code != "template-not-recognised"],
        generic_findings.unparsed,
    )
    title = _title_blocks(blocks)
    if title:
        policy.title = " ".join(b.full_text.strip() for b in title)
        policy.spans["title"] = _span(title)
    policy.products = _products(blocks)
    if policy.products:
        policy.drug = _primary_drug(policy.products)
    _tie_hcpcs(policy)
    policy.coverage = _indications(blocks, _prior_auth(blocks))
    policy.not_covered = _not_covered(blocks)
    _warn_missing(policy, findings)
    return policy, findings


def _span(blocks: Sequence[Block]) -> Span:
    span = blocks[0].span
    for block in blocks[1:]:
        span = span.merge(block.span)
    return span


# --- sections --------------------------------------------------------------------------------


def _is_sentence(block: Block) -> bool:
    return len(block.full_text.split()) >= _SENTENCE_WORDS or block.full_text.rstrip().endswith(":")


def _section_blocks(blocks: Sequence[Block], start: re.Pattern[str]) -> list[Block]:
    """Blocks after the first heading ``start`` matches, up to the next section heading; headings
    of further groups of the same kind and bold intro sentences stay inside."""
    inside = False
    found: list[Block] = []
    for block in blocks:
        is_heading = block.kind == "heading"
        if is_heading and start.match(block.full_text):
            inside = True
            continue
        if not inside:
            continue
        if is_heading and not _is_sentence(block):
            break
        found.append(block)
    return found


def _prior_auth(blocks: Sequence[Block]) -> bool | None:
    """The policy statement's "Prior Authorization is (not) required": it applies to every
    indication; None when the document does not say."""
    for block in blocks:
        found = _PRIOR_AUTH.search(block.full_text)
        if found:
            return found.group("not") is None
    return None


def _indications(blocks: Sequence[Block], prior_auth: bool | None) -> list[ConditionCoverage]:
    region = [
        b
        for b in _section_blocks(blocks, INDICATION_GROUP)
        if not (b.kind == "heading" and INDICATION_GROUP.match(b.full_text))
    ]
    _, groups = split_indications(region)
    return [read_indication(group, prior_auth) for group in groups]


def _not_covered(blocks: Sequence[Block]) -> list[Statement]:
    """One statement per numbered exclusion (its notes included); a section without numbered
    items gives one statement per paragraph. The intro sentence stays in the outline."""
    region = _section_blocks(blocks, NOT_COVERED)
    _, groups = split_indications(region)
    if not groups:
        return [
            Statement(text=b.full_text, span=b.span)
            for b in region
            if b.kind != "heading" and b.full_text.strip()
        ]
    statements = []
    for group in groups:
        item = build_item_tree(group)
        text = " ".join([item.text, *item.notes, *_flatten(item)])
        statements.append(Statement(text=text, span=_span(group)))
    return statements


def _flatten(item: Item) -> list[str]:
    texts: list[str] = []
    for child in item.children:
        texts.extend([child.text, *child.notes, *_flatten(child)])
    return texts


def _warn_missing(policy: Policy, findings: Findings) -> None:
    expected = {
        "FDA-Approved Indications": bool(policy.coverage),
        "Coding Information (HCPCS)": bool(policy.drug_details.hcpcs),
        "product list on page 1": bool(policy.products),
    }
    for name, present in expected.items():
        if not present:
            findings.warn("missing-section", f"section {name!r} not found or not read")


# --- products --------------------------------------------------------------------------------

_PRODUCT = re.compile(r"^(?P<brand>[^()]+?)\s*[®™]*\s*\((?P<inside>.+)\)\s*$")
_MAKER = re.compile(r"\s+[–—-]\s+(?=[A-Z])")
_FORM = re.compile(
    r"\s+(?:intravenous|subcutaneous|intramuscular|intravitreal|intrathecal|oral|ophthalmic"
    r"|topical|nasal|inhal\w*|infusion|injection|tablets?|capsules?|solution|suspension|for\b"
    r"|powder|vials?|prefilled|auto-?injector|pens?|kit|extended-release|delayed-release|\d)",
    re.IGNORECASE,
)
_TRADEMARKS = re.compile(r"[®™*]")


def _products(blocks: Sequence[Block]) -> list[Product]:
    """The bulleted products on page 1, before the first paragraph."""
    products: list[Product] = []
    for block in blocks:
        if (block.span.page or 1) != 1 or block.kind == "paragraph":
            break
        if block.kind == "list_item":
            product = _product(block)
            if product is not None:
                products.append(product)
    return products


def _product(block: Block) -> Product | None:
    text = _TRADEMARKS.sub("", block.full_text).strip()
    found = _PRODUCT.match(text)
    if found:
        brand = found.group("brand").strip()
        generic_name = _generic(_MAKER.split(found.group("inside"))[0])
        return Product(name=brand, generic_name=generic_name, brand_names=[brand], span=block.span)
    described = _MAKER.split(text)[0].strip()
    generic_name = _generic(described)
    if not generic_name:
        return None
    return Product(name=described, generic_name=generic_name, span=block.span)


def _generic(text: str) -> str | None:
    """``"infliximab-axxq intravenous infusion"`` -> ``"infliximab-axxq"`` (the words before
    the form); a capital only from the start of a bullet is lowered."""
    name = _FORM.split(text.strip(), maxsplit=1)[0].strip(" ,;")
    if not name:
        return None
    if name[:1].isupper() and name[1:] == name[1:].lower():
        name = name[:1].lower() + name[1:]
    return name


def _primary_drug(products: Sequence[Product]) -> Drug:
    """The generic name every product shares (biosimilar suffixes aside) and all brand names;
    products of different generics name no single generic."""
    bases = {strip_biosimilar_suffix(p.generic_name) for p in products if p.generic_name}
    brands: list[str] = []
    for product in products:
        brands.extend(b for b in product.brand_names if b not in brands)
    return Drug(generic_name=bases.pop() if len(bases) == 1 else None, brand_names=brands)


def _tie_hcpcs(policy: Policy) -> None:
    """A product's HCPCS codes: rows whose description names its brand, or its generic name
    exactly ("infliximab," but not "infliximab-dyyb")."""
    for product in policy.products:
        names = [*product.brand_names, *([product.generic_name] if product.generic_name else [])]
        for code in policy.drug_details.hcpcs:
            description = code.description or code.text
            if any(_names(name, description) for name in names):
                product.hcpcs.append(code.code)


def _names(name: str, text: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.IGNORECASE) is not None


PROFILE = Profile(NAME, match, find_title, read_policy, is_structure, FOOTER_PATTERNS)
