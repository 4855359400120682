"""Numbers, units and time words shared by the dose and period grammars."""

from __future__ import annotations

import re

from ..model import TimeUnit

__all__ = ["AMOUNT_UNIT", "NUMBER", "TIME_UNITS", "parse_number", "time_unit"]

_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a": 1, "an": 1, "single": 1,
}  # fmt: skip
# Thousands groups are bounded: an unbounded "(?:,\d{3})+" rescans a long "1,000,000,..." run from
# every group in it, which is quadratic in the line's length.
_DECIMAL = r"(?:\d{1,3}(?:,\d{3}){1,7}|\d+)(?:\.\d+)?"
NUMBER = _DECIMAL + "|" + "|".join(sorted(_WORDS, key=len, reverse=True))
# Dose units, longest first so "mg/kg" wins over "mg".
_UNITS = [
    "mg/kg", "mg/m2", "mg/m²", "mcg/kg", "units/kg", "unit/kg", "IU/kg", "mL/kg", "g/kg",
    "mg", "mcg", "µg", "g", "units", "unit", "IU", "mL", "vials", "vial",
]  # fmt: skip
AMOUNT_UNIT = re.compile(
    rf"(?<![\w.])(?P<amount>{_DECIMAL})\s*+"
    rf"(?P<unit>{'|'.join(re.escape(u) for u in _UNITS)})(?![\w/])",
    re.IGNORECASE,
)
TIME_UNITS: dict[str, TimeUnit] = {
    "hour": "h", "hours": "h", "hr": "h", "hrs": "h",
    "day": "d", "days": "d",
    "week": "wk", "weeks": "wk", "wk": "wk", "wks": "wk",
    "month": "mo", "months": "mo", "mo": "mo",
    "year": "a", "years": "a", "yr": "a", "yrs": "a",
}  # fmt: skip


def parse_number(text: str) -> int | float:
    """``"1,000"`` -> 1000, ``"2.5"`` -> 2.5, ``"two"`` -> 2."""
    word = _WORDS.get(text.lower())
    if word is not None:
        return word
    value = float(text.replace(",", ""))
    return int(value) if value.is_integer() else value


def time_unit(word: str) -> TimeUnit | None:
    """UCUM code for a time word (``"weeks"`` -> ``"wk"``), or None."""
    return TIME_UNITS.get(word.lower())


def canonical_unit(unit: str) -> str:
    """Dose units as policies write them: ``"MG/KG"`` -> ``"mg/kg"``, ``"iu"`` -> ``"IU"``."""
    lowered = unit.lower()
    if lowered.startswith("iu"):
        return "IU" + unit[2:]
    if lowered.startswith("ml"):
        return "mL" + lowered[2:]
    return lowered.replace("m²", "m2")
