"""The Prime Therapeutics medical-necessity template, as EmblemHealth publishes it.

Recognised by its numbering ("Document Number: IC-0098") and its roman-numbered sections:
"I. Length of Authorization" (Initial / Renewal periods for every indication), "II. Dosing
Limits", "III. Initial Approval Criteria", "IV. Renewal Criteria", "VI. Billing
Code/Availability Information". Under "III." a preferred-product requirement opens the section;
then each product group (a bold line of product names, with "Prior authorization validity is
provided in the following conditions:") has its own group criteria and "Universal Criteria",
which go to ``general_criteria``, and its indications as bold headings (with footnote marks and
reference numbers after the name) followed by bullets joined by "; AND" / "; OR". "IV." gives
renewal criteria for every indication, for each product group, and some for one indication
("Osteoporosis in Men and Women:"). The billing section lists each product group's HCPCS codes
(``products``). Everything else is read as the generic profile reads it; the outline is kept.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..blocks import Block, Furniture
from ..model import ConditionCoverage, CriteriaNode, Period, Policy, Product
from ..outline import build_list_tree
from ..phrases.approval import approval_phase, parse_approval
from ._common import Findings, authorized_condition, slugify
from ._condition_names import named_condition
from ._criteria_tree import criteria_from_nodes, regroup_connected_items
from .base import NO_MATCH, Match, Profile
from .emblem_criteria import as_note_item, strip_footnote_marks
from .generic import find_title
from .generic import is_structure as generic_is_structure
from .generic import read_base_policy as read_generic

__all__ = ["PROFILE"]

NAME = "emblem"
_NUMBER = re.compile(r"\bDocument\s+Number\s*:\s*(?P<number>IC-\d{3,5})\b", re.I)
_ROMAN = r"^\s*(?:[IVX]{1,4}\.\s*)?"
_LENGTH = re.compile(rf"{_ROMAN}Length\s+of\s+Authorization\b", re.I)
_INITIAL = re.compile(rf"{_ROMAN}Initial\s+Approval\s+Criteria\b", re.I)
_RENEWAL = re.compile(rf"{_ROMAN}Renewal\s+Criteria\b", re.I)
_BILLING = re.compile(rf"{_ROMAN}Billing\s+Code", re.I)
_DOSING = re.compile(rf"{_ROMAN}Dosing\s+Limits\b", re.I)
_SECTION = re.compile(r"^\s*[IVX]{1,4}\.\s+\S|^\s*Appendix\b", re.I)
_APPENDIX = re.compile(r"^\s*Appendix\b", re.I)
_DIAGNOSIS_CODES = re.compile(r"\bDiagnosis\s+Codes\b", re.I)
_PRIME = re.compile(r"\bPrime\s+Therapeutics\b")
_UNIVERSAL = re.compile(r"^\s*Universal\s+Criteria\b", re.I)
_GROUP_LEAD = re.compile(r"\bprior\s+authorization\s+validity\s+is\s+provided\b", re.I)
_FOOTNOTE = re.compile(r"^\s*(?:[^\w\s(]|\d+\s*$)")  # "±Ineffective response...", "44"
_HCPCS = re.compile(r"^\s*(?P<code>[A-Z]\d{4})\b")
_NAMES = re.compile(r"\s*(?:,|&|/|;|\band\b)\s*")
_GENERIC = re.compile(r"\bInjection,\s+(?P<name>[a-z][a-z0-9]*(?:-[a-z0-9]+)?)")
_TRADEMARK = re.compile(r"[®™]")


def match(blocks: Sequence[Block]) -> Match:
    """An IC-numbered document with the template's roman-numbered sections."""
    first_pages = [b for b in blocks[:80] if (b.span.page or 1) <= 2]
    number = next((m for b in first_pages if (m := _NUMBER.search(b.full_text))), None)
    if number is None:
        return NO_MATCH
    evidence = [f"document number {number.group('number')!r} (IC- numbering)"]
    headings = [b.full_text for b in blocks if b.kind == "heading"]
    for pattern, name in (
        (_LENGTH, "Length of Authorization"),
        (_INITIAL, "Initial Approval Criteria"),
        (_RENEWAL, "Renewal Criteria"),
    ):
        if any(pattern.match(text) for text in headings):
            evidence.append(f"heading {name!r}")
    if any(_PRIME.search(b.full_text) for b in blocks[:200]):
        evidence.append("names Prime Therapeutics")
    if len(evidence) < 3:
        return NO_MATCH
    return Match(len(evidence) / 5, tuple(evidence))


