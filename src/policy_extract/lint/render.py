"""Lint findings as text for people and as JSON for tools."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict

from .codes import Finding

__all__ = ["render_findings_json", "render_findings_text"]


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _tally(findings: Sequence[Finding]) -> tuple[int, int]:
    errors = sum(1 for f in findings if f.severity == "error")
    return errors, len(findings) - errors


def render_findings_text(
    results: list[tuple[str, list[Finding]]], *, code_set: str | None = None
) -> str:
    """Findings grouped by file, errors before warnings, and a total line."""
    lines: list[str] = []
    for path, findings in results:
        errors, warnings = _tally(findings)
        lines.append(f"{path}: {_count(errors, 'error')}, {_count(warnings, 'warning')}")
        for severity in ("error", "warning"):
            for f in (f for f in findings if f.severity == severity):
                where = f.location or "(no location)"
                lines.append(f"  {severity} {where}: {f.code}: {f.message} [{f.path}]")
                if f.hint:
                    lines.append(f"      hint: {f.hint}")
    errors, warnings = _tally([f for _, findings in results for f in findings])
    total = f"{_count(len(results), 'file')} linted: {_count(errors, 'error')}, "
    total += _count(warnings, "warning")
    if code_set:
        total += f"; code set {code_set}"
    lines.append(total)
    return "\n".join(lines) + "\n"


def render_findings_json(
    results: list[tuple[str, list[Finding]]], *, code_set: str | None = None
) -> str:
    """Findings as stable, pretty JSON: ``{code_sets, files: [{path, errors, warnings,
    findings}], total}``."""
    files = []
    for path, findings in results:
        errors, warnings = _tally(findings)
        entries = [asdict(f) for f in findings]
        files.append({"path": path, "errors": errors, "warnings": warnings, "findings": entries})
    errors, warnings = _tally([f for _, findings in results for f in findings])
    document = {
        "code_sets": {"icd10": code_set},
        "files": files,
        "total": {"files": len(results), "errors": errors, "warnings": warnings},
    }
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"
