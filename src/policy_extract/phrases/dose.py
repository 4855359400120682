"""Dose lines: ``"Weight less than 30 kg: Up to 10 mg/kg given as an IV infusion every 4 weeks
(maximum 800 mg per infusion); may increase to 15 mg/kg"``."""

from __future__ import annotations

import re

from ..model import Dose, Quantity, TimeUnit, Timing
from .connectors import split_trailing_connector
from .quantities import AMOUNT_UNIT, NUMBER, canonical_unit, parse_number, time_unit

__all__ = ["parse_dose", "parse_route", "parse_timing"]

_APPLIES_WHEN = re.compile(r"^(?P<when>[^:]{2,120}?):\s*(?=(?:up to\s+)?\d)", re.IGNORECASE)
_UP_TO = re.compile(r"^\s*up to\b", re.IGNORECASE)
_ESCALATION = re.compile(
    r"\b(?:may|can)\s+(?:be\s+)?(?:increase[sd]?|escalate[sd]?|titrate[sd]?)\s+(?:up\s+)?to\s+",
    re.IGNORECASE,
)
_MAXIMUM = re.compile(
    r"\b(?:maximum(?:\s+of)?|max(?:imum)?\.?|not\s+to\s+exceed|up\s+to\s+a\s+maximum\s+of)\s+",
    re.IGNORECASE,
)
_ROUTES = [
    (re.compile(r"\b(?:IV|intravenous(?:ly)?)\b", re.IGNORECASE), "intravenous"),
    (re.compile(r"\b(?:SC|SQ|subcutaneous(?:ly)?)\b", re.IGNORECASE), "subcutaneous"),
    (re.compile(r"\b(?:IM|intramuscular(?:ly)?)\b", re.IGNORECASE), "intramuscular"),
    (re.compile(r"\bintrathecal(?:ly)?\b", re.IGNORECASE), "intrathecal"),
    (re.compile(r"\bintravitreal(?:ly)?\b", re.IGNORECASE), "intravitreal"),
    (re.compile(r"\b(?:oral(?:ly)?|by mouth|PO)\b", re.IGNORECASE), "oral"),
]
_TIMES_PER = re.compile(
    rf"\b(?P<n>once|twice|thrice|(?:{NUMBER})\s+times)\s+(?:(?:a|per|each|every)\s+)?"
    r"(?P<unit>day|daily|week|weekly|month|monthly|hour)\b",
    re.IGNORECASE,
)
_EVERY = re.compile(
    rf"\b(?:every|each|q)\s+(?P<other>other\s+)?(?:(?P<n>{NUMBER})\s+)?"
    r"(?P<unit>hours?|hrs?|days?|weeks?|wks?|months?|years?)\b",
    re.IGNORECASE,
)
_PER_UNIT = re.compile(r"\b(?:per|a|each)\s+(?P<unit>day|week|month)\b", re.IGNORECASE)
_ADVERB = re.compile(r"\b(?P<unit>daily|weekly|monthly|yearly|annually)\b", re.IGNORECASE)
_ADVERB_UNITS: dict[str, TimeUnit] = {
    "daily": "d",
    "weekly": "wk",
    "monthly": "mo",
    "yearly": "a",
    "annually": "a",
}
_COUNT_WORDS = {"once": 1, "twice": 2, "thrice": 3}


def parse_dose(text: str) -> Dose:
    """Read one dose line; fields the grammar cannot find stay None.

    A trailing connector (``", or"``) is the relation to the next dose: it goes to ``joined_by``,
    not ``text``.
    """
    text, joined_by = split_trailing_connector(text)
    body = text.strip()
    applies_when = None
    match = _APPLIES_WHEN.match(body)
    if match and not AMOUNT_UNIT.fullmatch(match.group("when").strip()):
        applies_when = match.group("when").strip()
        body = body[match.end() :]
    main, maximum = _split_maximum(body)  # first: a cap may follow the escalation clause
    main, escalation = _split_escalation(main)
    amount = AMOUNT_UNIT.search(main)
    return Dose(
        text=text,
        amount=parse_number(amount.group("amount")) if amount else None,
        unit=canonical_unit(amount.group("unit")) if amount else None,
        up_to=bool(_UP_TO.match(main)),
        route=parse_route(main),
        timing=parse_timing(main),
        max_per_administration=maximum,
        applies_when=applies_when,
        escalation_to=escalation,
        joined_by=joined_by,
    )


def parse_route(text: str) -> str | None:
    """The route named in ``text`` (``"IV infusion"`` -> ``"intravenous"``), or None."""
    for pattern, route in _ROUTES:
        if pattern.search(text):
            return route
    return None


def parse_timing(text: str) -> Timing | None:
    """FHIR-style repeat: ``"twice per day"`` -> 2/1 d; ``"every 4 weeks"`` -> 1/4 wk.

    A single administration (``"once"`` alone) has no repeat, so it gives None.
    """
    match = _TIMES_PER.search(text)
    if match:
        count = match.group("n").lower()
        frequency = _COUNT_WORDS.get(count) or int(parse_number(count.split()[0]))
        word = match.group("unit").lower()
        unit = _ADVERB_UNITS.get(word) or _unit_code(word)
        return Timing(frequency=frequency, period=1, period_unit=unit)
    match = _EVERY.search(text)
    if match:
        period = parse_number(match.group("n")) if match.group("n") else 1
        if match.group("other"):
            period = 2
        return Timing(frequency=1, period=period, period_unit=_unit_code(match.group("unit")))
    match = _PER_UNIT.search(text) or _ADVERB.search(text)
    if match:
        word = match.group("unit").lower()
        unit = _ADVERB_UNITS.get(word) or _unit_code(word)
        return Timing(frequency=1, period=1, period_unit=unit)
    return None


def _unit_code(word: str) -> TimeUnit:
    code = time_unit(word)
    assert code is not None, word  # the patterns above only match known time words
    return code


def _split_escalation(text: str) -> tuple[str, Quantity | None]:
    """``"...; may increase to 10 mg/kg ..."``: the amount, and the text before the clause."""
    found = _quantity_after(_ESCALATION, text)
    if found is None:
        return text, None
    start, _end, quantity = found
    return text[:start], quantity


def _split_maximum(text: str) -> tuple[str, Quantity | None]:
    """``"(maximum 800 mg per infusion)"``: the cap, and the text without it."""
    found = _quantity_after(_MAXIMUM, text)
    if found is None:
        return text, None
    start, end, quantity = found
    return text[:start] + text[end:], quantity


def _quantity_after(lead: re.Pattern[str], text: str) -> tuple[int, int, Quantity] | None:
    """Where ``lead`` followed directly by an amount and unit starts and ends, and the amount."""
    match = lead.search(text)
    amount = AMOUNT_UNIT.match(text, match.end()) if match else None
    if match is None or amount is None:
        return None
    quantity = Quantity(
        value=parse_number(amount.group("amount")), unit=canonical_unit(amount.group("unit"))
    )
    return match.start(), amount.end(), quantity
