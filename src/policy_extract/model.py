"""The Policy model: JSON contract v1.1. Keys are public API: add fields freely, never rename.

v1.1 (additive over v1.0): ``policy_number``, ``effective_date`` and every dated statement in
``dates``; ``products`` for policies that cover several products; ``general_criteria`` (applies to
every indication); ``not_covered``; a document-level ``icd10`` list with ``applies_to``; per
condition ``continuation_criteria``; ``drug.qualifier``; ``joined_by`` on doses and periods;
table rows on outline blocks; and ``spans``, one map from a scalar field's name (``"payer"``,
``"policy_number"``, ``"effective_date"``, ``"title"``) to where its value was read.

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
    "DateKind",
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
    "PolicyDate",
    "Product",
    "Quantity",
    "Reference",
    "ReviewHistory",
    "Source",
    "Statement",
    "TableCell",
    "TimeUnit",
    "Timing",
    "Unparsed",
    "Warning",
    "choose_effective_date",
]

SCHEMA_VERSION = "1.1"

Operator = Literal["all", "any", "at_least"]
TimeUnit = Literal["h", "d", "wk", "mo", "a"]
DateKind = Literal["effective", "revised", "reviewed", "published", "original", "next_review"]
# How an item relates to the next one of its list: "40 mg/kg daily, or" / "15 mg/kg daily".
Connector = Literal["or", "and"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Drug(_Model):
    generic_name: str | None = None
    brand_names: list[str] = Field(default_factory=list)
    # Route or form written after the names: "subcutaneous" in "drugname (Brand), subcutaneous".
    qualifier: str | None = None


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
    joined_by: Connector | None = None  # connector to the next dose ("or": alternatives)
    span: Span | None = None


class Period(_Model):
    text: str
    max_doses: int | None = None
    duration: Quantity | None = None
    phase: Literal["initial", "continuation"] | None = None
    dose_index: int | None = None
    min_interval: Quantity | None = None
    joined_by: Connector | None = None  # connector to the next period
    span: Span | None = None


class Icd10Code(_Model):
    """A single code, or a range ``"M05.00-M05.9"`` with ``start`` and ``end``."""

    code: str
    description: str | None = None
    start: str | None = None
    end: str | None = None
    expanded: list[str] | None = None  # a range's billable codes, with --expand-icd-ranges
    # Document-level list: the products or HCPCS codes a coding table ties this code to.
    applies_to: list[str] = Field(default_factory=list)
    span: Span | None = None


class ConditionCoverage(_Model):
    id: str
    condition: str
    prior_authorization_required: bool | None = None
    criteria: CriteriaNode | None = None  # initial authorization
    # Reauthorization / "patient is currently receiving" criteria, apart from the initial ones.
    continuation_criteria: CriteriaNode | None = None
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


class TableCell(_Model):
    text: str
    span: Span | None = None


class OutlineBlock(_Model):
    kind: str
    text: str
    label: str | None = None
    children: list[OutlineBlock] = Field(default_factory=list)
    rows: list[list[TableCell]] | None = None  # kind "table": rows of cells, header row first
    span: Span | None = None


class PolicyDate(_Model):
    """A dated statement: "Effective Date: 03/15/2026" -> kind "effective", date "2026-03-15"."""

    kind: DateKind
    date: str  # ISO 8601 (YYYY-MM-DD); a month-only date is the first of the month
    text: str
    span: Span | None = None


class Product(_Model):
    """One drug product a policy covers (a biosimilar, a class member, a row of a drug list)."""

    name: str
    generic_name: str | None = None
    brand_names: list[str] = Field(default_factory=list)
    hcpcs: list[str] = Field(default_factory=list)
    # A drug list's row flags by column name ("prior authorization": "Yes"), verbatim.
    flags: dict[str, str] = Field(default_factory=dict)
    # Conditions the document lists this product as covered (proven) for, verbatim, whether or
    # not they have criteria of their own (those with criteria are also in ``coverage``).
    conditions: list[Statement] = Field(default_factory=list)
    span: Span | None = None


class Statement(_Model):
    """A sentence or item kept verbatim, e.g. one condition that is not covered."""

    text: str
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
    """A drug policy as structured data (JSON contract v1.1)."""

    schema_version: str = SCHEMA_VERSION
    title: str | None = None
    drug: Drug = Field(default_factory=Drug)
    payer: str | None = None
    policy_type: str | None = None
    policy_number: str | None = None
    # The date the version is in force: an explicit "Effective Date" wins; else the latest
    # revised/reviewed/published date in ``dates`` (see ``choose_effective_date``).
    effective_date: str | None = None
    dates: list[PolicyDate] = Field(default_factory=list)
    products: list[Product] = Field(default_factory=list)
    places_of_service: list[str] = Field(default_factory=list)
    drug_details: DrugDetails = Field(default_factory=DrugDetails)
    conditions_listed: list[str] = Field(default_factory=list)
    unlisted_condition_policy: str | None = None
    special_instructions: list[str] = Field(default_factory=list)
    # Requirements the document applies to every indication ("General Requirements").
    general_criteria: CriteriaNode | None = None
    coverage: list[ConditionCoverage] = Field(default_factory=list)
    not_covered: list[Statement] = Field(default_factory=list)
    # Every ICD-10-CM code of the document's coding tables (per-condition codes are on coverage).
    icd10: list[Icd10Code] = Field(default_factory=list)
    references: list[Reference] = Field(default_factory=list)
    review_history: ReviewHistory = Field(default_factory=ReviewHistory)
    outline: list[OutlineSection] = Field(default_factory=list)
    # Where each scalar field's value was read: {"policy_number": Span, "payer": Span, ...}.
    spans: dict[str, Span] = Field(default_factory=dict)
    source: Source | None = None
    warnings: list[Warning] = Field(default_factory=list)
    unparsed: list[Unparsed] = Field(default_factory=list)

    @field_validator("schema_version")
    @classmethod
    def _major_version_one(cls, value: str) -> str:
        if not value.startswith("1."):
            raise ValueError(f"unsupported schema_version {value!r}; this tool reads 1.x")
        return value


_DATE_TIERS: tuple[tuple[DateKind, ...], ...] = (
    ("revised", "reviewed"),
    ("published",),
    ("original",),
)


def choose_effective_date(dates: list[PolicyDate]) -> PolicyDate | None:
    """The version's date: the first explicit effective date; else the latest revised or reviewed
    date; else the latest published date; else the original date; never a next-review date."""
    effective = [d for d in dates if d.kind == "effective"]
    if effective:
        return effective[0]
    for kinds in _DATE_TIERS:
        dated = [d for d in dates if d.kind in kinds]
        if dated:
            return max(dated, key=lambda d: d.date)
    return None
