"""Approval durations: how long an authorization lasts, and for which phase.

"Approve for 6 months", "Initial authorization will be for no more than 12 months",
"Reauthorization will be for no more than 12 months", "Approval duration: 180 days",
"Prior authorization validity will be provided initially for 12 months", "may be renewed every
12 months thereafter", "Initial Requests: 6 months", "Duration | 3 months". Each gives a
``Period`` with ``duration`` and, where the words say it, ``phase`` ("initial" or
"continuation"); a caller that knows the phase from context (a "Renewal" heading) passes it.
"no more than 4 doses" / "one infusion per lifetime" give ``max_doses``.
"""

from __future__ import annotations

import re
from typing import Literal

from ..model import Period, Quantity
from .quantities import NUMBER, parse_number, time_unit

__all__ = ["Phase", "approval_phase", "is_duration_statement", "parse_approval"]

Phase = Literal["initial", "continuation"]

_DURATION = (
    rf"(?P<n>{NUMBER})\s{{0,3}}(?:\(\d{{1,3}}\)\s{{0,3}})?[-\s]?"
    r"(?P<unit>days?|weeks?|months?|years?)\b"
)
_LIMIT = r"(?:no\s+(?:more|longer)\s+than\s+|up\s+to\s+|a\s+(?:maximum|period|total)\s+of\s+|a\s+)?"
_PATTERNS = (
    # "Approve for 6 months", "may be approved for up to 12 months"
    rf"\bapprov\w*\s+(?:[\w-]+\s+){{0,4}}?for\s+{_LIMIT}{_DURATION}",
    # "Initial authorization will be for no more than 12 months", "authorized for 1 year"
    rf"\b(?:re-?)?authori[sz]\w*\s+(?:[\w-]+\s+){{0,5}}?for\s+{_LIMIT}{_DURATION}",
    # "Authorization of 6 months may be granted", "an approval of up to 12 months"
    rf"\b(?:authori[sz]ation|approval)\s+of\s+{_LIMIT}{_DURATION}",
    # "validity will be provided initially for 12 months", "renewed every 12 months"
    rf"\b(?:validity|renewed|renewal)\s+(?:[\w-]+\s+){{0,4}}?(?:for|every)\s+{_LIMIT}{_DURATION}",
    # "Approval duration: 180 days", "Duration | 3 months", "Initial Requests: 6 months"
    rf"(?:\bduration|^\s*(?:initial|continuation|renewal|reauthorization)\b[\w\s]{{0,30}}?)"
    rf"\s*(?:of\s+)?[:|]?\s*{_LIMIT}{_DURATION}",
)
_APPROVALS = tuple(re.compile(pattern, re.IGNORECASE) for pattern in _PATTERNS)
_MAX_DOSES = re.compile(
    rf"^\s*quantity\s*[:|]\s*(?P<q>{NUMBER})\s+(?:\w+\s+)?(?:doses|infusions|injections|treatments)\b"
    rf"|\b(?:no\s+more\s+than|up\s+to|a\s+maximum\s+of|maximum\s+of|limited\s+to)\s+"
    rf"(?P<n>{NUMBER})\s+(?:\w+\s+)?(?:doses|infusions|injections|treatments)\b"
    rf"|\b(?P<one>one|1|single)\s+(?:\w+\s+)?(?:dose|infusion|injection|treatment)\b"
    r"[^.]{0,40}?\bper\s+lifetime\b",
    re.IGNORECASE,
)
_CONTINUATION = re.compile(
    r"\b(?:re-?authori[sz]\w*|renew\w*|continu\w*|currently\s+receiving|subsequent|re-?approv\w*"
    r"|maintenance\s+of\s+therapy)\b",
    re.IGNORECASE,
)
_INITIAL = re.compile(r"\b(?:initial\w*|new\s+start|first\s+approval)\b", re.IGNORECASE)


# A line that only says how long an approval lasts: "Initial authorization will be for no more
# than 12 months", "Reauthorization is for 1 year", "Approval will be issued for 6 months".
_DURATION_STATEMENT = re.compile(
    r"^\s*(?:initial\s+|re-?)?(?:authori[sz]|approv)\w*\s+(?:will\s+be|is)\s+(?:issued\s+)?for\b",
    re.IGNORECASE,
)


def is_duration_statement(text: str) -> bool:
    """Whether ``text`` is a line stating an approval's length, not a criterion to meet."""
    return _DURATION_STATEMENT.match(text) is not None and parse_approval(text) is not None


def approval_phase(text: str) -> Phase | None:
    """``"continuation"`` for renewal / reauthorization / currently-receiving wording,
    ``"initial"`` for initial wording, else None (the earlier word wins when both appear)."""
    cont, init = _CONTINUATION.search(text), _INITIAL.search(text)
    if cont and init:
        return "initial" if init.start() < cont.start() else "continuation"
    return "continuation" if cont else "initial" if init else None


def parse_approval(text: str, phase: Phase | None = None) -> Period | None:
    """The approval duration stated in ``text`` as a Period, or None when it states none.

    ``phase`` is the caller's context; the words of ``text`` win over it.
    """
    text = text[:2000]
    for pattern in _APPROVALS:
        match = pattern.search(text)
        if match:
            unit = time_unit(match.group("unit"))
            if unit is None:
                continue
            value = parse_number(match.group("n"))
            return Period(
                text=text.strip(),
                duration=Quantity(value=value, unit=unit),
                phase=approval_phase(text) or phase,
            )
    doses = _MAX_DOSES.search(text)
    if doses:
        number = doses.group("q") or doses.group("n")
        count = int(parse_number(number)) if number else 1
        return Period(text=text.strip(), max_doses=count, phase=approval_phase(text) or phase)
    return None
