"""Step therapy: the drugs a criterion requires the patient to have tried first.

A criterion is a step-therapy criterion when it says so in one of the phrases payers use
("tried and failed", "inadequate response to", "intolerance to", "contraindication to",
"trial of", "history of failure", "unable to tolerate", "after failure of", ...). The drugs it
names are found with the drug-name dictionary (``drug_names``), not a list of drugs. A lead-in
("has tried at least two of the following:") hands its phrase to its children, so the drugs
named in the list items count too, each with the item's own text and span. Drug classes ("a
TNF inhibitor", "conventional therapy") are kept apart in ``classes``; nothing is inferred
from them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import BaseModel, Field

from ..blocks import Span
from ..model import CriteriaNode
from ..phrases.criteria import criteria_operator
from .drug_classes import drug_classes
from .drug_names import find_drug_mentions

__all__ = ["StepTherapyDrug", "step_therapy_drugs", "step_therapy_phrase"]

# Ordered longest first where one phrase contains another, so the match names the whole phrase.
_STEP_PHRASES = (
    r"(?:(?:has|have|had)\s+)?tried\s+and\s+(?:failed|had\s+an?\s+inadequate\s+response)",
    r"history\s+of\s+(?:failure|intolerance|inadequate\s+response)",
    r"(?:after|following)\s+(?:the\s+)?failure\s+of",
    r"(?:trial|trials)\s+(?:and\s+failure\s+)?(?:of|with)",
    r"(?:inadequate|insufficient|suboptimal|partial|poor)\s+(?:clinical\s+)?response",
    r"(?:lack|loss)\s+of\s+(?:clinical\s+)?response",
    r"(?:intolerance|intolerant|hypersensitivity)\s+(?:to|of)",
    r"unable\s+to\s+tolerate",
    r"contraindications?\s+to",
    r"contraindicated",
    r"(?:refractory|unresponsive|resistant)\s+to",
    r"(?:failed|failure\s+of|failure\s+to\s+respond\s+to)",
    r"(?:has|have|had)\s+(?:previously\s+)?(?:tried|been\s+treated\s+with)",
    r"previously\s+(?:tried|treated\s+with)",
    r"prior\s+(?:treatment|therapy|use)\s+with",
    r"\btried\b",
)
_NEGATION_BEFORE = re.compile(r"\b(?:no|not|never|without|nor)\s+(?:\w+\s+){0,2}$", re.I)
_NEGATION_INSIDE = re.compile(r"\b(?:not|never)\b", re.IGNORECASE)
_STEP_PHRASE = re.compile(r"\b(?:" + "|".join(_STEP_PHRASES) + r")", re.IGNORECASE)


class StepTherapyDrug(BaseModel):
    """One drug a criterion requires tried first, with the phrase that says so, the verbatim
    text of the node that names the drug, and that node's span."""

    name: str
    drug_key: str
    phrase: str
    text: str
    span: Span | None = None
    classes: list[str] = Field(default_factory=list)


def step_therapy_phrase(text: str) -> str | None:
    """The first step-therapy phrase in ``text`` as printed (``"tried and failed"``), or None.

    A negated phrase is not one: "NO prior therapy with ..." and "has not tried ..." exclude
    those drugs rather than require them.
    """
    for match in _STEP_PHRASE.finditer(text):
        if not _NEGATION_BEFORE.search(text[max(0, match.start() - 24) : match.start()]):
            if not _NEGATION_INSIDE.search(match.group()):
                return " ".join(match.group().split())
    return None


def step_therapy_drugs(node: CriteriaNode) -> list[StepTherapyDrug]:
    """Every drug the (sub)tree requires tried first, in tree order; one entry per drug per
    node (a drug named twice in one criterion counts once)."""
    return list(_walk(node, inherited=None))


def _walk(node: CriteriaNode, inherited: str | None) -> Iterator[StepTherapyDrug]:
    phrase = step_therapy_phrase(node.text) or inherited
    if phrase is not None:
        yield from _drugs_of(node, phrase)
    handed_down = phrase if phrase is not None and _is_lead_in(node) else None
    for child in node.children:
        yield from _walk(child, handed_down)


def _drugs_of(node: CriteriaNode, phrase: str) -> Iterator[StepTherapyDrug]:
    mentions = find_drug_mentions(node.text)
    classes = _unique([m.name for m in mentions if m.kind == "class"] + drug_classes(node.text))
    seen: set[str] = set()
    for mention in mentions:
        if mention.kind != "drug" or mention.drug_key in seen:
            continue
        seen.add(mention.drug_key)
        yield StepTherapyDrug(
            name=mention.name,
            drug_key=mention.drug_key,
            phrase=phrase,
            text=node.text,
            span=node.span,
            classes=classes,
        )


def _is_lead_in(node: CriteriaNode) -> bool:
    """A node that announces its children ("... of the following:") passes its phrase on."""
    if not node.children:
        return False
    return node.operator is not None or criteria_operator(node.text)[0] is not None


def _unique(names: list[str]) -> list[str]:
    """First of each name, case aside, in order."""
    kept: dict[str, str] = {}
    for name in names:
        kept.setdefault(name.lower(), name)
    return list(kept.values())
