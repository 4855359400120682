"""Connectors between regimen lines: ``"40 mg/kg ... once daily, or"`` / ``"15 mg/kg ..."``.

The "or" belongs to the relation between two doses (or two periods), not to the first one's
text: it is split off here and recorded as ``joined_by`` on the line before it.
"""

from __future__ import annotations

import re

from ..blocks import Span
from ..model import Connector, Dose, Period

__all__ = [
    "connector_only",
    "join_to_previous",
    "split_leading_connector",
    "split_trailing_connector",
]

_TRAILING = re.compile(r"(?:\s*[,;])?\s+(?P<word>or|and)\s*[,;:]?\s*$", re.IGNORECASE)
_LEADING = re.compile(r"^\s*(?P<word>or|and)\b[,;:]?\s+(?=\S)", re.IGNORECASE)
_ALONE = re.compile(r"^\s*[,;]?\s*(?P<word>or|and)\s*[,;:]?\s*$", re.IGNORECASE)


def split_trailing_connector(text: str) -> tuple[str, Connector | None]:
    """``"15 mg/kg once daily, or"`` -> ``("15 mg/kg once daily", "or")``; else ``(text, None)``."""
    match = _TRAILING.search(text)
    if match is None or not text[: match.start()].strip():
        return text, None
    return text[: match.start()].rstrip(), _connector(match.group("word"))


def split_leading_connector(text: str) -> tuple[str, Connector | None]:
    """``"Or 15 mg/kg once daily"`` -> ``("15 mg/kg once daily", "or")``: the connector to the
    line before; else ``(text, None)``."""
    match = _LEADING.match(text)
    if match is None:
        return text, None
    return text[match.end() :], _connector(match.group("word"))


def connector_only(text: str) -> Connector | None:
    """A line that is nothing but a connector (``"OR"``): which one, else None."""
    match = _ALONE.match(text)
    return _connector(match.group("word")) if match else None


def _connector(word: str) -> Connector:
    return "or" if word.lower() == "or" else "and"


def join_to_previous(text: str, span: Span | None, previous: Dose | Period | None) -> str | None:
    """The line's text once a connector joining it to ``previous`` went to ``previous.joined_by``:
    a line that is only ``"or"`` gives None (nothing left to read; its span joins the line
    before), one that starts with it (``"Or 15 mg/kg ..."``) gives the rest."""
    if previous is None:
        return text
    alone = connector_only(text)
    if alone is not None:
        previous.joined_by = alone
        if span is not None:
            previous.span = span if previous.span is None else previous.span.merge(span)
        return None
    rest, leading = split_leading_connector(text)
    if leading is None or previous.joined_by not in (None, leading):
        return text
    previous.joined_by = leading
    return rest
