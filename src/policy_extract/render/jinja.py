"""The Policy through Jinja templates: a reviewer's summary (Markdown, HTML) and canonical source.

``summary.md`` / ``summary.html`` are a one-page view for a reviewer; ``policy.md`` writes the
Policy back in the Blue Shield of California template's own Markdown, so converting it again gives
the same Policy. Only the HTML template autoescapes. The small filters below turn parsed facts into
plain words ("twice a day", "AT LEAST 2 of"); they never invent a value the Policy does not hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache
from pathlib import PurePath
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from ..errors import PolicyExtractError
from ..model import CriteriaNode, Dose, Icd10Code, Period, Policy, Quantity, Timing

__all__ = [
    "TEMPLATES",
    "angle_urls",
    "dose_words",
    "file_name",
    "icd10_words",
    "number_words",
    "operator_words",
    "period_words",
    "prior_auth_words",
    "quantity_words",
    "render_template",
    "route_words",
    "timing_words",
]

TEMPLATES = ("summary.md", "summary.html", "policy.md")

_TIME_UNITS = {"h": "hour", "d": "day", "wk": "week", "mo": "month", "a": "year"}
_ROUTES = {"intravenous": "IV", "intramuscular": "IM", "subcutaneous": "SC"}
_COUNTS = {1: "once", 2: "twice"}
_OPERATORS = {"all": "ALL of", "any": "ANY of"}
_PHASES = {"initial": "Initial", "continuation": "Continuation"}
_URL = re.compile(r"(?<![<\w])https?://[^\s<>\"]+")
_URL_TAIL = ".,;:)"
_BLANK_RUNS = re.compile(r"\n{3,}")


def render_template(policy: Policy, name: str) -> str:
    """``policy`` rendered through the template ``name`` (one of ``TEMPLATES``)."""
    if name not in TEMPLATES:
        choices = ", ".join(TEMPLATES)
        raise PolicyExtractError(None, f"unknown template {name!r} (choose one of: {choices})")
    text = _environment().get_template(f"{name}.j2").render(policy=policy)
    return _tidy_markdown(text) if name.endswith(".md") else text


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=PackageLoader("policy_extract", "render/templates"),
        undefined=StrictUndefined,
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    environment.filters.update(_FILTERS)
    return environment


def _tidy_markdown(text: str) -> str:
    """No trailing spaces, one blank line between blocks, one final newline."""
    lines = "\n".join(line.rstrip() for line in text.split("\n"))
    return _BLANK_RUNS.sub("\n\n", lines).strip("\n") + "\n"


def number_words(value: float) -> str:
    """``15`` and ``15.0`` -> ``"15"``; ``0.4`` -> ``"0.4"``."""
    return str(int(value)) if float(value).is_integer() else str(value)


def _unit_words(value: float, unit: str) -> str:
    name = _TIME_UNITS.get(unit)
    if name is None:
        return unit
    return name if value == 1 else f"{name}s"


def quantity_words(quantity: Quantity) -> str:
    """``{44, "d"}`` -> ``"44 days"``, ``{1, "a"}`` -> ``"1 year"``,
    ``{800, "mg"}`` -> ``"800 mg"``.
    """
    return f"{number_words(quantity.value)} {_unit_words(quantity.value, quantity.unit)}"


def timing_words(timing: Timing) -> str:
    """``{1, 1, "d"}`` -> ``"once a day"``; ``{2, 1, "d"}`` -> ``"twice a day"``;
    ``{1, 4, "wk"}`` -> ``"every 4 weeks"``."""
    count = _COUNTS.get(timing.frequency, f"{timing.frequency} times")
    unit = _unit_words(timing.period, timing.period_unit)
    if timing.period == 1:
        article = "an" if unit == "hour" else "a"
        return f"{count} {article} {unit}"
    every = f"every {number_words(timing.period)} {unit}"
    return every if timing.frequency == 1 else f"{count} {every}"


def operator_words(node: CriteriaNode) -> str:
    """How a node's children combine: ``"ALL of"``, ``"ANY of"``, ``"AT LEAST 2 of"``; ``""`` for a
    leaf. Children with no operator say so rather than guess."""
    if node.operator == "at_least":
        return f"AT LEAST {node.min_count if node.min_count is not None else '?'} of"
    if node.operator is not None:
        return _OPERATORS[node.operator]
    return "combination not stated" if node.children else ""


def route_words(route: str) -> str:
    """``"intravenous"`` -> ``"IV"``; a route without a common abbreviation stays as it is."""
    return _ROUTES.get(route, route)


def dose_words(dose: Dose) -> str:
    """The parsed facts of a dose: ``"15 mg/kg IV, once a day (max 800 mg per administration;
    when: Weight less than 30 kg)"``; ``""`` when nothing was parsed."""
    head = _joined(", ", _dose_amount(dose), timing_words(dose.timing) if dose.timing else "")
    cap, escalation = dose.max_per_administration, dose.escalation_to
    notes = _joined(
        "; ",
        f"max {quantity_words(cap)} per administration" if cap else "",
        f"may increase to {quantity_words(escalation)}" if escalation else "",
        f"when: {dose.applies_when}" if dose.applies_when else "",
    )
    return f"{head} ({notes})" if head and notes else head or notes


