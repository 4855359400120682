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
from collections.abc import Iterator, Mapping

from pydantic import BaseModel, Field

from ..blocks import Span
from ..model import CriteriaNode
from ..phrases.criteria import criteria_operator
from .drug_classes import drug_classes, longest_mentions
from .drug_names import find_drug_mentions

__all__ = [
    "StepTherapyDrug",
    "StepTherapyRequirement",
    "step_therapy_drugs",
    "step_therapy_phrase",
    "step_therapy_requirements",
]

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
    r"(?:at\s+least\s+\w+\s+)?prior\s+lines?\s+of",
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


class StepTherapyRequirement(BaseModel):
    """One step-therapy criterion: its phrase, verbatim text and span, the drugs it names and
    the drug classes it names (a class alone names no drug)."""

    phrase: str
    text: str
    span: Span | None = None
    drugs: list[StepTherapyDrug] = Field(default_factory=list)
    classes: list[str] = Field(default_factory=list)


def step_therapy_phrase(text: str) -> str | None:
    """The first step-therapy phrase in ``text`` as printed (``"tried and failed"``), or None.

    A negated phrase is not one: "NO prior therapy with ..." and "has not tried ..." exclude
    those drugs rather than require them.
    """
    for match in _STEP_PHRASE.finditer(text):
        before = text[max(0, match.start() - 24) : match.start()]
        if not _NEGATION_BEFORE.search(before) and not _NEGATION_INSIDE.search(match.group()):
            return " ".join(match.group().split())
    return None


def step_therapy_drugs(
    node: CriteriaNode, aliases: Mapping[str, str] | None = None
) -> list[StepTherapyDrug]:
    """Every drug the (sub)tree requires tried first, in tree order; one entry per name per
    node (a name printed twice in one criterion counts once; two brands of one generic are
    two entries with the same ``drug_key``). ``aliases``: the policy's own brand -> generic
    names (``normalize.policy_drug_aliases``), for brands the dictionary does not know yet."""
    return [drug for found in step_therapy_requirements(node, aliases) for drug in found.drugs]


def step_therapy_requirements(
    node: CriteriaNode, aliases: Mapping[str, str] | None = None
) -> list[StepTherapyRequirement]:
    """Each step-therapy criterion of the (sub)tree that names drugs or drug classes, in tree
    order: "has tried a TNF inhibitor" is one, with a class and no drug."""
    return list(_walk(node, None, aliases or {}))


def _walk(
    node: CriteriaNode, inherited: str | None, aliases: Mapping[str, str]
) -> Iterator[StepTherapyRequirement]:
    phrase = step_therapy_phrase(node.text) or inherited
    if phrase is not None:
        requirement = _requirement(node, phrase, aliases)
        if requirement.drugs or requirement.classes:
            yield requirement
    handed_down = phrase if phrase is not None and _is_lead_in(node) else None
    for child in node.children:
        yield from _walk(child, handed_down, aliases)


def _requirement(
    node: CriteriaNode, phrase: str, aliases: Mapping[str, str]
) -> StepTherapyRequirement:
    mentions = find_drug_mentions(node.text, aliases)
    named = [m.name for m in mentions if m.kind == "class"]
    classes = longest_mentions(named + drug_classes(node.text))
    drugs: dict[str, StepTherapyDrug] = {}
    for mention in mentions:
        if mention.kind == "drug" and mention.name.lower() not in drugs:
            drugs[mention.name.lower()] = StepTherapyDrug(
                name=mention.name,
                drug_key=mention.drug_key,
                phrase=phrase,
                text=node.text,
                span=node.span,
                classes=classes,
            )
    return StepTherapyRequirement(
        phrase=phrase, text=node.text, span=node.span, drugs=list(drugs.values()), classes=classes
    )


def _is_lead_in(node: CriteriaNode) -> bool:
    """A node that announces its children ("... of the following:") passes its phrase on."""
    if not node.children:
        return False
    return node.operator is not None or criteria_operator(node.text)[0] is not None
