"""Recording changes for the policy diff, and comparing plain values, string sets and code sets.

``Recorder`` stamps each ``Change`` with the condition being compared; ``plain`` and ``canon``
turn models into the JSON values a change carries and compares.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .matching import align, name_matcher, word_matcher
from .words import clip, same, word_diff

ChangeKind = Literal["added", "removed", "changed"]
Impact = Literal["narrows", "broadens", "editorial", "unclassified"]


class Change(BaseModel):
    """One difference between the two versions."""

    model_config = ConfigDict(extra="forbid")

    kind: ChangeKind
    path: str
    old: Any = None
    new: Any = None
    summary: str
    impact: Impact
    condition: str | None = None
    # The bullet for the policy's own "Changes from previous policy version" section (without the
    # condition prefix); not part of the JSON output.
    changelog: str | None = Field(default=None, exclude=True, repr=False)


DiffFormat = Literal["md", "html", "json", "changelog"]


class PolicyDiff(BaseModel):
    """Every change from ``old`` to ``new`` (source paths, or titles), in document order."""

    model_config = ConfigDict(extra="forbid")

    old: str
    new: str
    # Set when the two are not versions of one policy (different drugs): every format says so
    # first, since every change below then reads differently.
    different_documents: str | None = None
    changes: list[Change] = Field(default_factory=list)


@dataclass
class Recorder:
    """Collects changes, stamping each with the condition being compared (None: policy-wide)."""

    changes: list[Change] = field(default_factory=list)
    condition: str | None = None

    def added(self, path: str, value: Any, summary: str, impact: Impact) -> None:
        self._add("added", path, (None, value), summary, impact)

    def removed(self, path: str, value: Any, summary: str, impact: Impact) -> None:
        self._add("removed", path, (value, None), summary, impact)

    def changed(
        self,
        path: str,
        values: tuple[Any, Any],
        summary: str,
        impact: Impact = "editorial",
        changelog: str | None = None,
    ) -> None:
        self._add("changed", path, values, summary, impact, changelog)

    def _add(
        self,
        kind: ChangeKind,
        path: str,
        values: tuple[Any, Any],
        summary: str,
        impact: Impact,
        changelog: str | None = None,
    ) -> None:
        old, new = (plain(value) for value in values)
        self.changes.append(
            Change(
                kind=kind,
                path=path,
                old=old,
                new=new,
                summary=summary,
                impact=impact,
                condition=self.condition,
                changelog=changelog or summary,
            )
        )


def plain(value: Any) -> Any:
    """A JSON value without spans; pydantic models dumped."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "span"}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


def canon(value: Any) -> Any:
    """``plain`` with whitespace runs collapsed, for equality."""
    value = plain(value)
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return {k: canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canon(v) for v in value]
    return value


def diff_value(rec: Recorder, path: str, old: str | None, new: str | None, noun: str) -> None:
    if same(old, new):
        return
    if not old:
        rec.added(path, new, f"Added {noun}: {clip(new or '')}", "editorial")
    elif not new:
        rec.removed(path, old, f"Removed {noun}: {clip(old)}", "editorial")
    else:
        summary = f"Changed {noun}: {word_diff(old, new)}"
        rec.changed(path, (old, new), summary, changelog=f"Changed {noun} to: {new}")


def diff_strings(
    rec: Recorder,
    path: str,
    values: tuple[Sequence[str], Sequence[str]],
    noun: str,
    impacts: tuple[Impact, Impact] = ("editorial", "editorial"),
    matcher: Callable[[str, str], SequenceMatcher[str]] | None = word_matcher,
) -> None:
    """Compare as sets; ``impacts`` is (added, removed). With a ``matcher``, a removed and an
    added string that are similar pair up as one revision."""
    old = {" ".join(s.split()): s for s in values[0]}
    new = {" ".join(s.split()): s for s in values[1]}
    gone = sorted(k for k in old if k not in new)
    came = sorted(k for k in new if k not in old)
    threshold = 0.6 if matcher is name_matcher else 0.5 if matcher else 2.0  # 2.0: never pair
    for pair in align(gone, came, matcher or word_matcher, threshold):
        match pair:
            case (None, int(j)):
                rec.added(path, new[came[j]], f"Added {noun}: {clip(came[j])}", impacts[0])
            case (int(i), None):
                rec.removed(path, old[gone[i]], f"Removed {noun}: {clip(gone[i])}", impacts[1])
            case (int(i), int(j)):
                a, b = old[gone[i]], new[came[j]]
                summary = f"Revised {noun}: {word_diff(a, b)}"
                rec.changed(path, (a, b), summary, changelog=f"Revised {noun}: {b}")


def diff_codes(
    rec: Recorder, path: str, old: dict[str, Any], new: dict[str, Any], noun: str
) -> None:
    """Code sets keyed by code: an added code broadens, a removed one narrows."""
    for code in sorted(old.keys() | new.keys()):
        where = f"{path}[{code}]"
        if code not in new:
            rec.removed(where, old[code], f"Removed {noun} {code}", "narrows")
        elif code not in old:
            rec.added(where, new[code], f"Added {noun} {code}", "broadens")
        elif canon(old[code]) != canon(new[code]):
            a, b = old[code].get("description") or "", new[code].get("description") or ""
            summary = f"Changed description of {noun} {code}: {word_diff(a, b)}"
            rec.changed(where, (old[code], new[code]), summary)