def _dose_amount(dose: Dose) -> str:
    return _joined(
        " ",
        "up to" if dose.up_to else "",
        number_words(dose.amount) if dose.amount is not None else "",
        dose.unit or "",
        route_words(dose.route) if dose.route else "",
    )


def period_words(period: Period) -> str:
    """The parsed facts of a period: ``"Initial: 6 months"``, ``"up to 21 doses"``,
    ``"for 4 days — dose 1"``; ``""`` when nothing was parsed."""
    duration, interval = period.duration, period.min_interval
    words = _joined(
        ", ",
        quantity_words(duration) if duration else "",
        f"up to {period.max_doses} doses" if period.max_doses is not None else "",
        f"at least {quantity_words(interval)} apart" if interval else "",
    )
    if period.phase is not None:
        words = _joined(": ", _PHASES[period.phase], words)
    elif duration is not None:
        words = f"for {words}"
    if period.dose_index is not None:
        words = _joined(" — ", words, f"dose {period.dose_index + 1}")
    return words


def _joined(separator: str, *parts: str) -> str:
    return separator.join(part for part in parts if part)


def icd10_words(code: Icd10Code) -> str:
    """A code as written, or a range as ``"M05.00–M05.9"`` (an en dash)."""
    if code.start and code.end:
        return f"{code.start}–{code.end}"
    return code.code


def prior_auth_words(required: bool | None) -> str:
    """``True`` -> ``"required"``, ``False`` -> ``"not required"``, ``None`` -> ``"unknown"``."""
    if required is None:
        return "unknown"
    return "required" if required else "not required"


def angle_urls(text: str) -> str:
    """Each URL in ``text`` written as ``<url>``, the template's autolink, a trailing full stop
    or bracket left outside."""
    return _URL.sub(_angle_url, text)


def _angle_url(match: re.Match[str]) -> str:
    url = match.group(0)
    core = url.rstrip(_URL_TAIL)
    return f"<{core}>{url[len(core) :]}"


def file_name(path: str) -> str:
    """The last part of a source path: the summary names the file, not where it was on disk."""
    return PurePath(path).name


_FILTERS: dict[str, Callable[..., Any]] = {
    "angle_urls": angle_urls,
    "dose_words": dose_words,
    "file_name": file_name,
    "icd10_words": icd10_words,
    "number_words": number_words,
    "operator_words": operator_words,
    "period_words": period_words,
    "prior_auth_words": prior_auth_words,
    "quantity_words": quantity_words,
    "route_words": route_words,
    "timing_words": timing_words,
}
