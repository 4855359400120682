"""A Policy as a FHIR R4 ``Bundle`` (type ``collection``), built with ``fhir.resources`` (R4B).

Per condition, in document order: its Questionnaire (``questionnaire``), its CRD coverage
information (``coverage_info``) and, when it lists codes, its ICD-10-CM ValueSet; then the
document's ICD-10-CM ValueSet and the HCPCS ValueSet (``value_sets``). A policy without
conditions gets one Questionnaire for the whole document. Problems that do not stop the export
(no criteria, logic the policy does not state, no date to stamp expansions) are returned as
``Warning`` entries, never printed.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..errors import PolicyExtractError
from ..model import ConditionCoverage, Policy, Warning
from .coverage_info import build_coverage_information
from .identity import PROJECT_BASE, canonical_url, policy_date, policy_key, resource_id
from .link_ids import PhaseTrees, condition_prefixes, phase_trees
from .questionnaire import build_questionnaire
from .value_sets import (
    HCPCS_SYSTEM,
    ICD10_SYSTEM,
    CodeEntry,
    build_value_set,
    hcpcs_entries,
    icd10_entries,
)

if TYPE_CHECKING:
    from fhir.resources.R4B.bundle import Bundle
    from fhir.resources.R4B.resource import Resource

__all__ = [
    "FHIR_EXTRA_MISSING",
    "FhirExport",
    "MissingExtraError",
    "export_policy",
    "fhir_extra_installed",
    "policy_bundle",
]

FHIR_EXTRA_MISSING = 'FHIR export needs the fhir extra: pip install "policy-extract[fhir]"'


class MissingExtraError(PolicyExtractError):
    """The ``fhir`` extra (fhir.resources) is not installed."""


@dataclass(slots=True)
class FhirExport:
    """The Bundle's JSON text (pretty, deterministic, ending with a newline) and its warnings."""

    text: str
    warnings: list[Warning] = field(default_factory=list)


def export_policy(policy: Policy) -> FhirExport:
    """``policy`` as Bundle JSON; MissingExtraError without the fhir extra."""
    bundle, warnings = policy_bundle(policy)
    data = json.loads(bundle.model_dump_json())
    return FhirExport(json.dumps(data, indent=2, ensure_ascii=False) + "\n", warnings)


def policy_bundle(policy: Policy) -> tuple[Bundle, list[Warning]]:
    """The Bundle of ``policy`` and the warnings its export gave."""
    _require_extra(policy)
    from fhir.resources.R4B.bundle import Bundle, BundleEntry
    from fhir.resources.R4B.identifier import Identifier

    builder = _Builder(policy)
    resources = builder.resources()
    entries = [
        BundleEntry(fullUrl=canonical_url(r.get_resource_type(), str(r.id)), resource=r)
        for r in resources
    ]
    key = builder.key
    bundle = Bundle(
        id=resource_id(key, "bundle", policy.title or "policy"),
        identifier=Identifier(system=f"{PROJECT_BASE}/policy-source-sha256", value=key),
        type="collection",
        entry=entries,
    )
    return bundle, builder.warnings


def fhir_extra_installed() -> bool:
    """True when ``fhir.resources`` can be imported (without importing it)."""
    try:
        return importlib.util.find_spec("fhir.resources") is not None
    except ModuleNotFoundError:  # no ``fhir`` namespace at all
        return False


def _require_extra(policy: Policy) -> None:
    if not fhir_extra_installed():
        where = policy.source.path if policy.source is not None else None
        raise MissingExtraError(where, FHIR_EXTRA_MISSING)


class _Builder:
    """The resources of one policy, with the warnings met on the way."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.key = policy_key(policy)
        self.warnings: list[Warning] = []

    def resources(self) -> list[Resource]:
        policy = self.policy
        found: list[Resource] = []
        for condition, prefix in zip(policy.coverage, condition_prefixes(policy), strict=True):
            found += self._condition_resources(condition, prefix)
        if not policy.coverage:
            found.append(self._document_questionnaire())
        found += self._document_value_sets()
        if policy_date(policy) is None and any(r.get_resource_type() == "ValueSet" for r in found):
            self._warn(
                "fhir-expansion-undated",
                "the policy has no effective date to stamp "
                "ValueSet expansions with; its ValueSets list their codes in compose only",
            )
        return found

    def _condition_resources(self, condition: ConditionCoverage, prefix: str) -> list[Resource]:
        phases = phase_trees(self.policy, condition, prefix)
        self._check_phases(condition, phases)
        identity = self._identity("Questionnaire", "q", condition.id or prefix)
        resources: list[Resource] = [
            build_questionnaire(self.policy, condition, phases, identity, prefix)
        ]
        info_id = resource_id(self.key, "crd", condition.id or prefix)
        resources.append(
            build_coverage_information(self.policy, condition, phases, info_id, identity[1])
        )
        if condition.icd10:
            title = f"ICD-10-CM codes: {condition.condition}"
            resources.append(self._value_set(title, ICD10_SYSTEM, icd10_entries(condition.icd10)))
        return resources

    def _document_questionnaire(self) -> Resource:
        policy = self.policy
        phases: list[PhaseTrees] = []
        if policy.general_criteria is not None:
            from .link_ids import GENERAL_PREFIX, link_tree

            general = link_tree(policy.general_criteria, GENERAL_PREFIX)
            phases.append(PhaseTrees("initial", (general,)))
        else:
            self._warn(
                "fhir-no-criteria",
                "the policy has no condition with criteria; its "
                "Questionnaire holds one display item",
            )
        identity = self._identity("Questionnaire", "q", "document")
        return build_questionnaire(policy, None, phases, identity, "document")

    def _document_value_sets(self) -> list[Resource]:
        found: list[Resource] = []
        if self.policy.icd10:
            title = "ICD-10-CM codes of the policy's coding tables"
            found.append(self._value_set(title, ICD10_SYSTEM, icd10_entries(self.policy.icd10)))
        hcpcs = hcpcs_entries(self.policy)
        if hcpcs:
            found.append(self._value_set("HCPCS codes of the drug", HCPCS_SYSTEM, hcpcs))
        return found

    def _value_set(self, title: str, system: str, entries: list[CodeEntry]) -> Resource:
        identity = self._identity("ValueSet", "vs", title)
        return build_value_set(identity, title, system, entries, policy_date(self.policy))

    def _check_phases(self, condition: ConditionCoverage, phases: list[PhaseTrees]) -> None:
        if not phases:
            self._warn(
                "fhir-no-criteria",
                f"{condition.condition!r} has no criteria; its "
                "Questionnaire holds its doses and coverage periods only",
                condition,
            )
        seen: set[str] = set()
        for phase in phases:
            for tree in phase.trees:
                for item in tree.walk():
                    if item.logic.assumed and len(item.children) > 1 and item.link_id not in seen:
                        seen.add(item.link_id)
                        self._warn(
                            "fhir-logic-assumed",
                            f"{item.link_id}: the policy does not "
                            f"say how its {len(item.children)} sub-items combine; "
                            "exported and evaluated as all of them",
                            item.node,
                        )

    def _identity(self, resource_type: str, kind: str, name: str) -> tuple[str, str]:
        rid = resource_id(self.key, kind, name)
        return rid, canonical_url(resource_type, rid)

    def _warn(self, code: str, message: str, where: object = None) -> None:
        span = getattr(where, "span", None)
        self.warnings.append(Warning(code=code, message=message, span=span))
