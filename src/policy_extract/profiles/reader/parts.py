"""An indication's labelled parts, found without a template: its doses, coverage periods and
ICD-10 codes.

Policies print them after an indication's criteria under a short label: a label heading of its
own ("Covered Doses:", "Coverage Period:", "ICD-10:") over lines of their own, or a lead inside the
indication ("Dosing. Approve up to 60 mg ...", its regimens as sub-items). A label counts only at
the start of its line and followed by ":" or "." or nothing: "Dose escalation is allowed" is
not one. Lines a part's grammar cannot read (a product name under "Covered Doses:") stay in the
outline only; nothing is guessed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from ...blocks import Block, Span
from ...model import Dose, Icd10Code, Period
from ...phrases import parse_dose, parse_icd10_line, parse_period
from ...phrases.approval import approval_phase
from ...phrases.connectors import join_to_previous, split_trailing_connector
from .tree import TreeNode, walk

__all__ = ["PartKind", "Parts", "part_label"]

PartKind = Literal["doses", "periods", "icd10"]

_PART = re.compile(
    r"^\W*(?:"
    r"(?P<doses>(?:covered\s+|recommended\s+|approved\s+|maximum\s+)?dos(?:e|es|ing|age)"
    r"(?:\s+(?:and\s+administration|limits?|regimens?))?)"
    r"|(?P<periods>coverage\s+periods?)"
    r"|(?P<icd10>icd[-\s]?10(?:[-\s]?cm)?(?:\s+(?:diagnosis\s+)?codes?)?)"
    r")\s*(?:[:.]\s*|$)",
    re.IGNORECASE,
)
# "Initial Therapy. Approve up to 60 mg": the phase the dose is for, then the approval verb.
_SENTENCE = re.compile(r"(?<=[.:])\s+")
_APPROVE = re.compile(r"^approve[ds]?\s+(?=up\s+to\b|\d)", re.IGNORECASE)
_NOTE = re.compile(r"^\W*notes?\b", re.IGNORECASE)


def part_label(text: str) -> tuple[PartKind, str] | None:
    """The part a line's label names, and the line's text after the label; None otherwise."""
    match = _PART.match(text)
    if match is None:
        return None
    kind: PartKind = "doses" if match.group("doses") else "periods"
    if match.group("icd10"):
        kind = "icd10"
    return kind, text[match.end() :].strip()


@dataclass
class Parts:
    """The doses, periods and ICD-10 codes read for one indication, in reading order."""

    doses: list[Dose] = field(default_factory=list)
    periods: list[Period] = field(default_factory=list)
    icd10: list[Icd10Code] = field(default_factory=list)

    def read_under(self, node: TreeNode) -> None:
        """Every labelled part among ``node``'s descendants: the rest of the label's line, then
        the lines nested under it."""
        for sub in walk(node.children):
            self.read_labelled(sub.block, sub)
            for note in sub.notes:  # a part printed deeper than the item above it
                self.read_labelled(note, None)

    def read_labelled(self, block: Block, node: TreeNode | None) -> bool:
        """Read ``block`` (and the nodes under ``node``) when its label names a part."""
        label = part_label(block.label) if block.label else None
        found = label or part_label(block.full_text)
        if found is None:
            return False
        kind, rest = found
        if label is not None:  # "**Dosing.** Approve up to ...": the text follows the label
            rest = f"{rest} {block.text}".strip()
        lines = [(rest, block.span)] if rest else []
        if node is not None:
            lines += [(sub.text, sub.block.span) for sub in walk(node.children)]
        self.read(kind, lines)
        return True

    def read(self, kind: PartKind, lines: Iterable[tuple[str, Span]]) -> None:
        """Read lines of one part; a line that is only "or" joins the lines either side."""
        for text, span in lines:
            if not text or _NOTE.match(text):
                continue
            if kind == "icd10":
                codes, _ = parse_icd10_line(text)
                for code in codes:
                    code.span = span
                self.icd10.extend(codes)
                continue
            previous: Dose | Period | None = None
            if kind == "doses" and self.doses:
                previous = self.doses[-1]
            elif kind == "periods" and self.periods:
                previous = self.periods[-1]
            rest = join_to_previous(text, span, previous)
            if rest is not None:
                self._read_line(kind, rest, span)

    def _read_line(self, kind: PartKind, text: str, span: Span) -> None:
        if kind == "doses":
            dose = _dose(text)
            if dose is not None:
                dose.span = span
                self.doses.append(dose)
            return
        period = parse_period(text)
        if period.duration is not None or period.max_doses is not None:
            period.span = span
            self.periods.append(period)


def _dose(line: str) -> Dose | None:
    """A regimen line the dose grammar reads (an amount and a unit), else None; its text is the
    line's. A leading phase sentence ("Initial Therapy.", "Patient is Currently Receiving X.")
    says when it applies."""
    applies_when: str | None = None
    text = line
    parts = _SENTENCE.split(line, maxsplit=1)
    if (
        len(parts) == 2
        and approval_phase(parts[0])
        and (len(parts[0].split()) <= 6 or _APPROVE.match(parts[1]))
    ):
        applies_when, text = parts[0].rstrip(" .:"), parts[1]
    dose = parse_dose(_APPROVE.sub("", text))
    if dose.amount is None or dose.unit is None:
        return None
    if applies_when is not None and dose.applies_when is None:
        dose.applies_when = applies_when
    dose.text = split_trailing_connector(line)[0].strip()
    return dose
