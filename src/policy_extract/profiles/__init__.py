"""Profiles: one per policy template, tried in order; the generic profile takes the rest.

A profile is a module with ``NAME``, ``matches(blocks)``, ``find_title(blocks)``,
``FOOTER_PATTERNS`` and ``read_policy(blocks, furniture) -> (Policy, Findings)``.
"""

from __future__ import annotations

from . import bsc, generic

__all__ = ["bsc", "generic"]
