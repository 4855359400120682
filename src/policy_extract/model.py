"""The Policy model: JSON contract v1. Keys are public API: add fields freely, never rename.

Models hold data and validate it; they do no I/O. Every structured value keeps the verbatim
``text`` it came from and a ``span`` pointing back into the source.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from .blocks import Span

__all__ = [
    "SCHEMA_VERSION",
    "ConditionCoverage",
    "CriteriaNode",
    "Dose",
    "Drug",
    "DrugDetails",
    "Hcpcs",
    "Icd10Code",
    "Operator",
    "OutlineBlock",
    "OutlineSection",
    "Period",
    "Policy",
    "Quantity",
    "Reference",
    "ReviewHistory",
    "Source",
    "TimeUnit",
    "Timing",
    "Unparsed",
    "Warning",
]

SCHEMA_VERSION = "1.0"

Operator = Literal["all", "any", "at_least"]
TimeUnit = Literal["h", "d", "wk", "mo", "a"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Drug(_Model):
    generic_name: str | None = None
    brand_names: list[str] = Field(default_factory=list)


class Hcpcs(_Model):
    code: str
    description: str | None = None
    text: str
    span: Span | None = None


class DrugDetails(_Model):
    usp_category: str | None = None
    mechanism_of_action: str | None = None
    hcpcs: list[Hcpcs] = Field(default_factory=list)
    how_supplied: list[str] = Field(default_factory=list)


class CriteriaNode(_Model):
    """One criterion. ``operator`` says how its children combine; a leaf has none."""

    label: str | None = None
    text: str
    operator: Operator | None = None
    min_count: int | None = None
    children: list[CriteriaNode] = Field(default_factory=list)
    span: Span | None = None


class Quantity(_Model):
    value: int | float
    unit: str


class Timing(_Model):
    """FHIR Timing.repeat: ``frequency`` administrations per ``period`` ``period_unit``."""

    frequency: int
    period: int | float
    period_unit: TimeUnit


class Dose(_Model):
    text: str
    amount: int | float | None = None
    unit: str | None = None
    up_to: bool = False
    route: str | None = None
    timing: Timing | None = None
    max_per_administration: Quantity | None = None
    applies_when: str | None = None
    escalation_to: Quantity | None = None
    span: Span | None = None


class Period(_Model):
    text: str
    max_doses: int | None = None
    duration: Quantity | None = None
    phase: Literal["initial", "continuation"] | None = None
    dose_index: int | None = None
    min_interval: Quantity | None = None
    span: Span | None = None


class Icd10Code(_Model):
    """A single code, or a range ``"M05.00-M05.9"`` with ``start`` and ``end``."""

    code: str
    description: str | None = None
    start: str | None = None
    end: str | None = None
    expanded: list[str] | None = None  # a range's billable codes, with --expand-icd-ranges
    span: Span | None = None


class ConditionCoverage(_Model):
    id: str
    condition: str
    prior_authorization_required: bool | None = None
    criteria: CriteriaNode | None = None
    doses: list[Dose] = Field(default_factory=list)
    coverage_periods: list[Period] = Field(default_factory=list)
    icd10: list[Icd10Code] = Field(default_factory=list)
    span: Span | None = None


class Reference(_Model):
    number: int | None = None
    text: str
    url: str | None = None
    span: Span | None = None


class ReviewHistory(_Model):
    last_annual_review: str | None = None
    changes: list[str] = Field(default_factory=list)
    span: Span | None = None


class OutlineBlock(_Model):
    kind: str
    text: str
    label: str | None = None
    children: list[OutlineBlock] = Field(default_factory=list)
    span: Span | None = None


class OutlineSection(_Model):
    heading: str | None = None
    level: int = 1
    blocks: list[OutlineBlock] = Field(default_factory=list)
    span: Span | None = None


class Source(_Model):
    path: str
    format: Literal["pdf", "markdown", "text"]
    sha256: str
    pages: int | None = None
    furniture: list[str] = Field(default_factory=list)
    profile: str | None = None
    # Why that profile was chosen: the evidence its match found, as short strings.
    profile_evidence: list[str] = Field(default_factory=list)
    code_sets: dict[str, str] = Field(default_factory=dict)  # e.g. {"icd10": "ICD-10-CM ..."}


class Warning(_Model):
    code: str
    message: str
    span: Span | None = None


class Unparsed(_Model):
    text: str
    span: Span | None = None


class Policy(_Model):
    """A drug policy as structured data (JSON contract v1)."""

    schema_version: str = SCHEMA_VERSION
    title: str | None = None
    drug: Drug = Field(default_factory=Drug)
    payer: str | None = None
    policy_type: str | None = None
    places_of_service: list[str] = Field(default_factory=list)
    drug_details: DrugDetails = Field(default_factory=DrugDetails)
    conditions_listed: list[str] = Field(default_factory=list)
    unlisted_condition_policy: str | None = None
    special_instructions: list[str] = Field(default_factory=list)
    coverage: list[ConditionCoverage] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    review_history: ReviewHistory = Field(default_factory=ReviewHistory)
    outline: list[OutlineSection] = Field(default_factory=list)
    source: Source | None = None
    warnings: list[Warning] = Field(default_factory=list)
    unparsed: list[Unparsed] = Field(default_factory=list)

    @field_validator("schema_version")
    @classmethod
    def _major_version_one(cls, value: str) -> str:
        if not value.startswith("1."):
            raise ValueError(f"unsupported schema_version {value!r}; this tool reads 1.x")
        return value
