"""Answers in, evaluation out: reading an answers file and writing what ``evaluate`` decided.

An answers file is a JSON object mapping linkIds to ``true`` / ``false``; ``null`` is the same
as leaving the item out (not answered), except that a null for a linkId the policy does not
have is reported like any other unknown linkId.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import LoadError
from .evaluate import Evaluation

__all__ = ["evaluation_json", "evaluation_text", "load_answers"]


def load_answers(path: str | Path) -> dict[str, bool | None]:
    """The answers of ``path``; LoadError naming the file and the first bad entry."""
    path = Path(path)
    try:
        data = json.loads(path.read_bytes())
    except OSError as exc:
        raise LoadError(path, f"cannot read file: {exc.strerror or exc}") from None
    except ValueError as exc:
        raise LoadError(path, f"not an answers JSON (invalid JSON: {exc})") from None
    if not isinstance(data, dict):
        raise LoadError(path, "not an answers JSON (expected an object of linkId: true/false)")
    answers: dict[str, bool | None] = {}
    for link_id, value in data.items():
        if value is not None and not isinstance(value, bool):
            raise LoadError(path, f"answer for {link_id!r} is {value!r}; give true, false or null")
        answers[link_id] = value
    return answers


def evaluation_text(evaluation: Evaluation) -> str:
    """One line per condition, then its phases with the items that stand in the way."""
    lines: list[str] = []
    for condition in evaluation.conditions:
        lines.append(f"{condition.condition} ({condition.condition_id}): {condition.status}")
        if not condition.phases:
            lines.append("  no criteria to evaluate")
        for phase in condition.phases:
            lines.append(f"  {phase.phase}: {phase.status}")
            lines += [f"    unmet: {link_id}" for link_id in phase.unmet]
            lines += [f"    missing: {link_id}" for link_id in phase.missing]
    if not evaluation.conditions:
        lines.append("the policy has no conditions to evaluate")
    lines += [f"unknown linkId in answers: {link_id}" for link_id in evaluation.unknown_link_ids]
    return "\n".join(lines) + "\n"


def evaluation_json(evaluation: Evaluation) -> str:
    """The evaluation as pretty JSON (conditions in document order)."""
    data: dict[str, Any] = {
        "any_met": evaluation.any_met,
        "conditions": [
            {
                "id": condition.condition_id,
                "condition": condition.condition,
                "status": condition.status,
                "phases": [
                    {
                        "phase": phase.phase,
                        "status": phase.status,
                        "unmet": list(phase.unmet),
                        "missing": list(phase.missing),
                    }
                    for phase in condition.phases
                ],
            }
            for condition in evaluation.conditions
        ],
        "unknown_link_ids": list(evaluation.unknown_link_ids),
    }
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
