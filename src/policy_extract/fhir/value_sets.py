"""ValueSets of the codes a policy lists: ICD-10-CM per condition and for the whole document,
HCPCS for the drug and its products.

Each ValueSet's ``compose`` lists the codes, and its ``expansion`` lists them again, stamped
with the policy's effective date (FHIR requires an expansion timestamp; a policy without an
effective date gets ``compose`` only). A range ("M05.00-M05.9") is listed by its billable codes
where ``convert --expand-icd-ranges`` filled ``expanded``; otherwise it is one entry whose code
is the range itself, marked ``abstract`` (not a code to bill) and carrying the ``code-range``
extension with its first and last code.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from ..model import Icd10Code, Policy
from .identity import CODE_RANGE_URL

if TYPE_CHECKING:
    from fhir.resources.R4B.extension import Extension
    from fhir.resources.R4B.valueset import ValueSet

__all__ = [
    "HCPCS_SYSTEM",
    "ICD10_SYSTEM",
    "CodeEntry",
    "build_value_set",
    "hcpcs_entries",
    "icd10_entries",
]

ICD10_SYSTEM = "http://hl7.org/fhir/sid/icd-10-cm"
HCPCS_SYSTEM = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets"


@dataclass(frozen=True, slots=True)
class CodeEntry:
    """One code of a ValueSet, or one range kept whole (``start`` / ``end``)."""

    code: str
    display: str | None = None
    start: str | None = None
    end: str | None = None


def icd10_entries(codes: list[Icd10Code]) -> list[CodeEntry]:
    """Codes as listed; ranges by their expanded codes when known, else whole."""
    entries: list[CodeEntry] = []
    for code in codes:
        if code.expanded:
            entries.extend(CodeEntry(expanded) for expanded in code.expanded)
        elif code.start and code.end:
            entries.append(CodeEntry(code.code, code.description, code.start, code.end))
        else:
            entries.append(CodeEntry(code.code, code.description))
    return _unique_sorted(entries)


def hcpcs_entries(policy: Policy) -> list[CodeEntry]:
    """The drug details' HCPCS codes (with descriptions) and every product's."""
    entries = [CodeEntry(h.code, h.description) for h in policy.drug_details.hcpcs]
    entries += [CodeEntry(code) for product in policy.products for code in product.hcpcs]
    return _unique_sorted(entries)


def _unique_sorted(entries: list[CodeEntry]) -> list[CodeEntry]:
    """One entry per code (the first with a display wins), sorted by code."""
    chosen: dict[str, CodeEntry] = {}
    for entry in entries:
        if entry.code not in chosen or (chosen[entry.code].display is None and entry.display):
            chosen[entry.code] = entry
    return [chosen[code] for code in sorted(chosen)]


def build_value_set(
    identity: tuple[str, str], title: str, system: str, entries: list[CodeEntry], stamp: date | None
) -> ValueSet:
    """A ValueSet of ``entries`` in ``system``; an expansion when the policy is dated."""
    from fhir.resources.R4B.valueset import (
        ValueSet,
        ValueSetCompose,
        ValueSetComposeInclude,
        ValueSetComposeIncludeConcept,
        ValueSetExpansion,
        ValueSetExpansionContains,
    )

    resource_id, url = identity
    concepts = [
        ValueSetComposeIncludeConcept(
            code=e.code, display=e.display, extension=_range_extensions(e)
        )
        for e in entries
    ]
    expansion = None
    if stamp is not None:
        contains = [
            ValueSetExpansionContains(
                system=system,
                code=e.code,
                display=e.display,
                abstract=True if e.start else None,
                extension=_range_extensions(e),
            )
            for e in entries
        ]
        # FHIR dateTime takes a bare date; the models' annotations say datetime only.
        expansion = ValueSetExpansion(
            timestamp=stamp,  # type: ignore[arg-type]
            total=len(contains),
            contains=contains,
        )
    return ValueSet(
        id=resource_id,
        url=url,
        version=stamp.isoformat() if stamp else None,
        title=title,
        status="active",
        date=stamp,  # type: ignore[arg-type]
        compose=ValueSetCompose(include=[ValueSetComposeInclude(system=system, concept=concepts)]),
        expansion=expansion,
    )


def _range_extensions(entry: CodeEntry) -> list[Extension] | None:
    from fhir.resources.R4B.extension import Extension

    if not (entry.start and entry.end):
        return None
    parts = [
        Extension(url="start", valueCode=entry.start),
        Extension(url="end", valueCode=entry.end),
    ]
    return [Extension(url=CODE_RANGE_URL, extension=parts)]
