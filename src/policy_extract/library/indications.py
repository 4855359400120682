"""One key per indication, whatever the payer's spelling.

``"Crohn’s Disease"``, ``"Crohn's disease (CD)"``, ``"Crohn disease"`` and ``"CD"`` all give
``"crohns-disease"``. The key folds case, curly and straight apostrophes, possessives,
punctuation, parenthesised abbreviations, plural "diseases"/"syndromes" and a leading
"Treatment of". An abbreviation standing alone is expanded from the document's own definitions
("Ulcerative colitis (UC)") or else from ``ABBREVIATIONS``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping

from pydantic import BaseModel

from ..model import ConditionCoverage, CriteriaNode, Icd10Code, Policy
from .eponyms import possessive_eponyms

__all__ = [
    "ABBREVIATIONS",
    "IndicationKey",
    "document_abbreviations",
    "indication_key",
    "indication_keys_with_codes",
]

# The abbreviations rheumatology, gastroenterology, dermatology and neurology policies print
# alone as an indication's name. A document's own "(UC)" definition wins over this table.
ABBREVIATIONS: dict[str, str] = {
    "AD": "atopic dermatitis",
    "AS": "ankylosing spondylitis",
    "AXSPA": "axial spondyloarthritis",
    "CD": "Crohn's disease",
    "CIDP": "chronic inflammatory demyelinating polyneuropathy",
    "COPD": "chronic obstructive pulmonary disease",
    "CRSWNP": "chronic rhinosinusitis with nasal polyps",
    "EOE": "eosinophilic esophagitis",
    "GCA": "giant cell arteritis",
    "GVHD": "graft-versus-host disease",
    "HS": "hidradenitis suppurativa",
    "JIA": "juvenile idiopathic arthritis",
    "MG": "myasthenia gravis",
    "MS": "multiple sclerosis",
    "NMOSD": "neuromyelitis optica spectrum disorder",
    "NR-AXSPA": "non-radiographic axial spondyloarthritis",
    "PJIA": "polyarticular juvenile idiopathic arthritis",
    "PPMS": "primary progressive multiple sclerosis",
    "PSA": "psoriatic arthritis",
    "PSO": "plaque psoriasis",
    "RA": "rheumatoid arthritis",
    "RMS": "relapsing multiple sclerosis",
    "RRMS": "relapsing-remitting multiple sclerosis",
    "SLE": "systemic lupus erythematosus",
    "SMA": "spinal muscular atrophy",
    "UC": "ulcerative colitis",
}

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'"})
_LEAD_IN = re.compile(r"^\s*(?:the\s+)?(?:treatment|management|therapy)\s+(?:of|for)\s+", re.I)
_ALONE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,11}$")
_PARENTHESISED_ABBREVIATION = re.compile(r"\(\s*([A-Za-z][A-Za-z0-9/-]{0,11})\s*\)")
_POSSESSIVE = re.compile(r"(?<=[A-Za-z])(?:'s\b|s'(?!\w))", re.IGNORECASE)
_PLURAL_FORMS = {"diseases": "disease", "syndromes": "syndrome", "disorders": "disorder"}
_DEFINITION = re.compile(
    r"((?:[A-Za-z][\w'-]*[\s-]+){0,7}[A-Za-z][\w'-]*)\s*\(([A-Za-z][\w-]{1,11})\)"
)
_EPONYM_NOUNS = frozenset({"disease", "syndrome", "palsy"})
_SMALL_WORDS = frozenset({"of", "the", "and", "with", "or", "in", "to", "for", "a", "an"})


class IndicationKey(BaseModel):
    """An indication's key and, where the policy codes it, its ICD-10-CM categories."""

    key: str
    icd10_categories: list[str]


def indication_key(name: str, abbreviations: Mapping[str, str] | None = None) -> str:
    """The key of an indication name (``abbreviations``: the document's own, from
    ``document_abbreviations``; they win over ``ABBREVIATIONS``)."""
    text = unicodedata.normalize("NFKC", name).translate(_APOSTROPHES).strip(" \t.:;,")
    text = _LEAD_IN.sub("", text)
    expanded = _expand_alone(text, abbreviations or {})
    if expanded is not None:
        text = _LEAD_IN.sub("", expanded.translate(_APOSTROPHES))
    text = _PARENTHESISED_ABBREVIATION.sub(_drop_abbreviation, text)
    text = _POSSESSIVE.sub("s", text).replace("'", "")
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    words = [_PLURAL_FORMS.get(word, word) for word in re.findall(r"[a-z0-9]+", ascii_text)]
    return "-".join(_with_possessive_eponyms(words))


