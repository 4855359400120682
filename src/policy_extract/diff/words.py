"""Word-level text comparison for the policy diff: word diffs, clipped summaries, equality.

``word_diff`` is the one-line ``[-old-]{+new+}`` form used in change summaries; ``render``
builds its html ``<del>`` / ``<ins>`` from ``word_segments``.
"""

from __future__ import annotations

from difflib import SequenceMatcher
from typing import Literal

_CLIP_WORDS = 40
_SHORT_WORDS = 24  # a word diff this short is shown whole


def word_segments(old: str, new: str) -> list[tuple[Literal["equal", "delete", "insert"], str]]:
    """``old`` -> ``new`` as runs of equal, deleted and inserted words."""
    a, b = old.split(), new.split()
    segments: list[tuple[Literal["equal", "delete", "insert"], str]] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            segments.append(("equal", " ".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("delete", " ".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("insert", " ".join(b[j1:j2])))
    return segments


def word_diff(old: str, new: str, context: int = 4) -> str:
    """One line: ``… keep [-old words-]{+new words+} keep …``; in a long text, long equal runs
    are elided to ``context`` words either side of a change."""
    segments = word_segments(old, new)
    short = sum(len(text.split()) for _, text in segments) <= _SHORT_WORDS
    out = ""
    for n, (tag, text) in enumerate(segments):
        if tag != "equal":
            piece = f"[-{text}-]" if tag == "delete" else f"{{+{text}+}}"
        elif short:
            piece = text
        else:
            piece = _elide(text.split(), n == 0, n == len(segments) - 1, context)
        glued = tag == "insert" and n > 0 and segments[n - 1][0] == "delete"
        out += piece if glued or not out else f" {piece}"
    return out


def _elide(words: list[str], first: bool, last: bool, context: int) -> str:
    if first and last:
        return " ".join(words)
    if first and len(words) > context:
        words = ["…", *words[-context:]]
    elif last and len(words) > context:
        words = [*words[:context], "…"]
    elif not first and not last and len(words) > 2 * context:
        words = [*words[:context], "…", *words[-context:]]
    return " ".join(words)


def clip(text: str) -> str:
    words = text.split()
    return " ".join(words[:_CLIP_WORDS]) + (" …" if len(words) > _CLIP_WORDS else "")


def same(a: str | None, b: str | None) -> bool:
    return (a or "").split() == (b or "").split()
