"""What every profile needs: a collector for warnings and unparsed content, slugs, URLs, and the
conversion of outline nodes into the contract's outline blocks."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ..blocks import Block, Span
from ..model import (
    ConditionCoverage,
    CriteriaNode,
    Drug,
    OutlineBlock,
    OutlineSection,
    Period,
    TableCell,
    Unparsed,
    Warning,
)
from ..outline import Node, Section

__all__ = [
    "Findings",
    "authorized_condition",
    "find_urls",
    "flatten_node_text",
    "node_span",
    "outline_from_sections",
    "parse_drug_names",
    "slugify",
]

_URL = re.compile(r"https?://[^\s<>\"]+")


@dataclass(slots=True)
class Findings:
    """Warnings and unparsed content gathered while a profile reads a document."""

    warnings: list[Warning] = field(default_factory=list)
    unparsed: list[Unparsed] = field(default_factory=list)

    def warn(self, code: str, message: str, span: Span | None = None) -> None:
        self.warnings.append(Warning(code=code, message=message, span=span))

    def keep_unparsed(self, nodes: Iterable[Node], where: str) -> None:
        """Record nodes no field claimed, each with a warning naming where it was."""
        for node in nodes:
            for block in _walk_blocks(node):
                self.unparsed.append(Unparsed(text=block.full_text, span=block.span))
                self.warn(
                    "unparsed-content",
                    f"{where}: content not recognised ({block.span.describe()}): "
                    f"{_shorten(block.full_text)}",
                    block.span,
                )

    def keep_unparsed_block(self, block: Block, where: str) -> None:
        self.keep_unparsed([Node(block)], where)


def _walk_blocks(node: Node) -> Iterable[Block]:
    yield node.block
    for child in node.children:
        yield from _walk_blocks(child)


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def slugify(text: str) -> str:
    """``"Myelodysplastic syndrome (MDS)"`` -> ``"myelodysplastic-syndrome-mds"``; an apostrophe
    inside a word is dropped (``"Crohn's Disease"`` -> ``"crohns-disease"``)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    ascii_text = re.sub(r"(?<=\w)'(?=\w)", "", ascii_text)  # "Crohn's" -> "crohns"
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "condition"


def authorized_condition(
    name: str, criteria: CriteriaNode | None, periods: Sequence[Period], span: Span | None
) -> ConditionCoverage:
    """An indication of a prior-authorization template: its id from the name, and its own copy
    of the approval periods printed once for several indications."""
    return ConditionCoverage(
        id=slugify(name),
        condition=name,
        prior_authorization_required=True,
        criteria=criteria,
        coverage_periods=[period.model_copy(deep=True) for period in periods],
        span=span,
    )


def find_urls(block: Block) -> list[str]:
    """Links of a block: from Markdown link tokens, else URLs written out in its text."""
    if block.urls:
        return list(block.urls)
    return [url.rstrip(".,;)>") for url in _URL.findall(block.full_text)]


def node_span(nodes: Sequence[Node], first: Block | None = None) -> Span | None:
    """Span covering ``first`` and every block under ``nodes``."""
    spans = [first.span] if first is not None else []
    spans.extend(block.span for node in nodes for block in _walk_blocks(node))
    if len(spans) < 2:
        return spans[0] if spans else None
    return Span.covering(spans)


def flatten_node_text(node: Node) -> str:
    """A node's text followed by its children's, for fields that want one line of text."""
    return " ".join(block.full_text for block in _walk_blocks(node))


def outline_from_sections(sections: Sequence[Section]) -> list[OutlineSection]:
    """The contract's ``outline``: each section's heading and its content in reading order."""
    return [
        OutlineSection(
            heading=section.heading.full_text if section.heading else None,
            level=section.level,
            blocks=[_outline_block(node) for node in section.nodes],
            span=node_span(section.nodes, section.heading),
        )
        for section in sections
    ]


def _outline_block(node: Node) -> OutlineBlock:
    block = node.block
    return OutlineBlock(
        kind=block.kind,
        text=block.text,
        label=block.marker if block.kind == "list_item" else block.label,
        children=[_outline_block(child) for child in node.children],
        rows=_outline_rows(block),
        span=block.span,
    )


def _outline_rows(block: Block) -> list[list[TableCell]] | None:
    if block.rows is None:
        return None
    return [[TableCell(text=cell.text, span=cell.span) for cell in row] for row in block.rows]


_NAMES = re.compile(
    r"^(?P<outer>[^()]+?)\s*\((?P<inner>[^()]+)\)\s*(?:[,;:\u2013\u2014-]\s*)?(?P<qualifier>[^()]*?)\s*$"
)


def parse_drug_names(title: str) -> Drug:
    """``"generic (Brand, Brand2)"`` -> generic name and brand names; a title without
    parentheses is taken as the generic name alone. Words after the brands (a route or form:
    ``"generic (Brand), subcutaneous"``, ``"generic (Brand) injection"``) are the qualifier."""
    match = _NAMES.match(title)
    if not match:
        return Drug(generic_name=title.strip() or None)
    outer, inner = match.group("outer").strip(), match.group("inner").strip()
    qualifier = match.group("qualifier") or None
    names = [n.strip() for n in re.split(r",|/|;|\band\b", inner) if n.strip()]
    if outer[:1].isupper() and inner[:1].islower() and len(names) == 1:  # "Brand (generic)"
        return Drug(generic_name=inner, brand_names=[outer], qualifier=qualifier)
    return Drug(generic_name=outer, brand_names=names, qualifier=qualifier)