def _section(blocks: Sequence[Block], heading: re.Pattern[str]) -> list[Block]:
    """The blocks after the heading ``heading`` matches, up to the next numbered section."""
    found: list[Block] = []
    inside = False
    for block in blocks:
        if block.kind == "heading" and heading.match(block.full_text):
            inside = True
        elif inside and block.kind == "heading" and _SECTION.match(block.full_text):
            break
        elif inside:
            found.append(block)
    return found


@dataclass(slots=True)
class _Part:
    """A lead (heading or paragraph) and the items under it."""

    lead: Block
    items: list[Block] = field(default_factory=list)


@dataclass(slots=True)
class _Group:
    """A product group: its heading, its own parts (group lead, universal criteria) and its
    indications."""

    heading: Block | None
    parts: list[_Part] = field(default_factory=list)
    indications: list[_Part] = field(default_factory=list)


@dataclass(slots=True)
class _Initial:
    preferred: list[_Part] = field(default_factory=list)
    groups: list[_Group] = field(default_factory=list)


def _product_names(title_names: set[str], text: str) -> bool:
    """A line of product names: most of its names are products the title lists."""
    names = [n.lower() for n in _NAMES.split(strip_footnote_marks(text)) if n.strip()]
    return len(names) >= 2 and sum(n in title_names for n in names) * 2 >= len(names)


def _is_group_heading(blocks: Sequence[Block], index: int, title_names: set[str]) -> bool:
    following = next((b for b in blocks[index + 1 :] if b.kind != "heading"), None)
    if following is not None and _GROUP_LEAD.search(following.full_text):
        return True
    return _product_names(title_names, blocks[index].full_text)


def _read_initial(blocks: Sequence[Block], title_names: set[str]) -> _Initial:
    """Preferred-product requirements, product groups, their parts and indications."""
    found = _Initial()
    group: _Group | None = None
    target: _Part | None = None
    for index, block in enumerate(blocks):
        text = block.full_text
        if block.kind == "heading":
            if _FOOTNOTE.match(text):
                target = None  # a footnote's definition list: kept in the outline
            elif _is_group_heading(blocks, index, title_names):
                group = _Group(heading=block)
                found.groups.append(group)
                target = None
            else:
                group = group or _add_group(found)
                target = _Part(block)
                is_universal = _UNIVERSAL.match(text)
                (group.parts if is_universal else group.indications).append(target)
        elif block.kind == "list_item":
            if target is not None:
                target.items.append(block)
        elif target is not None and target.items and block.indent > target.items[-1].indent + 2:
            target.items.append(as_note_item(block))
        elif _GROUP_LEAD.search(text):
            group = group or _add_group(found)
            target = _Part(block)
            group.parts.append(target)
        elif block.label and group is None:
            target = _Part(block)  # "Bildyos, Jubbonti, ... are the preferred products."
            found.preferred.append(target)
        else:
            target = None
    return found


def _add_group(found: _Initial) -> _Group:
    found.groups.append(_Group(heading=None))
    return found.groups[-1]


def _part_node(part: _Part) -> CriteriaNode:
    return regroup_connected_items(criteria_from_nodes(part.lead, build_list_tree(part.items)))


def _general_criteria(initial: _Initial) -> CriteriaNode | None:
    """The preferred-product requirement and each product group's own criteria, all required."""
    nodes = [_part_node(part) for part in initial.preferred]
    for group in initial.groups:
        parts = [_part_node(part) for part in group.parts]
        if group.heading is None:
            nodes.extend(parts)
        elif parts:
            nodes.append(
                CriteriaNode(
                    text=group.heading.full_text,
                    operator="all" if len(parts) > 1 else None,
                    children=parts,
                    span=group.heading.span,
                )
            )
    if not nodes:
        return None
    if len(nodes) == 1:
        return nodes[0]
    return CriteriaNode(
        text="Initial Approval Criteria", operator="all", children=nodes, span=nodes[0].span
    )