def document_abbreviations(policy: Policy) -> dict[str, str]:
    """Abbreviations the policy defines, ``"Ulcerative Colitis (UC)"`` -> ``{"UC": ...}``:
    the letters must come from the words before the parenthesis, in order."""
    found: dict[str, str] = {}
    for text in _policy_texts(policy):
        for match in _DEFINITION.finditer(text.translate(_APOSTROPHES)):
            abbreviation = _singular(match.group(2))
            expansion = _expansion_for(abbreviation, match.group(1))
            if expansion is not None:
                found.setdefault(abbreviation.upper(), expansion)
    return dict(sorted(found.items()))


def indication_keys_with_codes(
    condition: ConditionCoverage, abbreviations: Mapping[str, str] | None = None
) -> IndicationKey:
    """The condition's key and the ICD-10-CM categories (``"K50"``) of the codes it lists."""
    categories = sorted({c for entry in condition.icd10 for c in _icd10_categories(entry)})
    return IndicationKey(
        key=indication_key(condition.condition, abbreviations),
        icd10_categories=categories,
    )


def _icd10_categories(entry: Icd10Code) -> list[str]:
    """``"K50.011"`` -> ``["K50"]``; a range ``"M05.00-M06.9"`` -> every category it spans."""
    first = (entry.start or entry.code).split(".")[0].upper()
    last = (entry.end or entry.code.split("-")[-1]).split(".")[0].upper()
    if first[:1] == last[:1] and first[1:].isdigit() and last[1:].isdigit():
        low, high = sorted((int(first[1:]), int(last[1:])))
        return [f"{first[0]}{number:02d}" for number in range(low, high + 1)]
    return sorted({first, last})


def _expand_alone(text: str, abbreviations: Mapping[str, str]) -> str | None:
    if not _ALONE.match(text) or text.islower():
        return None
    upper = _singular(text).upper()
    return abbreviations.get(upper) or ABBREVIATIONS.get(upper)


def _singular(abbreviation: str) -> str:
    """``"PPIs"`` -> ``"PPI"``: a lowercase plural "s" after capitals is not a letter of it."""
    if abbreviation.endswith("s") and sum(c.isupper() for c in abbreviation[:-1]) >= 2:
        return abbreviation[:-1]
    return abbreviation


def _drop_abbreviation(match: re.Match[str]) -> str:
    inner = match.group(1)
    return " " if any(char.isupper() for char in inner) else match.group(0)


def _with_possessive_eponyms(words: list[str]) -> list[str]:
    """``"crohn disease"`` -> ``"crohns disease"``: a name the ICD-10-CM code set prints as a
    possessive ("Crohn's disease") takes its "s" wherever a payer drops it."""
    eponyms = possessive_eponyms()
    return [
        f"{word}s" if word in eponyms and following in _EPONYM_NOUNS else word
        for word, following in zip(words, [*words[1:], ""], strict=True)
    ]


def _expansion_for(abbreviation: str, before: str) -> str | None:
    """The longest tail of ``before`` (no more words than letters) whose words spell
    ``abbreviation``, or None: "proton pump inhibitors (PPI)", not "pump inhibitors"."""
    letters = re.sub(r"[^a-z]", "", abbreviation.lower())
    words = re.split(r"[\s-]+", before.strip())
    for count in range(min(len(words), len(letters)), 0, -1):
        tail = words[-count:]
        if tail[0].lower() in _SMALL_WORDS:
            continue
        if _spells(letters, [w.lower() for w in tail]):
            return " ".join(tail)
    return None


def _spells(letters: str, words: list[str]) -> bool:
    """Each word gives its first letter and then any of its later letters, in order; small
    words ("with", "of") may give nothing."""
    if not words:
        return not letters
    word, rest = words[0], words[1:]
    if word in _SMALL_WORDS and _spells(letters, rest):
        return True
    if not letters or letters[0] != word[0]:
        return False
    for taken in range(1, len(letters) + 1):
        if _is_subsequence(letters[1:taken], word[1:]) and _spells(letters[taken:], rest):
            return True
    return False


def _is_subsequence(part: str, word: str) -> bool:
    remaining = iter(word)
    return all(char in remaining for char in part)


def _policy_texts(policy: Policy) -> Iterable[str]:
    yield from policy.conditions_listed
    for condition in policy.coverage:
        yield condition.condition
        for tree in (condition.criteria, condition.continuation_criteria):
            if tree is not None:
                yield from _node_texts(tree)
    if policy.general_criteria is not None:
        yield from _node_texts(policy.general_criteria)


def _node_texts(node: CriteriaNode) -> Iterable[str]:
    yield node.text
    for child in node.children:
        yield from _node_texts(child)
