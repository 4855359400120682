"""How a criterion combines its sub-items: ``"all the following"``, ``"either of"``,
``"at least two of"``."""

from __future__ import annotations

import re

from ..model import Operator
from .quantities import NUMBER, parse_number

__all__ = ["criteria_operator", "enumerated_operator", "strip_criterion_text"]

_AT_LEAST = re.compile(
    rf"\bat\s+least\s+(?P<n>{NUMBER})\s+(?:\(\d+\)\s+)?(?:of|from)\b", re.IGNORECASE
)
_ANY = re.compile(
    r"\b(?:either|one|any)(?:\s+or\s+more)?\s+(?:of\s+)?(?:the\s+)?following\b|\beither\s+of\b",
    re.IGNORECASE,
)
_ALL = re.compile(r"\b(?:all|both|each)\s+(?:of\s+)?(?:the\s+)?following\b", re.IGNORECASE)
# A lead-in that ends by enumerating its items' labels: "(i, ii, and iii)", "(A or B):".
_ENUMERATION = re.compile(
    r"[(\[][^()\[\]]*?(?:\([^()]*\)[^()\[\]]*?)*\b(?P<word>and/or|and|or)\s+\(?[A-Za-z0-9]{1,5}\)?"
    r"\s*[)\]]\s*:?\s*$",
    re.IGNORECASE,
)
# A word each of the three needs: a text with none announces no operator.
_CUE = re.compile(r"following|either|at\s+least", re.IGNORECASE)


def criteria_operator(text: str) -> tuple[Operator | None, int | None]:
    """``("at_least", 2)``, ``("any", None)``, ``("all", None)`` or ``(None, None)``.

    The last announcement in the text wins: ``"For GVHD and all the following"`` is ``all``.
    """
    found: list[tuple[int, Operator, int | None]] = []
    if not _CUE.search(text):
        return None, None
    for match in _AT_LEAST.finditer(text):
        found.append((match.start(), "at_least", int(parse_number(match.group("n")))))
    for match in _ANY.finditer(text):
        found.append((match.start(), "any", None))
    for match in _ALL.finditer(text):
        found.append((match.start(), "all", None))
    if not found:
        return None, None
    _, operator, count = max(found)
    if operator == "at_least" and count == 1:
        return "any", None
    return operator, count


def strip_criterion_text(text: str) -> str:
    """Criterion text as stored: verbatim minus the trailing colon."""
    return text.strip().removesuffix(":").rstrip()


def enumerated_operator(text: str) -> Operator | None:
    """``all`` for a lead-in ending "(i, ii, and iii)", ``any`` for "(A or B)" (or "and/or");
    None when the text ends with no such enumeration of its items' labels."""
    match = _ENUMERATION.search(text)
    if match is None:
        return None
    return "all" if match.group("word").lower() == "and" else "any"
