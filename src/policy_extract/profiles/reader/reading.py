"""What the template-free reader found: each indication, and the document's general criteria,
not-covered statements and durations."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...blocks import Block
from ...model import CriteriaNode, Dose, Icd10Code, Period, Statement
from ...phrases import link_period_to_dose
from ...phrases.approval import Phase
from .parts import Parts

__all__ = ["FoundIndication", "Reading"]


@dataclass
class FoundIndication:
    """One indication as found: its name, where, initial and continuation criteria, periods,
    and the doses and ICD-10 codes its labelled parts give."""

    name: str
    block: Block
    criteria: CriteriaNode | None = None
    continuation: CriteriaNode | None = None
    periods: list[Period] = field(default_factory=list)
    doses: list[Dose] = field(default_factory=list)
    icd10: list[Icd10Code] = field(default_factory=list)
    # Periods a "Coverage Period:" part lists, as printed: alternatives may share a phase.
    listed_periods: list[Period] = field(default_factory=list)

    def take(self, parts: Parts) -> None:
        """Add what labelled parts read; a period that names a dose is linked to it."""
        self.doses.extend(parts.doses)
        self.icd10.extend(parts.icd10)
        for period in parts.periods:
            period.dose_index = link_period_to_dose(period, self.doses)
            self.listed_periods.append(period)


@dataclass
class Reading:
    """What the reader found in one document."""

    indications: list[FoundIndication] = field(default_factory=list)
    general: list[CriteriaNode] = field(default_factory=list)
    not_covered: list[Statement] = field(default_factory=list)
    document_periods: list[Period] = field(default_factory=list)

    def add(self, found: FoundIndication, phase: Phase | None) -> FoundIndication:
        """Record an indication; a second block for the same name (its continuation) merges, and
        so does a continuation naming it by its abbreviation ("... for HS may be approved")."""
        key = _name_key(found.name)
        for known in self.indications:
            short = phase == "continuation" and key in _abbreviations(known.name)
            if _name_key(known.name) == key or short:
                if phase == "continuation" or known.criteria is not None:
                    known.continuation = known.continuation or found.continuation or found.criteria
                else:
                    known.criteria = found.criteria
                known.periods.extend(found.periods)
                known.doses.extend(found.doses)
                known.icd10.extend(found.icd10)
                known.listed_periods.extend(found.listed_periods)
                return known
        if phase == "continuation" and found.continuation is None:
            found.continuation, found.criteria = found.criteria, None
        self.indications.append(found)
        return found


def _name_key(name: str) -> str:
    return " ".join(name.lower().replace("’", "'").split())


def _abbreviations(name: str) -> set[str]:
    """ "Hidradenitis Suppurativa (HS)" -> {"hs"}."""
    return {_name_key(inner) for inner in re.findall(r"\(([^()]+)\)", name) if inner.strip()}
