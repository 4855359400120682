"""Stable names for the exported resources: ids, canonical URLs and this project's extensions.

Ids are derived from the policy (its source's SHA-256, else its JSON) and the thing named, so
exporting the same policy twice gives the same bytes, and another version of it other ids.
``PROJECT_BASE`` is a placeholder namespace (``example.org`` is reserved for that): a payer
publishing the resources maps it onto its own canonical base.
"""

from __future__ import annotations

import hashlib
import re
from datetime import date

from ..model import Policy

__all__ = [
    "CODE_RANGE_URL",
    "PROJECT_BASE",
    "SOURCE_SPAN_URL",
    "canonical_url",
    "policy_date",
    "policy_key",
    "resource_id",
]

PROJECT_BASE = "http://policy-extract.example.org/fhir"
SOURCE_SPAN_URL = f"{PROJECT_BASE}/StructureDefinition/source-span"
CODE_RANGE_URL = f"{PROJECT_BASE}/StructureDefinition/code-range"

_NOT_ID = re.compile(r"[^A-Za-z0-9]+")


def policy_key(policy: Policy) -> str:
    """A digest naming this version of the policy."""
    if policy.source is not None and policy.source.sha256:
        return policy.source.sha256
    return hashlib.sha256(policy.model_dump_json().encode("utf-8")).hexdigest()


def resource_id(key: str, kind: str, name: str) -> str:
    """A FHIR id (``[A-Za-z0-9-.]{1,64}``): the kind, a readable part of the name, a digest."""
    readable = _NOT_ID.sub("-", name).strip("-")[:30].strip("-").lower()
    digest = hashlib.sha256(f"{key}/{kind}/{name}".encode()).hexdigest()[:12]
    return "-".join(part for part in (kind, readable, digest) if part)


def canonical_url(resource_type: str, resource_id: str) -> str:
    return f"{PROJECT_BASE}/{resource_type}/{resource_id}"


def policy_date(policy: Policy) -> date | None:
    """The policy's effective date, the date every dated element of its export carries."""
    if not policy.effective_date:
        return None
    try:
        return date.fromisoformat(policy.effective_date)
    except ValueError:  # not ISO: leave the resources undated rather than guess
        return None
