"""The code-set half of ``lint``: the ``Finding`` vocabulary, the ICD-10-CM and HCPCS Level II
lookups, and the checks that use them. ``lint.py`` adds the consistency checks and the renderers.

ICD-10-CM comes from the ``simple_icd_10_cm`` package, imported lazily on first use because the
import parses the whole tabular XML (over a second). ``icd10_release()`` names the data it ships.

HCPCS Level II has no offline package: ``load_hcpcs_file`` reads the CMS release file a user
downloads (``lint.py`` says where to get it).
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
import re
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, Literal

from ..blocks import Span
from ..errors import LoadError
from ..model import Icd10Code, Policy

__all__ = [
    "CODE_CHECKS",
    "HCPCS_CODE",
    "Check",
    "Finding",
    "Icd10Status",
    "LintContext",
    "Severity",
    "annotate_icd10",
    "check_hcpcs_codes",
    "check_hcpcs_unparsed",
    "check_icd10_codes",
    "check_icd10_ranges",
    "check_product_hcpcs_codes",
    "expand_icd10_range",
    "expand_icd10_ranges",
    "finding_at",
    "icd10_description",
    "icd10_nearest",
    "icd10_position",
    "icd10_release",
    "icd10_status",
    "is_hcpcs_code",
    "load_hcpcs_file",
    "normalise_hcpcs",
    "normalise_icd10",
]

_DISTRIBUTION = "simple-icd-10-cm"
# The tabular file the package ships names the release: "icd10c-tabular-April-1-2026.xml".
_TABULAR_FILE = re.compile(r"icd10[a-z]*-tabular-(?P<month>[A-Za-z]+)-(?P<day>\d+)-(?P<year>\d{4})")

Icd10Status = Literal["billable", "not-billable", "unknown"]
"""A code is billable (a leaf of the code set), a category or subcategory with codes under it, or
not an ICD-10-CM code at all (chapters such as ``"1"`` and blocks such as ``"A00-A09"`` count as
unknown: a policy cannot bill them)."""

HCPCS_CODE = re.compile(r"^[A-Z][0-9]{4}$")
"""HCPCS Level II: one letter and four digits (``J7504``)."""

Severity = Literal["error", "warning"]


@dataclass(frozen=True, slots=True)
class Finding:
    """One problem: what (``code``, ``message``), how to fix it (``hint``), and where.

    ``location`` is for people (``"line 72"``, ``"page 3, line 40"``, ``""`` when the problem is
    an absence with no place in the source); ``path`` is the JSON path of the value in the
    Policy (``"coverage[2].icd10[3]"``); ``page`` and ``line`` are for tools and sorting.
    """

    severity: Severity
    code: str
    message: str
    hint: str
    location: str
    path: str
    page: int | None = None
    line: int | None = None


def finding_at(
    severity: Severity, code: str, message: str, hint: str, path: str, span: Span | None
) -> Finding:
    """A Finding located by ``span`` (None: no place in the source)."""
    return Finding(
        severity=severity,
        code=code,
        message=message,
        hint=hint,
        location=span.describe() if span is not None else "",
        path=path,
        page=span.page if span is not None else None,
        line=span.line_start if span is not None else None,
    )


@dataclass(frozen=True, slots=True)
class LintContext:
    """What every check reads: the policy, the optional HCPCS code list and the source lines."""

    policy: Policy
    hcpcs_codes: frozenset[str] | None = None
    source_lines: Sequence[str] | None = None


Check = Callable[[LintContext], Iterator[Finding]]
"""A check: one signature, yielding whatever it finds (in any order)."""


# --- ICD-10-CM ---------------------------------------------------------------------------------


@cache
def _icd() -> Any:
    """The ``simple_icd_10_cm`` module, imported on first use.

    Version 1.5 loads its data with ``importlib.resources.read_text``, deprecated since Python
    3.11: that DeprecationWarning is the library's business, so it is silenced for the import.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm

    module: ModuleType = simple_icd_10_cm
    return module


