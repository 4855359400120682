"""Drug names through a maintained drug dictionary, ``drug-named-entity-recognition``.

The dictionary (DrugBank, MeSH, Wikipedia and NHS names, MIT licence) maps brand names and
synonyms to one canonical name: ``"Remicade"`` -> ``"Infliximab"``. It is an optional extra
(``pip install "policy-extract[library]"``), imported on first use: loading it takes about two
seconds and some 350 MB, once per process. Only its offline dictionary is used, never its web
look-ups (PubChem, OMOP), so the same text always gives the same names.
"""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping
from typing import Any, Literal

from pydantic import BaseModel

from ..errors import PolicyExtractError

__all__ = [
    "DrugLibraryMissingError",
    "DrugMention",
    "clean_drug_name",
    "drug_dictionary_release",
    "drug_slug",
    "find_drug_mentions",
    "strip_biosimilar_suffix",
]

# A biosimilar's or new formulation's FDA suffix: a hyphen and four lowercase letters after
# a generic name ("infliximab-dyyb", "denosumab-bbdz", "daxibotulinumtoxinA-lanm").
_BIOSIMILAR_SUFFIX = re.compile(r"(?<=[A-Za-z]{5})-[a-z]{4}\b(?![-'’])")
# Words as the dictionary holds them: letters and digits, inner hyphens kept ("beta-1a").
_WORD = re.compile(r"[A-Za-z0-9]+(?:-[A-Za-z0-9]+)*")
_PARENTHESISED = re.compile(r"\s*\([^()]*\)")
_MARKS = re.compile(r"[®™©℠*]")
_NON_WORD = re.compile(r"[^a-z0-9]+")

_DISTRIBUTION = "drug-named-entity-recognition"

FindDrugs = Callable[..., list[tuple[dict[str, Any], int, int]]]


class DrugLibraryMissingError(PolicyExtractError):
    """The optional drug-name dictionary is not installed."""


class DrugMention(BaseModel):
    """A drug named in a text: the words as printed, their place, and the generic key.

    ``kind`` is ``"class"`` for the dictionary's MeSH descriptors that name a group of drugs
    or substances ("bisphosphonates", "TNF inhibitor", "NSAID"): entries with neither a
    DrugBank nor a MedlinePlus drug identifier.
    """

    name: str
    drug_key: str
    kind: Literal["drug", "class"]
    start: int
    end: int


def drug_dictionary_release() -> str:
    """The dictionary in use, for a library's metadata: keys may change when it changes
    (``"drug-named-entity-recognition 2.0.9"``)."""
    try:
        return f"{_DISTRIBUTION} {importlib.metadata.version(_DISTRIBUTION)}"
    except importlib.metadata.PackageNotFoundError:
        return f"{_DISTRIBUTION} (not installed)"


def clean_drug_name(name: str) -> str:
    """Compatibility characters folded, trademark signs dropped, spaces collapsed."""
    text = unicodedata.normalize("NFKC", _MARKS.sub("", name))
    return " ".join(text.replace("’", "'").split())


def strip_biosimilar_suffix(name: str) -> str:
    """``"infliximab-dyyb"`` -> ``"infliximab"``: the suffix grammar, not a list of suffixes."""
    return _BIOSIMILAR_SUFFIX.sub("", name)


def drug_slug(name: str) -> str:
    """The key form of a name: lowercase words joined by hyphens, parentheses and the
    biosimilar suffix removed (``"Risankizumab-rzaa"`` -> ``"risankizumab"``)."""
    text = strip_biosimilar_suffix(_PARENTHESISED.sub("", clean_drug_name(name)))
    return _NON_WORD.sub("-", text.lower()).strip("-")


@functools.cache
def _find_drugs() -> FindDrugs:
    try:
        module = importlib.import_module("drug_named_entity_recognition")
    except ImportError as error:
        raise DrugLibraryMissingError(
            None,
            "the drug-name dictionary is not installed: "
            'pip install "policy-extract[library]" (drug-named-entity-recognition)',
        ) from error
    finder: FindDrugs = module.find_drugs
    return finder


# Dictionary entries that map an everyday word to a drug (a defect of the data, not a name a
# policy uses for a drug): "generics" is a synonym of oxazepam there.
_DICTIONARY_ERRATA = frozenset({"generics"})

# (first word, end word, canonical name or key, kind)
Found = tuple[int, int, str, Literal["drug", "class"]]


@functools.lru_cache(maxsize=65536)
def _canonical_for_words(words: tuple[str, ...]) -> tuple[Found, ...]:
    """(first word, end word, canonical name, kind) for each entry the dictionary finds."""
    matches = _find_drugs()(list(words), is_ignore_case=True)
    found: dict[tuple[int, int], tuple[str, Literal["drug", "class"]]] = {}
    for data, start, end in matches:
        name = data.get("name")
        surface = " ".join(words[start:end]).lower()
        if not isinstance(name, str) or (start, end) in found or surface in _DICTIONARY_ERRATA:
            continue
        is_drug = "drugbank_id" in data or "medline_plus_id" in data
        found[(start, end)] = (name, "drug" if is_drug else "class")
    return tuple(sorted((start, end, *entry) for (start, end), entry in found.items()))


def find_drug_mentions(text: str, aliases: Mapping[str, str] | None = None) -> list[DrugMention]:
    """Every drug (and drug class) the dictionary knows in ``text``, in reading order, each
    with its generic key; with ``aliases`` (a name's slug -> generic key, the names a policy
    prints in its own title and product table) also the brands the dictionary lacks.

    A biosimilar suffix is stripped before the look-up, so ``"adalimumab-aaty"`` is found even
    where the dictionary lacks that suffix. Mentions never overlap: the earlier one wins.
    """
    spans = [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text)]
    words = tuple(strip_biosimilar_suffix(word) for _, _, word in spans)
    found = [
        (first, end, drug_slug(canonical), kind)
        for first, end, canonical, kind in _canonical_for_words(words)
    ]
    if aliases:
        found.extend(_alias_words(words, aliases))
    mentions: list[DrugMention] = []
    taken_until = 0
    for first, end, key, kind in sorted(found, key=lambda item: (item[0], -item[1])):
        if first < taken_until:
            continue
        taken_until = end
        start_at, end_at = spans[first][0], spans[end - 1][1]
        mentions.append(
            DrugMention(
                name=text[start_at:end_at], drug_key=key, kind=kind, start=start_at, end=end_at
            )
        )
    return mentions


def _alias_words(words: tuple[str, ...], aliases: Mapping[str, str]) -> Iterator[Found]:
    """(first word, end word, generic key, "drug") for each run of up to three words whose
    slug is one of the policy's own names."""
    for first in range(len(words)):
        for size in (3, 2, 1):
            end = first + size
            if end <= len(words) and (slug := drug_slug(" ".join(words[first:end]))) in aliases:
                yield first, end, aliases[slug], "drug"
                break
