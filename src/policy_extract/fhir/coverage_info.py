"""Da Vinci CRD ``coverage-information`` content, one per condition, on a ``Basic`` resource.

The extension belongs on the order (a MedicationRequest) a CRD service answers about; a policy
has no order, so each condition's content rides on a ``Basic`` resource the service copies it
from. What the policy says fills it:
- ``covered``: ``conditional`` (coverage depends on the criteria);
- ``pa-needed``: ``auth-needed`` / ``no-auth`` from ``prior_authorization_required``, absent
  when the policy does not say;
- ``doc-needed``: ``clinical`` where a criterion asks for documentation (its wording:
  "documentation", "submitted", "chart notes", "medical records"), else ``conditional``
  (the Questionnaire's answers decide);
- ``info-needed`` ``OTH`` with the reason, as CRD asks whenever something is conditional;
- ``questionnaire``: the condition's Questionnaire; ``date``: the policy's effective date;
  ``coverage-assertion-id``: a stable id; ``coverage``: a Reference naming the payer, to be
  replaced by the patient's Coverage when the service answers.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from ..model import ConditionCoverage, Policy
from .identity import policy_date
from .link_ids import PhaseTrees

if TYPE_CHECKING:
    from fhir.resources.R4B.basic import Basic
    from fhir.resources.R4B.extension import Extension

__all__ = ["COVERAGE_INFORMATION_URL", "asks_for_documentation", "build_coverage_information"]

COVERAGE_INFORMATION_URL = (
    "http://hl7.org/fhir/us/davinci-crd/StructureDefinition/ext-coverage-information"
)
_DOCUMENTATION = re.compile(
    r"\b(?:documentation|submitted|submission|chart\s+notes?|medical\s+records?)\b", re.IGNORECASE
)


def asks_for_documentation(phases: list[PhaseTrees]) -> bool:
    """True when some criterion of the condition asks for documents."""
    return any(
        _DOCUMENTATION.search(item.node.text)
        for phase in phases
        for tree in phase.trees
        for item in tree.walk()
    )


def build_coverage_information(
    policy: Policy,
    condition: ConditionCoverage,
    phases: list[PhaseTrees],
    resource_id: str,
    questionnaire_url: str,
) -> Basic:
    """The condition's coverage-information extension, on a Basic resource."""
    from fhir.resources.R4B.basic import Basic
    from fhir.resources.R4B.codeableconcept import CodeableConcept
    from fhir.resources.R4B.coding import Coding

    from .identity import PROJECT_BASE

    code = Coding(
        system=f"{PROJECT_BASE}/CodeSystem/resource-kind",
        code="coverage-information",
        display="CRD coverage information for one indication",
    )
    return Basic(
        id=resource_id,
        code=CodeableConcept(coding=[code], text=f"Coverage information: {condition.condition}"),
        extension=[
            _coverage_information(policy, condition, phases, resource_id, questionnaire_url)
        ],
    )


def _coverage_information(
    policy: Policy,
    condition: ConditionCoverage,
    phases: list[PhaseTrees],
    assertion_id: str,
    questionnaire_url: str,
) -> Extension:
    from fhir.resources.R4B.codeableconcept import CodeableConcept
    from fhir.resources.R4B.extension import Extension
    from fhir.resources.R4B.reference import Reference

    payer = policy.payer or "the payer"
    parts = [
        Extension(url="coverage", valueReference=Reference(display=f"Coverage by {payer}")),
        Extension(url="covered", valueCode="conditional"),
    ]
    if condition.prior_authorization_required is not None:
        needed = "auth-needed" if condition.prior_authorization_required else "no-auth"
        parts.append(Extension(url="pa-needed", valueCode=needed))
    documents = asks_for_documentation(phases)
    parts.append(Extension(url="doc-needed", valueCode="clinical" if documents else "conditional"))
    if documents and condition.prior_authorization_required:
        parts.append(Extension(url="doc-purpose", valueCode="withpa"))
    reason = f"Coverage depends on the criteria for {condition.condition} in the questionnaire"
    parts += [
        Extension(url="info-needed", valueCode="OTH"),
        Extension(url="reason", valueCodeableConcept=CodeableConcept(text=reason)),
        Extension(url="questionnaire", valueCanonical=questionnaire_url),
    ]
    effective = policy_date(policy)
    if effective is not None:
        parts.append(Extension(url="date", valueDate=effective))
    parts.append(Extension(url="coverage-assertion-id", valueString=assertion_id))
    return Extension(url=COVERAGE_INFORMATION_URL, extension=parts)
