"""FHIR R4 export (Da Vinci DTR Questionnaires, CRD coverage information, code ValueSets) and
the evaluation of criteria trees on answers keyed by linkId.

- ``link_ids``: the items of a criteria tree and their linkIds (no FHIR dependency);
- ``evaluate``: three-valued decision of every condition from answers (no FHIR dependency);
- ``expressions``: the same logic written in FHIRPath;
- ``questionnaire``, ``coverage_info``, ``value_sets``: the resources, built with
  ``fhir.resources`` (the ``fhir`` extra, imported only when exporting);
- ``export``: the Bundle of one policy, as deterministic JSON text.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .evaluate import Evaluation, evaluate
    from .export import FhirExport, MissingExtraError, export_policy

__all__ = ["Evaluation", "FhirExport", "MissingExtraError", "evaluate", "export_policy"]

_LAZY = {
    "Evaluation": "evaluate",
    "evaluate": "evaluate",
    "FhirExport": "export",
    "MissingExtraError": "export",
    "export_policy": "export",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
