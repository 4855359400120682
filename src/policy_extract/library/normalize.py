"""Keys that compare plans like for like: one generic name per drug, one key per indication.

``drug_key`` resolves brands and biosimilars through the drug-name dictionary
(``drug_names``) and the policy's own title and product table; ``indication_key`` folds the
ways payers print an indication (case, apostrophes, possessives, abbreviations) into one slug.
Every key is derived from the text alone: the same name always gives the same key.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from ..model import Policy
from .drug_names import clean_drug_name, drug_slug, find_drug_mentions
from .indications import (
    ABBREVIATIONS,
    IndicationKey,
    document_abbreviations,
    indication_key,
    indication_keys_with_codes,
)

_LIST_SEPARATOR = re.compile(r"\s*(?:,|&|/|;|\band\b|\bor\b)\s*", re.IGNORECASE)

__all__ = [
    "ABBREVIATIONS",
    "IndicationKey",
    "document_abbreviations",
    "drug_key",
    "indication_key",
    "indication_keys_with_codes",
    "policy_drug_aliases",
    "policy_drug_keys",
]


def drug_key(name: str, aliases: Mapping[str, str] | None = None) -> str:
    """The generic name a drug name stands for, as a key.

    ``"Remicade"``, ``"infliximab-dyyb"`` and ``"Inflectra (infliximab-dyyb)"`` all give
    ``"infliximab"``. The dictionary is asked first; then ``aliases`` (a brand's slug -> its
    generic key, from ``policy_drug_aliases``); a name neither knows keeps its own normalised
    form (``"Zymfentra"`` -> ``"zymfentra"``), never a guess.
    """
    cleaned = clean_drug_name(name)
    mentions = [m for m in find_drug_mentions(cleaned) if m.kind == "drug"]
    if mentions:
        return mentions[0].drug_key
    slug = drug_slug(cleaned)
    if aliases:
        for candidate in (slug, *_part_slugs(cleaned)):
            if candidate in aliases:
                return aliases[candidate]
    return slug or _fallback_slug(cleaned)


def policy_drug_aliases(policy: Policy) -> dict[str, str]:
    """Brand -> generic pairs the policy itself prints: its title's drug and brands, and each
    product's generic and brand names (``"Jubbonti"`` -> ``"denosumab"``)."""
    pairs: list[tuple[str | None, Iterable[str]]] = [
        (policy.drug.generic_name, policy.drug.brand_names),
        *(
            (product.generic_name, [product.name, *product.brand_names])
            for product in policy.products
        ),
    ]
    aliases: dict[str, str] = {}
    for generic, brands in pairs:
        if not generic:
            continue
        generic_key = drug_key(generic)
        for brand in brands:
            aliases.setdefault(drug_slug(brand), generic_key)
    return dict(sorted(aliases.items()))


def policy_drug_keys(policy: Policy) -> list[str]:
    """Sorted unique keys of the policy's drug (generic and brands) and of its products."""
    aliases = policy_drug_aliases(policy)
    names: list[str] = []
    if policy.drug.generic_name:
        names.append(policy.drug.generic_name)
    names.extend(policy.drug.brand_names)
    for product in policy.products:
        names.extend(n for n in (product.generic_name, product.name) if n)
        names.extend(product.brand_names)
    keys = {drug_key(name, aliases) for name in names}
    return sorted(key for key in keys if key)


def _part_slugs(name: str) -> list[str]:
    """The names a product line lists together: ``"Enoby & Xtrenbo"``, ``"A, B, and C"``,
    ``"Brand (generic)"`` -> each name's slug."""
    parts = _LIST_SEPARATOR.split(name.replace("(", ",").replace(")", ","))
    return [slug for slug in (drug_slug(part) for part in parts) if slug]


def _fallback_slug(name: str) -> str:
    """A name made only of parentheses or marks still gets a key: its words, lowercased."""
    return "-".join(name.lower().replace("(", " ").replace(")", " ").split())