@cache
def icd10_release() -> str:
    """The ICD-10-CM code set in use: ``"ICD-10-CM April 1, 2026 (simple-icd-10-cm 1.5.0)"``.

    The package exposes no release name, so it is read from the data file the distribution
    ships (without importing the package); failing that, only the package version is given.
    """
    try:
        distribution = importlib.metadata.distribution(_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        return f"{_DISTRIBUTION} (not installed)"
    version = f"{_DISTRIBUTION} {distribution.version}"
    for file in sorted(str(f) for f in distribution.files or []):
        match = _TABULAR_FILE.search(file)
        if match:
            when = f"{match['month']} {int(match['day'])}, {match['year']}"
            return f"ICD-10-CM {when} ({version})"
    return version


def normalise_icd10(code: str) -> str:
    """The code as the code set writes it: upper case, dot after the third character.

    ``"d619"`` -> ``"D61.9"``; ``"m05.00"`` -> ``"M05.00"``; ``"D61."`` -> ``"D61"``.
    """
    compact = re.sub(r"\s+", "", code).upper().rstrip(".")
    if "." not in compact and len(compact) > 3:
        return f"{compact[:3]}.{compact[3:]}"
    return compact


def icd10_status(code: str) -> Icd10Status:
    """Whether a code (in normal form) is billable, a category with codes under it, or unknown."""
    icd = _icd()
    if not icd.is_valid_item(code) or not icd.is_category_or_subcategory(code):
        return "unknown"
    return "billable" if icd.is_leaf(code) else "not-billable"


def icd10_description(code: str) -> str | None:
    """The code set's description of a category, subcategory or code; None if it is unknown."""
    if icd10_status(code) == "unknown":
        return None
    description: str = _icd().get_description(code)
    return description


def icd10_nearest(code: str) -> str | None:
    """The longest prefix of an unknown code that is in the code set (``T86.99X`` -> ``T86.9``)."""
    candidate = normalise_icd10(code)
    while len(candidate) >= 3:
        if icd10_status(candidate) != "unknown":
            return candidate
        candidate = candidate[:-1].rstrip(".")
    return None


def icd10_position(code: str) -> int:
    """Where a known code stands in code-set order (the order of the tabular list)."""
    return _positions()[code]


@cache
def _positions() -> dict[str, int]:
    # A block that holds a single category has that category's name ("B99"): the later,
    # category entry wins, which is the one a policy means.
    return {code: index for index, code in enumerate(_icd().get_all_codes())}


def expand_icd10_range(start: str, end: str) -> list[str]:
    """The billable codes from ``start`` to ``end`` inclusive, in code-set order.

    ``end`` includes everything under it: ``"M05.00"`` to ``"M05.9"`` ends after M05.9's own
    codes, and ``"M05"`` to ``"M06"`` covers all of M06. Raise ValueError if either end is not an
    ICD-10-CM code or the range runs backwards.
    """
    first, last = normalise_icd10(start), normalise_icd10(end)
    for code in (first, last):
        if icd10_status(code) == "unknown":
            raise ValueError(f"{code!r} is not an ICD-10-CM code")
    low, high = icd10_position(first), icd10_position(last)
    if low > high:
        raise ValueError(f"range {first}-{last} runs backwards: {first} comes after {last}")
    icd = _icd()
    high += len(icd.get_descendants(last))
    codes: list[str] = icd.get_all_codes()[low : high + 1]
    return list(dict.fromkeys(c for c in codes if icd10_status(c) == "billable"))


def annotate_icd10(policy: Policy) -> Policy:
    """A copy of ``policy`` whose ICD-10 codes carry the code set's description where missing.

    Unknown codes and ranges are left as they are (a range has no single description); the
    input is not changed.
    """
    annotated = policy.model_copy(deep=True)
    for coverage in annotated.coverage:
        for entry in coverage.icd10:
            if entry.description is None and entry.start is None and entry.end is None:
                entry.description = icd10_description(normalise_icd10(entry.code))
    return annotated


def expand_icd10_ranges(policy: Policy) -> tuple[Policy, list[str]]:
    """A copy of ``policy`` whose ICD-10 ranges list their billable codes in ``expanded``, and
    one message per range that could not be expanded (the range is then left as it is)."""
    expanded = policy.model_copy(deep=True)
    problems: list[str] = []
    for coverage in expanded.coverage:
        for entry in coverage.icd10:
            if entry.start is None or entry.end is None:
                continue
            try:
                entry.expanded = expand_icd10_range(entry.start, entry.end)
            except ValueError as exc:
                problems.append(f"{coverage.condition}: ICD-10 range {entry.code}: {exc}")
    return expanded, problems


# --- HCPCS Level II ----------------------------------------------------------------------------


def normalise_hcpcs(code: str) -> str:
    """``" j7504 "`` -> ``"J7504"``."""
    return code.strip().upper()


def is_hcpcs_code(code: str) -> bool:
    """One letter and four digits, exactly as written."""
    return bool(HCPCS_CODE.match(code))


_CODE_COLUMNS = {"HCPC", "HCPCS", "CODE"}


def load_hcpcs_file(path: str | Path) -> frozenset[str]:
    """The HCPCS Level II codes in a CMS release file; raise LoadError if there are none.

    Reads the fixed-width (or tab-separated) Alpha-Numeric text file, whose lines start with the
    five-character code, or a CSV whose header has a column named HCPC, HCPCS or Code. Lines
    that do not start with a code (modifiers, headers, continuation records) are skipped.
    """
    file = Path(path)
    try:
        data = file.read_bytes()
    except OSError as error:
        raise LoadError(file, f"cannot read HCPCS file: {error.strerror or error}") from None
    if data[:2] == b"PK":
        raise LoadError(
            file, "is a ZIP archive (or .xlsx): extract the Alpha-Numeric .txt file and pass that"
        )
    text = _decode(data)
    if not text.strip():
        raise LoadError(file, "HCPCS file is empty")
    codes = _codes_from_csv(text)
    if codes is None:
        codes = {normalise_hcpcs(line[:5]) for line in text.splitlines()}
    found = frozenset(code for code in codes if is_hcpcs_code(code))
    if not found:
        raise LoadError(file, "no HCPCS codes found (expected lines that start with a code)")
    return found


def _decode(data: bytes) -> str:
    # CMS text files have been published in Windows-1252; a Latin-1 fallback never fails.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _codes_from_csv(text: str) -> set[str] | None:
    """Codes from the code column of a delimited file with a header; None if there is none."""
    header = text.lstrip().splitlines()[0]
    delimiter = max(",\t;|", key=header.count)
    if header.count(delimiter) == 0:
        return None
    rows = csv.reader(io.StringIO(text.lstrip()), delimiter=delimiter)
    names = [name.strip().strip('"').upper() for name in next(rows)]
    column = next((i for i, name in enumerate(names) if name in _CODE_COLUMNS), None)
    if column is None:
        return None
    return {normalise_hcpcs(row[column]) for row in rows if len(row) > column}


# --- ICD-10-CM checks -----------------------------------------------------------------------------


def _icd10_entries(policy: Policy) -> Iterator[tuple[str, Icd10Code]]:
    """Every condition's codes, then the document's coding-table codes no condition lists."""
    for c, coverage in enumerate(policy.coverage):
        for i, entry in enumerate(coverage.icd10):
            yield f"coverage[{c}].icd10[{i}]", entry
    per_condition = {entry.code for coverage in policy.coverage for entry in coverage.icd10}
    for i, entry in enumerate(policy.icd10):
        if entry.code not in per_condition:
            yield f"icd10[{i}]", entry


def check_icd10_codes(context: LintContext) -> Iterator[Finding]:
    """Each single code: in the code set, billable, written in normal form."""
    for path, entry in _icd10_entries(context.policy):
        if entry.start is not None or entry.end is not None:
            continue
        code = normalise_icd10(entry.code)
        status = icd10_status(code)
        if status == "unknown":
            nearest = icd10_nearest(code)
            hint = "check the code"
            if nearest:
                hint = f"the nearest existing code is {nearest} ({icd10_description(nearest)})"
            message = f"{entry.code!r} is not a code in {icd10_release()}"
            yield finding_at("error", "icd10-invalid", message, hint, path, entry.span)
            continue
        if code != entry.code:
            yield _normalised(entry.code, code, path, entry.span)
        if status == "not-billable":
            codes = expand_icd10_range(code, code)
            message = f"{code} is a category with {len(codes)} billable codes under it"
            hint = f"list the billable codes it means, or write the range {codes[0]}-{codes[-1]}"
            yield finding_at("warning", "icd10-not-billable", message, hint, path, entry.span)


def check_icd10_ranges(context: LintContext) -> Iterator[Finding]:
    """Each range: both ends in the code set, the start before the end."""
    for path, entry in _icd10_entries(context.policy):
        if entry.start is None or entry.end is None:
            continue
        ends = [normalise_icd10(entry.start), normalise_icd10(entry.end)]
        unknown = [code for code in ends if icd10_status(code) == "unknown"]
        for written, code in zip((entry.start, entry.end), ends, strict=True):
            if code != written and code not in unknown:
                yield _normalised(written, code, path, entry.span)
        if unknown:
            verb = "is not an ICD-10-CM code" if len(unknown) == 1 else "are not ICD-10-CM codes"
            message = f"range {entry.code}: {' and '.join(map(repr, unknown))} {verb}"
            hint = "both ends of a range must be codes in the current code set"
        elif icd10_position(ends[0]) > icd10_position(ends[1]):
            message = f"range {entry.code} runs backwards: {ends[0]} comes after {ends[1]}"
            hint = f"write it {ends[1]}-{ends[0]}"
        else:
            continue
        yield finding_at("error", "icd10-range-invalid", message, hint, path, entry.span)


def _normalised(written: str, code: str, path: str, span: Span | None) -> Finding:
    message = f"{written!r} is written {code!r} in ICD-10-CM"
    return finding_at("warning", "icd10-normalised", message, f"write {code}", path, span)


# --- HCPCS Level II checks ------------------------------------------------------------------------

# An unparsed line that opens like a code ("J750: Lymphocyte ...") is a HCPCS code the extractor
# could not read as one.
_CODE_LIKE = re.compile(r"^\s*(?P<code>[A-Za-z]{1,2}\d{2,6}[A-Za-z]?)\s*[:\-–—]\s*\S")


def check_hcpcs_codes(context: LintContext) -> Iterator[Finding]:
    """Each HCPCS code: one letter and four digits, known to the CMS list if one is given."""
    known = context.hcpcs_codes
    for i, hcpcs in enumerate(context.policy.drug_details.hcpcs):
        path, span = f"drug_details.hcpcs[{i}]", hcpcs.span
        code = normalise_hcpcs(hcpcs.code)
        if not is_hcpcs_code(code):
            message = f"{hcpcs.code!r} is not a HCPCS Level II code (one letter and four digits)"
            yield finding_at("error", "hcpcs-malformed", message, "check the code", path, span)
            continue
        if code != hcpcs.code:
            message = f"{hcpcs.code!r} is written {code!r} in HCPCS"
            yield finding_at("warning", "hcpcs-normalised", message, f"write {code}", path, span)
        if known is not None and code not in known:
            message = f"{code} is not in the HCPCS code list given"
            hint = "check the code, or use the current quarter's HCPCS file"
            yield finding_at("error", "hcpcs-unknown", message, hint, path, span)
        if not hcpcs.description:
            message = f"HCPCS {code} has no description"
            hint = f'write the CMS description after the code: "{code}: ..."'
            yield finding_at("warning", "hcpcs-description-missing", message, hint, path, span)


def check_product_hcpcs_codes(context: LintContext) -> Iterator[Finding]:
    """Each product's HCPCS codes (drug lists, multi-drug policies): well formed and known.
    A code the drug details list too is checked there only."""
    known = context.hcpcs_codes
    checked = {normalise_hcpcs(hcpcs.code) for hcpcs in context.policy.drug_details.hcpcs}
    for p, product in enumerate(context.policy.products):
        for i, written in enumerate(product.hcpcs):
            path, span, code = f"products[{p}].hcpcs[{i}]", product.span, normalise_hcpcs(written)
            if code in checked:
                continue
            if not is_hcpcs_code(code):
                message = f"{written!r} ({product.name}) is not a HCPCS Level II code"
                yield finding_at("error", "hcpcs-malformed", message, "check the code", path, span)
            elif known is not None and code not in known:
                message = f"{code} ({product.name}) is not in the HCPCS code list given"
                hint = "check the code, or use the current quarter's HCPCS file"
                yield finding_at("error", "hcpcs-unknown", message, hint, path, span)


def check_hcpcs_unparsed(context: LintContext) -> Iterator[Finding]:
    """Code-like lines the extractor could not read as HCPCS (``J750: ...``) are malformed codes."""
    for i, item in enumerate(context.policy.unparsed):
        match = _CODE_LIKE.match(item.text)
        if match and not is_hcpcs_code(normalise_hcpcs(match["code"])):
            code = match["code"]
            message = f"{code!r} reads as a HCPCS code but is not one letter and four digits"
            path = f"unparsed[{i}]"
            yield finding_at("error", "hcpcs-malformed", message, "check the code", path, item.span)


CODE_CHECKS: list[Check] = [
    check_icd10_codes,
    check_icd10_ranges,
    check_hcpcs_codes,
    check_product_hcpcs_codes,
    check_hcpcs_unparsed,
]
