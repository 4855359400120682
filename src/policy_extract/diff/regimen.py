"""Comparing doses and coverage periods for the policy diff, and judging their impact.

Doses and periods are alternatives; a lowered limit narrows, a raised or lifted one broadens, and
a change whose direction cannot be told counts as narrowing. The connector to the next line
(``joined_by``) is compared as a value: writing out an "or" the template implies is editorial,
turning alternatives into a combination ("or" -> "and") or back cannot be judged and is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel

from ..model import Dose, Period, Quantity
from .changes import Impact, Recorder, canon, plain
from .matching import align, word_matcher
from .words import clip, same, word_diff

# A change in a structured value whose direction cannot be told is flagged, not hidden.
_UNCLEAR: Impact = "narrows"
_DAYS = {"h": 1 / 24, "d": 1, "wk": 7, "mo": 30, "a": 365}

# ``dose_index`` is a cross-reference the extractor derives from the text, not a policy value.
_FIELDS = {
    "dose": (
        "amount", "unit", "up_to", "route", "timing", "max_per_administration", "applies_when",
        "escalation_to", "joined_by",
    ),
    "coverage period": ("max_doses", "duration", "phase", "min_interval", "joined_by"),
}  # fmt: skip
_FIELD_WORDS = {"joined_by": "connector to the next"}


def diff_regimen(
    rec: Recorder, path: str, old: Sequence[Dose | Period], new: Sequence[Dose | Period], noun: str
) -> None:
    """Doses and periods are alternatives: one more broadens, one fewer narrows."""
    texts = ([x.text for x in old], [x.text for x in new])
    positions = (list(range(len(old))), list(range(len(new))))
    for pair in align(*texts, word_matcher, 0.5, fallback=positions):
        match pair:
            case (None, int(j)):
                rec.added(f"{path}[{j}]", new[j], f"Added {noun}: {clip(new[j].text)}", "broadens")
            case (int(i), None):
                summary = f"Removed {noun}: {clip(old[i].text)}"
                rec.removed(f"{path}[{i}]", old[i], summary, "narrows")
            case (int(i), int(j)):
                _diff_regimen_item(rec, f"{path}[{j}]", old[i], new[j], noun)


def _diff_regimen_item(
    rec: Recorder, path: str, a: Dose | Period, b: Dose | Period, noun: str
) -> None:
    changed = [f for f in _FIELDS[noun] if canon(getattr(a, f)) != canon(getattr(b, f))]
    if not changed and same(_without_joiner(a.text), _without_joiner(b.text)):
        return  # a connector left in the text by an older conversion is not a rewording
    impact: Impact = "editorial"
    if changed and isinstance(a, Dose) and isinstance(b, Dose):
        impact = _combine(_dose_signals(a, b))
    elif changed and isinstance(a, Period) and isinstance(b, Period):
        impact = _combine(_period_signals(a, b))
    fields = "; ".join(
        f"{_FIELD_WORDS.get(f, f)} {_show(getattr(a, f))} → {_show(getattr(b, f))}" for f in changed
    )
    verb = "Changed" if changed else "Reworded"
    summary = f"{verb} {noun}: {word_diff(a.text, b.text)}" + (f" ({fields})" if fields else "")
    rec.changed(path, (a, b), summary, impact, f"{verb} {noun}: {_without_joiner(b.text)}")


def _without_joiner(text: str) -> str:
    """Drop a trailing "or" / "and" / comma: a changelog bullet stands alone."""
    return re.sub(r"(?:,?\s+(?:or|and)|[,;])$", "", text.strip())


def _dose_signals(a: Dose, b: Dose) -> list[Impact]:
    out = [_more_is_broader(a.amount, b.amount) if a.unit == b.unit else _UNCLEAR]
    out.append(_more_is_broader(_rate(a), _rate(b)))
    out.append(_quantity_signal(a.max_per_administration, b.max_per_administration))
    out.append(_quantity_signal(a.escalation_to, b.escalation_to))
    out.append(_connector_signal(a, b))
    unclear = any(getattr(a, f) != getattr(b, f) for f in ("route", "applies_when", "up_to"))
    return [*out, _UNCLEAR] if unclear else out


def _period_signals(a: Period, b: Period) -> list[Impact]:
    out = [_more_is_broader(a.max_doses, b.max_doses)]
    out.append(_quantity_signal(a.duration, b.duration))
    out.append(_quantity_signal(b.min_interval, a.min_interval))  # a longer interval narrows
    out.append(_connector_signal(a, b))
    return [*out, _UNCLEAR] if a.phase != b.phase else out


def _connector_signal(a: Dose | Period, b: Dose | Period) -> Impact:
    """No connector and "or" both read as alternatives; "and" joins lines into one regimen."""
    if (a.joined_by or "or") == (b.joined_by or "or"):
        return "editorial"
    return _UNCLEAR


def _rate(dose: Dose) -> float | None:
    timing = dose.timing
    if timing is None:
        return None
    return timing.frequency / (timing.period * _DAYS[timing.period_unit])


def _quantity_signal(a: Quantity | None, b: Quantity | None) -> Impact:
    if a is None or b is None or a.unit == b.unit:
        return _more_is_broader(a.value if a else None, b.value if b else None)
    if a.unit in _DAYS and b.unit in _DAYS:
        return _more_is_broader(a.value * _DAYS[a.unit], b.value * _DAYS[b.unit])
    return _UNCLEAR


def _more_is_broader(a: float | None, b: float | None) -> Impact:
    """For a limit: introduced or lowered narrows; lifted or raised broadens."""
    if a == b:
        return "editorial"
    if a is None or (b is not None and b < a):
        return "narrows"
    return "broadens"


def _combine(signals: list[Impact]) -> Impact:
    if "narrows" in signals:
        return "narrows"
    return "broadens" if "broadens" in signals else "editorial"


def _show(value: Any) -> str:
    if isinstance(value, Quantity):
        return f"{value.value:g} {value.unit}"
    if isinstance(value, BaseModel):
        return ", ".join(f"{k} {v}" for k, v in plain(value).items())
    return "none" if value is None else str(value)
