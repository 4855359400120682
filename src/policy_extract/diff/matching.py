"""Matching siblings for the policy diff: pair old and new items by text, not by position.

Equal text pairs first, then the most similar pairs above a threshold (``word_matcher`` compares
words, ``name_matcher`` characters of normalised names), then optional fallback keys. Unpaired
items come back as additions and removals, in the new document's reading order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from difflib import SequenceMatcher


def _normal_name(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def word_matcher(a: str, b: str) -> SequenceMatcher[str]:
    return SequenceMatcher(None, a.lower().split(), b.lower().split(), autojunk=False)


def name_matcher(a: str, b: str) -> SequenceMatcher[str]:
    return SequenceMatcher(None, _normal_name(a), _normal_name(b), autojunk=False)


Pair = tuple[int | None, int | None]


def align(
    old: Sequence[str],
    new: Sequence[str],
    matcher: Callable[[str, str], SequenceMatcher[str]],
    threshold: float,
    *,
    exact: tuple[Sequence[str], Sequence[str]] | None = None,
    fallback: tuple[Sequence[object], Sequence[object]] | None = None,
) -> list[Pair]:
    """Pair old and new items: equal keys, then best similarity >= threshold, then fallback keys."""
    pairs = _equal_pairs(*(exact or (old, new)))  # new index -> old index
    candidates = []
    for i in sorted(set(range(len(old))) - set(pairs.values())):
        for j in (j for j in range(len(new)) if j not in pairs):
            m = matcher(old[i], new[j])
            if m.real_quick_ratio() >= threshold and m.quick_ratio() >= threshold:
                candidates.append((-m.ratio(), abs(i - j), i, j))
    for ratio, _, i, j in sorted(candidates):
        if -ratio >= threshold and j not in pairs and i not in pairs.values():
            pairs[j] = i
    if fallback is not None:
        for j, key in enumerate(fallback[1]):
            free = [i for i, k in enumerate(fallback[0]) if k == key and i not in pairs.values()]
            if j not in pairs and free:
                pairs[j] = free[0]
    return _reading_order(len(old), len(new), pairs)


def _equal_pairs(old: Sequence[str], new: Sequence[str]) -> dict[int, int]:
    waiting: dict[str, list[int]] = {}
    for i, key in enumerate(old):
        waiting.setdefault(" ".join(key.split()), []).append(i)
    pairs: dict[int, int] = {}
    for j, key in enumerate(new):
        if queue := waiting.get(" ".join(key.split())):
            pairs[j] = queue.pop(0)
    return pairs


def _reading_order(n_old: int, n_new: int, pairs: dict[int, int]) -> list[Pair]:
    """New order, each removed item placed before the first new item matched after it."""
    matched_old = set(pairs.values())
    removed = [i for i in range(n_old) if i not in matched_old]
    out: list[Pair] = []
    for j in range(n_new):
        if (i := pairs.get(j)) is not None:
            while removed and removed[0] < i:
                out.append((removed.pop(0), None))
        out.append((i, j))
    out.extend((i, None) for i in removed)
    return out
