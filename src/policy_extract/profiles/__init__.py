"""Profiles: one per policy template, and the registry that chooses among them by evidence.

Each profile module builds a ``Profile`` (``base.py``): ``match(blocks)`` scores how strongly a
document reads as its template and says why; ``read_policy`` fills a Policy. ``choose_profile``
asks every profile in ``PROFILES`` that is switched on and takes the best score (ties: the
earlier in ``PROFILES``); the generic profile reads whatever no template profile claims.

Profiles can be switched off by name, to measure the template-free reader alone: pass
``disabled`` or set ``POLICY_EXTRACT_DISABLE_PROFILES`` (comma-separated names, or ``all``
for every template profile). The generic profile cannot be switched off.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence

from ..blocks import Block
from . import anthem, bsc, cigna, druglist, emblem, fep, generic, uhc
from .base import Match, Profile

__all__ = [
    "DISABLE_ENV",
    "PROFILES",
    "Match",
    "Profile",
    "choose_profile",
    "disabled_from_env",
    "profile_names",
]

DISABLE_ENV = "POLICY_EXTRACT_DISABLE_PROFILES"
_FULL_MATCH = 1.0  # a profile's score is the share of its template's signs found

# Template profiles, most specific first; the generic profile is the fallback, not listed.
PROFILES: tuple[Profile, ...] = (
    bsc.PROFILE,
    cigna.PROFILE,
    fep.PROFILE,
    uhc.PROFILE,
    anthem.PROFILE,
    emblem.PROFILE,
    druglist.PROFILE,
)


def profile_names() -> list[str]:
    """The names that can be switched off."""
    return [profile.name for profile in PROFILES]


def disabled_from_env() -> frozenset[str]:
    """The profile names switched off by ``POLICY_EXTRACT_DISABLE_PROFILES``."""
    names = {n.strip().lower() for n in os.environ.get(DISABLE_ENV, "").split(",") if n.strip()}
    return frozenset(profile_names()) if "all" in names else frozenset(names)


def choose_profile(
    blocks: Sequence[Block], disabled: Collection[str] | None = None
) -> tuple[Profile, Match]:
    """The best-matching profile that is switched on, with its evidence; else the generic one."""
    off = disabled_from_env() if disabled is None else frozenset(disabled)
    best: tuple[Profile, Match] | None = None
    for profile in PROFILES:
        if profile.name in off:
            continue
        found = profile.match(blocks)
        if found and (best is None or found.score > best[1].score):
            best = (profile, found)
            if found.score >= _FULL_MATCH:
                break  # no later profile can beat it: ties go to the earlier one
    if best is not None:
        return best
    evidence = generic.PROFILE.match(blocks)
    if off:
        evidence = Match(0.0, (*evidence.evidence, f"switched off: {', '.join(sorted(off))}"))
    return generic.PROFILE, evidence
