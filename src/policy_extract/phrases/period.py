"""Coverage-period lines: ``"Initial: 6 months"``, ``"To allow for up to 21 doses"``,
``"40 mg/kg dose for 4 days, or"`` (the ``or`` goes to ``joined_by``),
``"Continuation: Yearly, based upon ..."``."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from ..model import Dose, Period, Quantity
from .connectors import split_trailing_connector
from .quantities import AMOUNT_UNIT, NUMBER, canonical_unit, parse_number, time_unit

__all__ = ["link_period_to_dose", "parse_period"]

_PHASE = re.compile(
    r"^\s*(?P<phase>initial(?:\s+(?:authorization|approval|therapy))?|continuation(?:\s+of\s+therapy)?"
    r"|renewal|reauthorization|re-authorization|continued\s+therapy)\s*:\s*",
    re.IGNORECASE,
)
_MAX_DOSES = re.compile(rf"\b(?:up\s+to\s+)?(?P<n>{NUMBER})\s+(?:total\s+)?doses?\b", re.IGNORECASE)
_DURATION = re.compile(
    rf"(?:\b(?:up\s+to|for|of|x)\s+|^\s*)(?P<n>{NUMBER})[\s-]+"
    r"(?P<unit>hours?|days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_YEARLY = re.compile(r"^\s*(?:yearly|annually|annual|one\s+year)\b", re.IGNORECASE)
_INTERVAL = re.compile(
    rf"\bat\s+least\s+(?P<n>{NUMBER})\s+(?P<unit>hours?|days?|weeks?|months?)\s+apart\b",
    re.IGNORECASE,
)
_DOSE_REF = re.compile(rf"^\s*{AMOUNT_UNIT.pattern}\s+doses?\b", re.IGNORECASE)


def parse_period(text: str) -> Period:
    """Read one coverage-period line; fields the grammar cannot find stay None. A trailing
    connector (``", or"``) goes to ``joined_by``, not ``text``."""
    text, joined_by = split_trailing_connector(text)
    body = text
    phase: Literal["initial", "continuation"] | None = None
    match = _PHASE.match(body)
    if match:
        word = match.group("phase").lower()
        phase = "initial" if word.startswith("initial") else "continuation"
        body = body[match.end() :]
    interval = _quantity(_INTERVAL.search(body))
    if interval is not None:
        body = _INTERVAL.sub("", body)
    max_doses = _MAX_DOSES.search(body)
    duration = _quantity(_DURATION.search(body))
    if duration is None and _YEARLY.match(body):
        duration = Quantity(value=1, unit="a")
    return Period(
        text=text,
        max_doses=int(parse_number(max_doses.group("n"))) if max_doses else None,
        duration=duration,
        phase=phase,
        min_interval=interval,
        joined_by=joined_by,
    )


def link_period_to_dose(period: Period, doses: Sequence[Dose]) -> int | None:
    """Index of the dose a period names by its amount (``"40 mg/kg dose for 4 days"``)."""
    match = _DOSE_REF.match(period.text)
    if not match:
        return None
    amount = parse_number(match.group("amount"))
    unit = canonical_unit(match.group("unit"))
    for index, dose in enumerate(doses):
        if dose.amount == amount and dose.unit == unit:
            return index
    return None


def _quantity(match: re.Match[str] | None) -> Quantity | None:
    if match is None:
        return None
    unit = time_unit(match.group("unit"))
    if unit is None:
        return None
    return Quantity(value=parse_number(match.group("n")), unit=unit)
