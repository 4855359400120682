"""Datasette metadata for browsing the library: title, descriptions, facets, canned queries.

Datasette itself is the optional extra ``serve``, imported by the ``serve`` command only.
"""

from __future__ import annotations

from typing import Any

__all__ = ["CANNED_QUERIES", "datasette_metadata"]

_CURRENT = "current_versions v JOIN policies p ON p.id = v.policy_id"

# The four questions of issue #17, answered by SQL a user can edit in Datasette.
CANNED_QUERIES: dict[str, dict[str, str]] = {
    "coverage": {
        "title": "Who covers a drug?",
        "description": "Every current policy covering the drug (generic key, e.g. infliximab).",
        "sql": (
            "SELECT p.payer, p.policy_number, v.title, v.effective_date, c.name AS indication, "
            "v.source_path, c.page, c.line_start FROM " + _CURRENT + " JOIN conditions c ON "
            "c.version_id = v.id WHERE v.id IN (SELECT version_id FROM drug_names WHERE "
            "drug_key = :drug) OR p.drug_key = :drug ORDER BY p.payer, p.policy_number, c.ordinal"
        ),
    },
    "by_hcpcs": {
        "title": "Who covers an HCPCS code?",
        "description": "Current policies listing the HCPCS code (e.g. J1745).",
        "sql": (
            "SELECT DISTINCT p.payer, p.policy_number, v.title, v.effective_date, h.code, "
            "v.source_path FROM " + _CURRENT + " JOIN hcpcs h ON h.version_id = v.id "
            "WHERE h.code = upper(:code) ORDER BY p.payer, p.policy_number"
        ),
    },
    "compare": {
        "title": "Compare plans for a drug",
        "description": "Indications x plans: prior authorization and approval durations.",
        "sql": (
            "SELECT c.indication_key, p.payer, p.policy_number, c.prior_authorization, "
            "c.initial_duration_value, c.initial_duration_unit, c.continuation_duration_value, "
            "c.continuation_duration_unit, (SELECT group_concat(DISTINCT s.drug_key) FROM "
            "step_therapy s WHERE s.condition_id = c.id) AS step_therapy FROM " + _CURRENT + " "
            "JOIN conditions c ON c.version_id = v.id WHERE p.drug_key = :drug OR v.id IN "
            "(SELECT version_id FROM drug_names WHERE drug_key = :drug) "
            "ORDER BY c.indication_key, p.payer, p.policy_number"
        ),
    },
    "changes_since": {
        "title": "Versions effective since a date",
        "description": "Every indexed version in force on or after the date (YYYY-MM-DD).",
        "sql": (
            "SELECT p.payer, p.policy_number, v.title, v.effective_date, v.source_path, "
            "v.is_current FROM versions v JOIN policies p ON p.id = v.policy_id "
            "WHERE v.effective_date >= :since ORDER BY v.effective_date DESC, p.payer"
        ),
    },
}

_TABLES: dict[str, dict[str, Any]] = {
    "policies": {
        "description": "One row per policy: payer + policy number (or title) across versions.",
        "facets": ["payer", "drug_key"],
        "columns": {
            "payer": "Payer as written in the latest version",
            "drug_key": "The generic drug the policy is about, normalised across payers",
        },
    },
    "versions": {
        "description": "One row per indexed document; is_current marks the version in force.",
        "facets": ["is_current", "format", "profile"],
        "columns": {
            "effective_date": "ISO date the version is in force",
            "json": "The whole Policy JSON the other tables are derived from",
        },
    },
    "conditions": {
        "description": "Covered indications, with prior authorization and approval durations.",
        "facets": ["indication_key", "prior_authorization"],
        "columns": {
            "indication_key": "The indication, normalised to match across payers",
            "initial_duration_unit": "h | d | wk | mo | a",
        },
    },
    "drug_names": {
        "description": "Every generic and brand name of a version, for lookup by name.",
        "facets": ["drug_key", "kind"],
    },
    "hcpcs": {"description": "HCPCS codes of each version.", "facets": ["code"]},
    "criteria": {"description": "Criteria trees, one node per row (parent_id keeps the tree)."},
    "step_therapy": {
        "description": "Drugs a criterion requires tried first.",
        "facets": ["drug_key"],
    },
    "icd10": {"description": "ICD-10 codes per indication and the document's coding tables."},
}


def datasette_metadata(database: str, title: str = "Policy library") -> dict[str, Any]:
    """Datasette metadata for the library ``database`` (Datasette names it by the file stem)."""
    return {
        "title": title,
        "description": "Health-plan drug policies, indexed by policy-extract (issue #17).",
        "databases": {database: {"tables": _TABLES, "queries": CANNED_QUERIES}},
    }
