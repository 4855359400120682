"""policy_extract: payer drug policies in, validated and source-grounded structured data out.

>>> import policy_extract
>>> policy = policy_extract.extract("source_docs/atgam.md")
>>> policy.coverage[0].condition
'Allograft Rejection in Renal Transplant'

Public names are imported on first use, so ``policy-extract --help`` starts fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import LoadError, ParseError, PolicyExtractError

if TYPE_CHECKING:
    from .diff import diff_policies
    from .lint import lint_policy
    from .model import Policy
    from .pipeline import extract
    from .render.jinja import render_template
    from .render.json import load_policy as load
    from .render.json import policy_to_json

__all__ = [
    "LoadError",
    "ParseError",
    "Policy",
    "PolicyExtractError",
    "__version__",
    "diff_policies",
    "extract",
    "lint_policy",
    "load",
    "policy_to_json",
    "render_template",
]

__version__ = "0.1.0"

_LAZY = {
    "extract": ("policy_extract.pipeline", "extract"),
    "Policy": ("policy_extract.model", "Policy"),
    "load": ("policy_extract.render.json", "load_policy"),
    "policy_to_json": ("policy_extract.render.json", "policy_to_json"),
    "render_template": ("policy_extract.render.jinja", "render_template"),
    "diff_policies": ("policy_extract.diff", "diff_policies"),
    "lint_policy": ("policy_extract.lint", "lint_policy"),
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        module, attribute = _LAZY[name]
        return getattr(importlib.import_module(module), attribute)
    raise AttributeError(f"module 'policy_extract' has no attribute {name!r}")
