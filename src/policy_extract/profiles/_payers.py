"""Which health plan published a document, from the names it prints.

Payers name themselves in a logo line, a running footer, a disclaimer ("health benefit plans
administered by Cigna Companies") or their policy numbering. ``find_payer`` looks for the names
of known US health plans and pharmacy-benefit managers in the first pages and the page
furniture, and returns the name as the document prints it. Unknown payers stay null.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from ..blocks import Block, Furniture, Span

__all__ = ["find_payer"]

# Longest names first, so "Blue Cross Blue Shield Association" wins over "Blue Cross".
_PAYER_NAMES = (
    r"Blue\s+Cross\s+(?:and\s+|&\s+)?Blue\s+Shield\s+Association",
    r"Blue\s+Cross\s+(?:and\s+|&\s+)?Blue\s+Shield\s+of\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?",
    r"Blue\s+Shield\s+of\s+California",
    r"Blue\s+Cross\s+of\s+[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?",
    r"UnitedHealthcare",
    r"United\s+Healthcare",
    r"Cigna",
    r"Aetna",
    r"Anthem",
    r"Carelon",
    r"Elevance\s+Health",
    r"EmblemHealth",
    r"Prime\s+Therapeutics",
    r"Humana",
    r"Kaiser\s+Permanente",
    r"Priority\s+Health",
    r"Highmark",
    r"Florida\s+Blue",
    r"Premera\s+Blue\s+Cross",
    r"Regence",
    r"Wellmark",
    r"Excellus",
    r"Independence\s+Blue\s+Cross",
    r"Horizon\s+Blue\s+Cross\s+Blue\s+Shield\s+of\s+New\s+Jersey",
    r"CareFirst",
    r"Molina\s+Healthcare",
    r"Centene",
    r"Health\s+Net",
    r"Ambetter",
    r"WellCare",
    r"Optum(?:Rx)?",
    r"Express\s+Scripts",
    r"CVS\s+Caremark",
    r"Oscar\s+Health",
    r"Harvard\s+Pilgrim",
    r"Tufts\s+Health\s+Plan",
    r"Point32Health",
    r"Medica",
    r"HealthPartners",
    r"Geisinger",
    r"UPMC\s+Health\s+Plan",
    r"Capital\s+Blue\s+Cross",
    r"Federal\s+Employee\s+Program",
)
# Every name starts with a letter of its own: looking ahead for one of those letters first lets
# the search skip, at one test, the positions where no name can start (most of them).
_FIRST_LETTERS = "".join(sorted({name[0] for name in _PAYER_NAMES}))
assert _FIRST_LETTERS.isalpha()
_PAYER = re.compile(rf"\b(?=[{_FIRST_LETTERS}])(?:" + "|".join(_PAYER_NAMES) + r")(?![a-z])")
_TRADEMARK = re.compile(r"[®™]")


def _candidates(
    blocks: Sequence[Block], furniture: Sequence[Furniture], pages: int
) -> Iterable[tuple[str, Span]]:
    for block in blocks:
        if (block.span.page or 1) > pages:
            break
        yield block.full_text, block.span
    for item in furniture:
        yield item.text, item.span


def find_payer(
    blocks: Sequence[Block], furniture: Sequence[Furniture] = (), pages: int = 2
) -> tuple[str, Span] | None:
    """The payer named most often in the first ``pages`` pages and the furniture (ties: the
    first named), with where it was first read; None when no known payer is named."""
    counts: dict[str, int] = {}
    first: dict[str, Span] = {}
    for text, span in _candidates(blocks, furniture, pages):
        if "®" in text or "™" in text:
            text = _TRADEMARK.sub("", text)
        for match in _PAYER.finditer(text):
            name = " ".join(match.group(0).split())
            counts[name] = counts.get(name, 0) + 1
            first.setdefault(name, span)
    if not counts:
        return None
    best = max(counts, key=lambda name: (counts[name], -list(first).index(name)))
    return best, first[best]
