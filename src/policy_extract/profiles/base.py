"""What a profile is: how it recognises its template, and how it reads a document of it.

A profile module builds one ``Profile`` and the registry (``profiles/__init__.py``) lists them.
``match(blocks)`` returns a ``Match``: a score from 0 (not this template) to 1 (every sign of
the template found) and the evidence found, as short strings a person can check ("heading
'Coverage Criteria'", "footer names the payer"). The pipeline takes the highest score (it stops
asking at a score of 1); ``source.profile`` and ``source.profile_evidence`` record the choice.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from ..blocks import Block, Furniture
from ..model import Policy
from ._common import Findings

__all__ = ["NO_MATCH", "Match", "Profile"]


@dataclass(frozen=True, slots=True)
class Match:
    """How strongly a document matches a profile (0 to 1), and why."""

    score: float
    evidence: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return self.score > 0


NO_MATCH = Match(0.0)


@dataclass(frozen=True, slots=True)
class Profile:
    """One template: ``name`` as recorded in ``source.profile``, and its four rules."""

    name: str
    match: Callable[[Sequence[Block]], Match]
    find_title: Callable[[Sequence[Block]], str | None]
    read_policy: Callable[[Sequence[Block], Sequence[Furniture]], tuple[Policy, Findings]]
    is_structure: Callable[[Block], bool]
    footer_patterns: tuple[re.Pattern[str], ...] = field(default=())