def _periods(blocks: Sequence[Block]) -> list[Period]:
    periods: list[Period] = []
    for block in blocks:
        period = parse_approval(block.full_text, approval_phase(block.full_text))
        if period is not None and period.duration is not None:
            period.span = block.span
            periods.append(period)
    return periods


@dataclass(slots=True)
class _Renewal:
    """Renewal criteria for every indication, and per product group (heading text -> parts)."""

    general: list[_Part] = field(default_factory=list)
    groups: list[tuple[Block, list[Block]]] = field(default_factory=list)


def _read_renewal(blocks: Sequence[Block], title_names: set[str]) -> _Renewal:
    found = _Renewal()
    items: list[Block] | None = None
    for block in blocks:
        if block.kind == "heading" and _product_names(title_names, block.full_text):
            found.groups.append((block, []))
            items = found.groups[-1][1]
        elif block.kind == "heading":
            items = None
        elif items is not None:
            items.append(block)
        elif block.kind == "paragraph" and not found.groups:
            found.general.append(_Part(block))
        elif block.kind == "list_item" and found.general:
            found.general[-1].items.append(block)
    return found


def _scoped_items(
    blocks: Sequence[Block], condition: ConditionCoverage, coverage: Sequence[ConditionCoverage]
) -> list[Block]:
    """A product group's renewal items that apply to ``condition``: items under (or opening
    with) another indication's name ("Osteoporosis in Men and Women:") are left out."""
    kept: list[Block] = []
    scope: tuple[float, ConditionCoverage | None] | None = None
    for block in blocks:
        prefix, colon, _ = block.full_text.partition(":")
        named = named_condition(prefix, coverage) if colon and len(prefix) < 150 else None
        if scope is not None and block.indent < scope[0] - 2:
            scope = None
        if named is not None and block.kind == "paragraph":
            scope = (block.indent, named)
        owner = named if named is not None else (scope[1] if scope else None)
        if owner is None or owner is condition:
            kept.append(block if block.kind == "list_item" else as_note_item(block))
    return kept


def _continuation(
    renewal: _Renewal, group_index: int, condition: ConditionCoverage, policy: Policy
) -> CriteriaNode | None:
    parts = [_part_node(part) for part in renewal.general]
    if group_index < len(renewal.groups):
        heading, blocks = renewal.groups[group_index]
        items = _scoped_items(blocks, condition, policy.coverage)
        parts.append(regroup_connected_items(criteria_from_nodes(heading, build_list_tree(items))))
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    lead = renewal.general[0].lead if renewal.general else None
    return CriteriaNode(
        text="Renewal Criteria" if lead is None else parts[0].text,
        operator="all",
        children=[*parts[0].children, *parts[1:]] if lead is not None else parts,
        span=parts[0].span,
    )


def _title_lines(blocks: Sequence[Block]) -> list[Block]:
    """The title: the first page's headings before the document number."""
    lines: list[Block] = []
    for block in blocks[:30]:
        if _NUMBER.search(block.full_text) or block.kind != "heading":
            break
        lines.append(block)
    return lines


def _read_drug(policy: Policy, lines: Sequence[Block]) -> set[str]:
    """ "Denosumab: Aukelso; Bildyos; ... (Subcutaneous)": the generic name before the colon,
    the products after it. Returns the product names, lower-cased."""
    if not lines:
        return set()
    text = _TRADEMARK.sub("", " ".join(b.full_text.strip() for b in lines))
    generic, colon, products = text.partition(":")
    if not colon:
        return set()
    policy.title = " ".join(b.full_text.strip() for b in lines)
    policy.spans["title"] = lines[0].span.merge(lines[-1].span)
    names = [n.strip() for n in _NAMES.split(re.sub(r"\([^)]*\)", "", products)) if n.strip()]
    policy.drug.generic_name = generic.strip()
    prefix = generic.strip().lower()
    policy.drug.brand_names = [n for n in names if not n.lower().startswith(prefix)]
    return {n.lower() for n in names}


