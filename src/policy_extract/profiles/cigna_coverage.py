"""Indications in the Cigna template: numbered items, each a criteria tree with phases and dosing.

The coverage section lists indications under "FDA-Approved Indications" and "Other Uses with
Supportive Evidence" as numbered items ``1. Crohn's Disease. Approve for the duration noted if
the patient meets ONE of the following (A or B):``. Under an item, ``A) Initial Therapy. Approve
for 6 months if ...`` and ``B) Patient is Currently Receiving ... Approve for 1 year if ...`` are
the initial and continuation criteria, each with ``i.`` / ``a)`` / ``(1)`` sub-items; an item with
no such phase blocks is one criteria tree. ``Dosing.`` paragraphs close the criteria and list the
regimens. "Note:" paragraphs interrupt the lists: a note belongs to the deepest open item
indented less than it. A line that only continues the item above (a wrapped "iii):") is joined.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from ..blocks import Block, Span
from ..model import ConditionCoverage, CriteriaNode, Dose, Operator, Period
from ..outline import Node, label_style
from ..phrases import criteria_operator, parse_dose
from ..phrases.approval import Phase, approval_phase, parse_approval
from ..phrases.criteria import enumerated_operator, strip_criterion_text
from ._common import slugify

__all__ = ["Item", "build_item_tree", "read_indication", "split_indications"]

_DOSING_LABEL = re.compile(r"^\s*dosing\s*[.:]?\s*$", re.IGNORECASE)
_DOSING_TEXT = re.compile(r"^\s*dosing\s*[.:]\s", re.IGNORECASE)
# Where an indication's name ends: at "Approve ..." (a heading printed without its period),
# else at the first sentence end.
_NAME = re.compile(r"^(?P<name>.+?)(?:\.?\s+(?=Approve\b)|\.\s+|\.?\s*$)", re.DOTALL)
_SENTENCE_END = re.compile(r"\.\s+")
_APPROVE = re.compile(r"\bApprove\b")
# "(i, ii, and iii)", "(A or B)", "[(1) or (2)]", "(A and/or B)": how the listed items combine.
_CONNECTOR = re.compile(r"[;,]?\s*\b(?P<word>AND/OR|AND|OR)\s*$")


@dataclass(slots=True)
class Item:
    """A list item (or the indication's lead) with its joined text, notes and sub-items."""

    node: Node  # for ``label_style``: the block and its label style
    shape: str
    text: str
    span: Span
    notes: list[str] = field(default_factory=list)
    children: list[Item] = field(default_factory=list)

    @property
    def label(self) -> str | None:
        return self.node.label

    @property
    def indent(self) -> float:
        return self.node.block.indent


def _shape(marker: str | None) -> str:
    """How a label is punctuated: ``(1)`` and ``1.`` are different levels, as ``a)`` and ``a.``."""
    if not marker or marker == "-":
        return "bullet"
    if marker.startswith("("):
        return "paren"
    return "close" if marker.endswith(")") else "dot"


def _new_item(block: Block, stack: Sequence[Item]) -> Item:
    node = Node(block)
    node.style = label_style(node.label, [item.node for item in stack])
    return Item(node=node, shape=_shape(block.marker), text=block.text, span=block.span)


def _same_level(a: Item, b: Item) -> bool:
    return a.node.style == b.node.style and a.shape == b.shape


def split_indications(blocks: Sequence[Block]) -> tuple[list[Block], list[list[Block]]]:
    """Blocks before the first indication, and each indication's blocks from its numbered lead.

    The first list item sets the indications' label style; a later item of that style and no
    deeper indentation starts the next indication."""
    labelled = (b for b in blocks if b.kind == "list_item" and _shape(b.marker) != "bullet")
    first = next(labelled, None)
    if first is None:
        return list(blocks), []
    probe = _new_item(first, [])
    before: list[Block] = []
    groups: list[list[Block]] = []
    for block in blocks:
        if block.kind == "list_item" and block.indent <= first.indent + 2:
            candidate = _new_item(block, [])
            if _same_level(candidate, probe):
                groups.append([block])
                continue
        (groups[-1] if groups else before).append(block)
    return before, groups


def build_item_tree(blocks: Sequence[Block]) -> Item:
    """The lead block and everything under it as a tree; notes attach, wrapped lines join."""
    root = _new_item(blocks[0], [])
    stack = [root]
    previous: Block = blocks[0]
    for block in blocks[1:]:
        if block.kind == "list_item" and block.marker and block.marker != "-":
            item = _new_item(block, stack)
            depth = next(
                (d for d in range(len(stack) - 1, 0, -1) if _same_level(stack[d], item)), None
            )
            if depth is not None:
                del stack[depth:]
            stack[-1].children.append(item)
            stack.append(item)
        elif previous is stack[-1].node.block and _continues(stack[-1], block):
            stack[-1].text = f"{stack[-1].text} {block.full_text}"
            stack[-1].span = stack[-1].span.merge(block.span)
        else:
            owner = _note_owner(stack, block)
            owner.notes.append(block.full_text)
            owner.span = owner.span.merge(block.span)
        previous = block
    return root


def _note_owner(stack: Sequence[Item], block: Block) -> Item:
    """The deepest open item indented less than the note. A note indented less than the
    indication itself carries no indentation (Markdown's paragraphs inside list items): it
    belongs to the item it follows."""
    if block.indent < stack[0].indent:
        return stack[-1]
    return next((i for i in reversed(stack) if i.indent < block.indent - 0.5), stack[0])


def _continues(item: Item, block: Block) -> bool:
    """A wrapped line of the item: the item's text stops mid-sentence, or the line starts in
    lower case, and the line is not a note."""
    text = block.full_text
    if text.lower().startswith("note"):
        return False
    return not item.text.rstrip().endswith((".", ":", ";")) or text[:1].islower()


def _split_dosing(blocks: Sequence[Block]) -> tuple[list[Block], list[Block]]:
    """The criteria blocks, and the blocks from the "Dosing." paragraph on."""
    for index, block in enumerate(blocks):
        if index and block.kind != "list_item" and _is_dosing(block):
            return list(blocks[:index]), list(blocks[index:])
    return list(blocks), []


def _is_dosing(block: Block) -> bool:
    return bool(_DOSING_LABEL.match(block.label or "") or _DOSING_TEXT.match(block.text))


def operator_of(text: str) -> tuple[Operator | None, int | None]:
    """The criteria grammar's operator, else the template's enumeration "(i, ii, and iii)"."""
    operator, count = criteria_operator(text)
    if operator is not None:
        return operator, count
    return enumerated_operator(text), None


def to_criteria(item: Item) -> CriteriaNode:
    """A CriteriaNode from an item: its label, verbatim text (notes appended), operator."""
    operator, count = operator_of(item.text) if item.children else (None, None)
    text = " ".join([strip_criterion_text(item.text), *item.notes])
    return CriteriaNode(
        label=item.label,
        text=strip_criterion_text(text),
        operator=operator,
        min_count=count,
        children=[to_criteria(child) for child in item.children],
        span=item.span,
    )


def _lead_phase(item: Item) -> Phase | None:
    """ "Initial Therapy. Approve ..." / "Patient is Currently Receiving X. Approve ...": the phase
    a block states in its first sentence, when an approval follows it."""
    parts = _SENTENCE_END.split(item.text, maxsplit=1)
    if len(parts) < 2 or not _APPROVE.search(parts[1]):
        return None
    return approval_phase(parts[0])


def _period(item: Item, phase: Phase) -> Period | None:
    period = parse_approval(item.text, phase)
    if period is not None:
        period.span = item.span
        period.phase = phase
    return period


def read_indication(blocks: Sequence[Block], prior_auth: bool | None) -> ConditionCoverage:
    """One numbered indication: its name, initial and continuation criteria, periods, doses."""
    criteria_blocks, dosing_blocks = _split_dosing(blocks)
    root = build_item_tree(criteria_blocks)
    name = _condition_name(root.text)
    coverage = ConditionCoverage(
        id=slugify(name),
        condition=name,
        prior_authorization_required=prior_auth,
        span=_merged_span(blocks),
    )
    phases = {child_phase: child for child in root.children if (child_phase := _lead_phase(child))}
    if not phases:
        coverage.criteria = to_criteria(root)
        period = parse_approval(root.text, "initial")
        if period is not None:
            period.span = root.span
            coverage.coverage_periods.append(period)
    for phase in ("initial", "continuation"):
        item = phases.get(phase)
        if item is None:
            continue
        if phase == "initial":
            coverage.criteria = to_criteria(item)
        else:
            coverage.continuation_criteria = to_criteria(item)
        # "Approve if ..." states no length of its own: the indication's lead covers it.
        period = _period(item, phase) or _period(root, phase)
        if period is not None:
            coverage.coverage_periods.append(period)
    coverage.doses = read_doses(dosing_blocks)
    return coverage


def _condition_name(text: str) -> str:
    match = _NAME.match(text)
    name = match.group("name") if match else text
    return name.strip().rstrip(".:").strip()


def _merged_span(blocks: Sequence[Block]) -> Span:
    span = blocks[0].span
    for block in blocks[1:]:
        span = span.merge(block.span)
    return span


def read_doses(blocks: Sequence[Block]) -> list[Dose]:
    """Regimens under "Dosing." that the dose grammar reads (amount and unit); the rest stays in
    the outline only. A phase lead ("Initial Therapy.") says when the dose applies."""
    doses: list[Dose] = []
    for block in blocks:
        text = block.full_text if block.kind == "list_item" else block.text
        if text.lower().startswith("note") or (
            block.kind != "list_item" and not re.search(r"\d", block.text)
        ):
            continue
        lead, body = _dose_lead(text)
        dose = parse_dose(body)
        if dose.amount is None or dose.unit is None:
            continue
        dose.text = text
        dose.span = block.span
        if dose.applies_when is None and lead:
            dose.applies_when = lead
        connector = _CONNECTOR.search(text)
        if connector:
            dose.joined_by = "and" if connector.group("word").upper() == "AND" else "or"
        doses.append(dose)
    return doses


def _dose_lead(text: str) -> tuple[str | None, str]:
    """``"Initial Therapy. Approve up to 5 mg/kg"`` -> ``("Initial Therapy", "up to 5 mg/kg")``."""
    parts = _SENTENCE_END.split(text, maxsplit=1)
    if len(parts) == 2 and approval_phase(parts[0]) and re.match(r"Approve\b", parts[1]):
        return parts[0].strip(), re.sub(r"^Approve\s+", "", parts[1])
    return None, re.sub(r"^Approve\s+", "", text)
