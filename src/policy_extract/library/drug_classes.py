"""Drug classes a criterion names instead of drugs: "a TNF inhibitor", "conventional systemic
therapy", "one corticosteroid", "non-corticosteroid systemic immunosuppressants".

Grammar only: a class noun and the describing words right before it. Nothing is inferred
from a class (no drug is added for "a TNF inhibitor"); the words are kept as printed.
"""

from __future__ import annotations

import re

__all__ = ["drug_classes", "longest_mentions"]

# Nouns that name a class by themselves ("corticosteroids", "biologics").
_CLASS_NAMES = (
    r"DMARDs?|biologics?|corticosteroids?|glucocorticoids?|steroids?|immunosuppressants?|"
    r"immunomodulators?|aminosalicylates?|bisphosphonates?|antibiotics?|NSAIDs?|retinoids?"
)
# Nouns that need a describing word to be a class ("TNF inhibitor", "systemic therapy").
_CLASS_HEADS = (
    r"inhibitors?|blockers?|antagonists?|agonists?|modulators?|therapy|therapies|agents?|"
    r"medications?|drugs?|antibody|antibodies|treatments?"
)
_WORD = r"[A-Za-z0-9][\w-]*"
_CLASS = re.compile(
    rf"((?:{_WORD}\s+){{0,4}})\b(?:(?P<name>{_CLASS_NAMES})|(?P<head>{_CLASS_HEADS}))\b",
    re.IGNORECASE,
)
# Words that cannot describe a class: articles, counts, verbs and connectors of the criterion
# around it ("has tried at least one ... therapy", "examples include ...").
_NOT_DESCRIBING_WORDS = (
    "a an the one two three four at least of to with or and for in on by from is are was were "
    "be been has have had tried try trying currently taking take include includes including "
    "examples example other than already trial trials such as e.g requested this same any these "
    "that those prescribed prior no not previous previously another either both each all more "
    "additional alternative contraindication contraindications intolerance intolerant failure "
    "response inadequate course use used receiving received who which unless after before "
    "following concomitant plus"
)
_NOT_DESCRIBING = frozenset(_NOT_DESCRIBING_WORDS.split())


def drug_classes(text: str) -> list[str]:
    """Class mentions in reading order, each once; a mention inside a longer one is dropped
    (``"systemic therapy"`` when ``"conventional systemic therapy"`` is found)."""
    found: list[str] = []
    for match in _CLASS.finditer(text):
        describing = _describing_words(match.group(1).split())
        if match.group("head") and not describing:
            continue
        mention = " ".join([*describing, match.group("name") or match.group("head")])
        if mention.lower() not in (name.lower() for name in found):
            found.append(mention)
    return longest_mentions(found)


def longest_mentions(names: list[str]) -> list[str]:
    """Each name once (case aside), in order, without those a longer name contains
    (``"calcineurin inhibitors"`` inside ``"topical calcineurin inhibitors"``)."""
    unique = list({name.lower(): name for name in reversed(names)}.values())[::-1]
    return [
        name
        for name in unique
        if not any(
            f" {name.lower()} " in f" {other.lower()} " and len(other) > len(name)
            for other in unique
        )
    ]


def _describing_words(words: list[str]) -> list[str]:
    """The run of describing words that ends right before the class noun."""
    kept: list[str] = []
    for word in reversed(words):
        bare = word.strip("()[],;:.")
        if not bare or bare.lower() in _NOT_DESCRIBING or bare.isdigit():
            break
        if word[-1] in ",;:.)]":  # the word closes an earlier clause
            break
        kept.insert(0, bare)
        if word[0] in "([":  # the class starts inside a parenthesis
            break
    return kept
