"""Dates and dated statements: "Effective Date: January 1, 2026", "Last Review Date: 08/15/2025".

``parse_date`` reads one date in the forms payers print (``03/15/2026``, ``2025-09-10``,
``January 1, 2026``, ``Mar 10, 2025``, ``09/2025``, ``March 2025``, ``3Q2025``) as an ISO date; a
month-only date is the first of its month, a quarter the first day of the quarter.
``find_dated_statements`` finds labelled dates in a line ("Effective Date", "Publish Date",
"Last Review Date", "Date of Origin", "Revised", "Next Review Date"...), where the label starts
the line or a table cell; a date inside a sentence ("(Effective 04/01/2026)" after a code) is
not the policy's date.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..model import DateKind

__all__ = ["DATE", "DatedStatement", "find_dated_statements", "parse_date"]

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
DATE = (
    r"(?:\d{1,2}/\d{1,2}/\d{4}|\d{1,2}/\d{1,2}/\d{2}(?!\d)|\d{4}-\d{2}-\d{2}|\d{1,2}-\d{1,2}-\d{4}"
    rf"|{_MONTH}\.?\s{{1,3}}\d{{1,2}},?\s{{1,3}}\d{{4}}|{_MONTH}\.?,?\s{{1,3}}\d{{4}}"
    r"|\d{1,2}/\d{4}|[1-4]Q\s?\d{4})"
)
_DATE = re.compile(DATE, re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_NUMERIC = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{2,4})$")
_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_MONTH_DAY_YEAR = re.compile(r"^([a-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})$", re.IGNORECASE)
_MONTH_YEAR = re.compile(r"^([a-z]+)\.?,?\s+(\d{4})$", re.IGNORECASE)
_SLASH_MONTH_YEAR = re.compile(r"^(\d{1,2})/(\d{4})$")
_QUARTER = re.compile(r"^([1-4])Q\s?(\d{4})$", re.IGNORECASE)


def _iso(year: int, month: int, day: int) -> str | None:
    if not (1 <= month <= 12 and 1 <= day <= 31 and 1900 <= year <= 2199):
        return None
    return f"{year:04d}-{month:02d}-{day:02d}"


def parse_date(text: str) -> str | None:
    """``"January 1, 2026"`` -> ``"2026-01-01"``; None when ``text`` is not one date."""
    text = " ".join(text.split()).strip(" .,")
    if match := _NUMERIC.match(text):
        month, day, year = (int(g) for g in match.groups())
        return _iso(year + 2000 if year < 100 else year, month, day)
    if match := _ISO.match(text):
        year, month, day = (int(g) for g in match.groups())
        return _iso(year, month, day)
    if match := _MONTH_DAY_YEAR.match(text):
        month_number = _MONTHS.get(match.group(1).lower())
        if month_number:
            return _iso(int(match.group(3)), month_number, int(match.group(2)))
        return None
    if match := _MONTH_YEAR.match(text):
        month_number = _MONTHS.get(match.group(1).lower())
        return _iso(int(match.group(2)), month_number, 1) if month_number else None
    if match := _SLASH_MONTH_YEAR.match(text):
        return _iso(int(match.group(2)), int(match.group(1)), 1)
    if match := _QUARTER.match(text):
        return _iso(int(match.group(2)), 3 * int(match.group(1)) - 2, 1)
    return None


_LABELS: tuple[tuple[DateKind, str], ...] = (
    ("next_review", r"next\s+(?:annual\s+)?review(?:\s+date)?|review\s+due(?:\s+date)?"),
    (
        "original",
        r"original\s+(?:policy\s+|effective\s+)?date|date\s+of\s+origin|origination\s+date"
        r"|date\s+originated|original\s+approval(?:\s+date)?",
    ),
    ("effective", r"(?:policy\s+)?effective\s+date|effective\s+on|effective"),
    (
        "reviewed",
        r"(?:date\s+of\s+)?last\s+(?:annual\s+)?review(?:ed)?(?:\s+date)?|dates?\s+reviewed"
        r"|(?:annual\s+)?review\s+date|reviewed(?:\s+date)?|p&t\s+approval\s+date",
    ),
    ("revised", r"(?:last\s+)?revis(?:ed|ion)(?:\s+date)?|date\s+revised|last\s+updated"),
    ("published", r"publish(?:ed)?\s+date|publication\s+date|date\s+published|published"),
)
_LABEL = re.compile(
    r"(?:^|\|)\s*(?:"
    + "|".join(f"(?P<{kind}>{pattern})" for kind, pattern in _LABELS)
    + r")\s*[:.…|\s]{0,80}?(?P<dates>"
    + DATE
    + r"(?:\s{0,3}[,;]\s{0,3}"
    + DATE
    + r"){0,200})",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class DatedStatement:
    """One labelled date: its kind, the ISO date and the words it was read from."""

    kind: DateKind
    date: str
    text: str


def find_dated_statements(line: str) -> list[DatedStatement]:
    """Every labelled date in ``line``; a label with a list of dates gives one per date."""
    found: list[DatedStatement] = []
    if not _DIGIT.search(line):  # every date has a digit
        return found
    for match in _LABEL.finditer(line[:5000]):
        kind = next(k for k, _ in _LABELS if match.group(k) is not None)
        text = match.group(0).strip(" |")
        for date_text in _DATE.findall(match.group("dates")):
            iso = parse_date(date_text)
            if iso is not None:
                found.append(DatedStatement(kind, iso, text))
    return found
