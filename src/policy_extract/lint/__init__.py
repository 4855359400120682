"""Lint for policy authors: code-set validation and consistency checks on a Policy.

``lint_policy(policy)`` runs every check in ``CHECKS`` (small functions with one signature) and
returns ``Finding`` entries in file order. Errors are what a claims or prior-authorization system
would trip over (an invalid or malformed code, a listed condition without criteria, a dose
without a unit); warnings are what a reviewer should look at (a category where a billable code
belongs, a repeated phrase, an empty section).

Code sets:

* ICD-10-CM: offline, from the ``simple-icd-10-cm`` package; ``icd10_release()`` names the
  release it ships (imported on first use: the import takes over a second).
* HCPCS Level II: format only, unless a code list is given. The list is the CMS release file:
  on the CMS "HCPCS Quarterly Update" page
  (https://www.cms.gov/medicare/coding-billing/healthcare-common-procedure-system/quarterly-update)
  download the quarter's "Alpha-Numeric HCPCS File" ZIP, extract the text file
  (``HCPC20xx_<MON>_ANWEB_....txt``) and pass it to ``load_hcpcs_file``; a CSV export with a
  column named HCPC, HCPCS or Code also works.

Modules, in the direction of their imports: ``codes`` (``Finding``, ``LintContext``, the ICD-10
and HCPCS code sets and their checks), ``checks`` (consistency checks, ``CHECKS``,
``lint_policy``), ``render`` (findings as text or JSON).
"""

from __future__ import annotations

from .checks import CHECKS, lint_file, lint_policy, repeated_phrase
from .codes import (
    Check,
    Finding,
    LintContext,
    Severity,
    annotate_icd10,
    expand_icd10_range,
    icd10_release,
    load_hcpcs_file,
)
from .render import render_findings_json, render_findings_text

__all__ = [
    "CHECKS",
    "Check",
    "Finding",
    "LintContext",
    "Severity",
    "annotate_icd10",
    "expand_icd10_range",
    "icd10_release",
    "lint_file",
    "lint_policy",
    "load_hcpcs_file",
    "render_findings_json",
    "render_findings_text",
    "repeated_phrase",
]