def _read_products(blocks: Sequence[Block]) -> list[Product]:
    """Each product heading of the billing section with the HCPCS codes listed under it."""
    products: list[Product] = []
    for block in blocks:
        code = _HCPCS.match(block.full_text)
        if block.kind == "heading":
            names = [n for n in _NAMES.split(_TRADEMARK.sub("", block.full_text)) if n.strip()]
            products.append(
                Product(name=block.full_text.strip(), brand_names=names, span=block.span)
            )
        elif code is not None and products:
            product = products[-1]
            if code.group("code") not in product.hcpcs:
                product.hcpcs.append(code.group("code"))
            generic = _GENERIC.search(block.full_text)
            if generic and product.generic_name is None:
                product.generic_name = generic.group("name")
            if product.span is not None:
                product.span = product.span.merge(block.span)
    return [p for p in products if p.hcpcs]


def read_policy(blocks: Sequence[Block], furniture: Sequence[Furniture]) -> tuple[Policy, Findings]:
    """The generic reading, with indications, criteria, periods, products and drug names."""
    policy, findings = read_generic(blocks, furniture)
    policy.warnings = []
    findings.warnings = [w for w in findings.warnings if w.code != "template-not-recognised"]
    title_names = _read_drug(policy, _title_lines(blocks))
    initial = _read_initial(_section(blocks, _INITIAL), title_names)
    periods = _periods(_section(blocks, _LENGTH))
    renewal = _read_renewal(_section(blocks, _RENEWAL), title_names)
    group_ids: list[list[str]] = []
    for group in initial.groups:
        group_ids.append([])
        for part in group.indications:
            name = strip_footnote_marks(part.lead.full_text)
            group_ids[-1].append(slugify(name))
            indication = authorized_condition(name, _part_node(part), periods, part.lead.span)
            policy.coverage.append(indication)
    for condition in policy.coverage:
        index = next(i for i, ids in enumerate(group_ids) if condition.id in ids)
        condition.continuation_criteria = _continuation(renewal, index, condition, policy)
    _tie_icd10_to_groups(policy, blocks, initial, group_ids)
    policy.general_criteria = _general_criteria(initial)
    policy.products = _read_products(_section(blocks, _BILLING))
    _warn_missing(findings, policy, periods, renewal)
    return policy, findings


def _group_key(text: str) -> frozenset[str]:
    return frozenset(n.lower() for n in _NAMES.split(strip_footnote_marks(text)) if n.strip())


def _tie_icd10_to_groups(
    policy: Policy, blocks: Sequence[Block], initial: _Initial, group_ids: list[list[str]]
) -> None:
    """Diagnosis-code appendices list codes per product group: each code applies to the
    indications of the groups it is listed under."""
    keys = {
        _group_key(g.heading.full_text): ids
        for g, ids in zip(initial.groups, group_ids, strict=True)
        if g.heading
    }
    current: list[str] | None = None
    inside = False
    for block in blocks:
        if block.kind == "heading" and _APPENDIX.match(block.full_text):
            inside, current = bool(_DIAGNOSIS_CODES.search(block.full_text)), None
        elif inside and block.kind == "heading" and _group_key(block.full_text) in keys:
            current = keys[_group_key(block.full_text)]
        elif inside and current:
            for code in policy.icd10:
                if code.span == block.span or _prints_code(
                    block.full_text, code.start or code.code
                ):
                    code.applies_to = list(dict.fromkeys([*code.applies_to, *current]))


def _prints_code(text: str, code: str) -> bool:
    """The line prints ``code`` (a code listed again under another group keeps one entry)."""
    return re.search(rf"(?<![\w.]){re.escape(code)}(?!\w|\.\w)", text) is not None


def _warn_missing(
    findings: Findings, policy: Policy, periods: list[Period], renewal: _Renewal
) -> None:
    missing = []
    if not policy.coverage:
        missing.append("III. Initial Approval Criteria: no indication headings with criteria")
    if not periods:
        missing.append("I. Length of Authorization: no approval duration")
    if not renewal.general and not renewal.groups:
        missing.append("IV. Renewal Criteria: no renewal criteria")
    if not policy.products:
        missing.append("Billing Code/Availability Information: no product with HCPCS codes")
    for message in missing:
        findings.warn("section-not-read", f"{message} found; kept in 'outline'")


def is_structure(block: Block) -> bool:
    return generic_is_structure(block)


PROFILE = Profile(NAME, match, find_title, read_policy, is_structure)
