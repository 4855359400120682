"""Which condition of a policy a short mention names: "COPD", "asthma", "Chronic sinusitis".

Templates name an indication in full once ("chronic obstructive pulmonary disease (COPD)") and
later by its abbreviation or a shorter form ("Approval Duration for COPD", "Continuation
requests ... for EoE"), and coding tables describe codes in the code set's own words ("Nasal
Polyp", "Other chronic obstructive pulmonary disease"). ``named_condition`` finds the condition
a mention means by its words, never by a list of known names.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..model import ConditionCoverage

__all__ = ["condition_words", "named_condition", "related_condition"]

_PARENTHESES = re.compile(r"\(([^()]*)\)")
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# Words that say nothing about which condition is meant.
_STOP = frozenset(
    {
        *("the", "of", "and", "or", "for", "in", "with", "without", "a", "an", "to", "due"),
        *("other", "unspecified", "disease", "disorder", "chronic", "acute", "patients"),
        *("patient", "treatment", "prevention"),
    }
)


def condition_words(name: str) -> set[str]:
    """The telling words of a name, lower-cased, without its parenthesised abbreviation."""
    bare = _PARENTHESES.sub(" ", name.lower().replace("’", "'"))
    return {w for w in _WORD.findall(bare) if w not in _STOP}


def _abbreviations(name: str) -> set[str]:
    return {inner.strip().lower() for inner in _PARENTHESES.findall(name) if inner.strip()}


def named_condition(
    mention: str, conditions: Sequence[ConditionCoverage]
) -> ConditionCoverage | None:
    """The condition ``mention`` names: the same name, its abbreviation, or its words."""
    text = mention.strip().lower()
    for condition in conditions:
        name = condition.condition.lower()
        if text in (name, _PARENTHESES.sub("", name).strip()) or text in _abbreviations(name):
            return condition
    words = condition_words(mention)
    if not words:
        return None
    found = [c for c in conditions if words <= condition_words(c.condition)]
    return found[0] if len(found) == 1 else None


def _similar(word: str, other: str) -> bool:
    """ "polyp" ~ "polyposis", "sinusitis" ~ "rhinosinusitis": one holds the other."""
    if word == other:
        return True
    short, long_ = sorted((word, other), key=len)
    return len(short) >= 5 and short in long_


def related_condition(
    description: str, conditions: Sequence[ConditionCoverage]
) -> ConditionCoverage | None:
    """The one condition sharing the most telling words with a code's description (the last
    word, its head noun, breaks ties: "Eosinophilic asthma" is asthma); None when no condition
    or more than one fits equally."""
    words = condition_words(description)
    ordered = _WORD.findall(_PARENTHESES.sub(" ", description.lower()))
    head = ordered[-1] if ordered else ""
    scored: list[tuple[float, int]] = []
    for index, condition in enumerate(conditions):
        names = condition_words(condition.condition)
        score = float(sum(1 for w in words if any(_similar(w, n) for n in names)))
        bare = _WORD.findall(_PARENTHESES.sub(" ", condition.condition.lower()))
        if score and bare and _similar(head, bare[-1]):
            score += 0.5
        if score:
            scored.append((score, index))
    if not scored:
        return None
    scored.sort(reverse=True)
    if len(scored) > 1 and scored[0][0] == scored[1][0]:
        return None
    return conditions[scored[0][1]]
