"""What changed between two sets of policies: new, retired and revised ones, each revision
summarised by the semantic diff (counts by impact, the top changes).

Two folders are paired by payer + policy number (without a number: the file stem); the library
compares each version since a date with the previous version of the same policy.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..diff import diff_policies
from ..diff.changes import Change
from ..model import Policy
from .store import LibraryError

__all__ = ["ChangeReport", "PolicyEntry", "Revision", "changes_between_folders", "changes_since"]

_SUFFIXES = (".pdf", ".md", ".markdown", ".txt", ".json")
_IMPACTS = ("narrows", "broadens", "editorial", "unclassified")
TOP_CHANGES = 5


@dataclass(frozen=True, slots=True)
class PolicyEntry:
    """A policy as the report names it."""

    label: str  # payer, number and title
    effective_date: str
    source: str


@dataclass(frozen=True, slots=True)
class Revision:
    """A policy in both sets whose content changed."""

    old: PolicyEntry
    new: PolicyEntry
    counts: dict[str, int]  # impact -> number of changes, every impact present
    top: list[Change]


@dataclass(slots=True)
class ChangeReport:
    """New, retired and revised policies, newest first."""

    new: list[PolicyEntry] = field(default_factory=list)
    retired: list[PolicyEntry] = field(default_factory=list)
    revised: list[Revision] = field(default_factory=list)
    unchanged: int = 0

    def sort(self) -> None:
        """Newest first (effective date, then label), so the report is deterministic."""
        self.new.sort(key=lambda e: (_desc(e.effective_date), e.label, e.source))
        self.retired.sort(key=lambda e: (_desc(e.effective_date), e.label, e.source))
        self.revised.sort(key=lambda r: (_desc(r.new.effective_date), r.new.label, r.new.source))


def _desc(date: str) -> tuple[int, ...]:
    return tuple(-ord(ch) for ch in date)


def entry(policy: Policy, source: str) -> PolicyEntry:
    """The report's name for ``policy``."""
    parts = [policy.payer or "", policy.policy_number or "", policy.title or ""]
    label = " ".join(part for part in parts if part) or source
    return PolicyEntry(label, str(policy.effective_date or ""), source)


def revision(old: Policy, new: Policy, old_source: str, new_source: str) -> Revision | None:
    """The diff of two versions, summarised; None when they do not differ in substance."""
    diff = diff_policies(old, new)
    if not diff.changes:
        return None
    counts: Counter[str] = Counter(change.impact for change in diff.changes)
    ranked = sorted(diff.changes, key=lambda c: _IMPACTS.index(c.impact))
    return Revision(
        old=entry(old, old_source),
        new=entry(new, new_source),
        counts={impact: counts.get(impact, 0) for impact in _IMPACTS},
        top=ranked[:TOP_CHANGES],
    )


def _pair_key(policy: Policy, path: Path) -> str:
    if policy.policy_number:
        payer = re.sub(r"\s+", " ", (policy.payer or "").casefold()).strip()
        return f"{payer}|{policy.policy_number.strip().casefold()}"
    return f"stem:{path.stem.casefold()}"


def _folder(folder: Path) -> dict[str, tuple[Policy, Path]]:
    from ..diff import load_for_diff

    if not folder.is_dir():
        raise LibraryError(folder, "not a folder")
    found: dict[str, tuple[Policy, Path]] = {}
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in _SUFFIXES)
    for path in files:
        policy = load_for_diff(path)
        found.setdefault(_pair_key(policy, path), (policy, path))
    return found


def _number(policy: Policy) -> str:
    return (policy.policy_number or "").strip().casefold()


def _pair_by_number(
    old: dict[str, tuple[Policy, Path]], new: dict[str, tuple[Policy, Path]]
) -> None:
    """A policy whose payer is read differently in the two versions (a rebranded header) is
    still paired when its policy number is unique among the unpaired ones on both sides."""
    only_old = [key for key in old if key not in new and _number(old[key][0])]
    only_new = [key for key in new if key not in old and _number(new[key][0])]
    for key in only_new:
        number = _number(new[key][0])
        same = [k for k in only_old if _number(old[k][0]) == number]
        if len(same) == 1 and sum(_number(new[k][0]) == number for k in only_new) == 1:
            old[key] = old.pop(same[0])
            only_old.remove(same[0])


def changes_between_folders(old_dir: Path, new_dir: Path) -> ChangeReport:
    """New, retired and revised policies from ``old_dir`` to ``new_dir``."""
    old, new = _folder(old_dir), _folder(new_dir)
    _pair_by_number(old, new)
    report = ChangeReport()
    for key in sorted(old.keys() | new.keys()):
        if key not in old:
            report.new.append(entry(new[key][0], str(new[key][1])))
        elif key not in new:
            report.retired.append(entry(old[key][0], str(old[key][1])))
        else:
            (before, before_path), (after, after_path) = old[key], new[key]
            found = revision(before, after, str(before_path), str(after_path))
            if found is None:
                report.unchanged += 1
            else:
                report.revised.append(found)
    report.sort()
    return report


def changes_since(connection: sqlite3.Connection, db: str, since: str) -> ChangeReport:
    """Every version in force from ``since`` (ISO date) on, against the policy's previous one."""
    try:
        rows = connection.execute(
            "SELECT id, policy_id, effective_date, indexed_order, source_path, json FROM versions "
            "WHERE effective_date >= ? ORDER BY effective_date, indexed_order",
            (since,),
        ).fetchall()
        report = ChangeReport()
        for _, policy_id, date, order, source, text in rows:
            new = Policy.model_validate(json.loads(text))
            previous = connection.execute(
                "SELECT source_path, json FROM versions WHERE policy_id = ? AND "
                "(COALESCE(effective_date, '') < ? OR (effective_date = ? AND indexed_order < ?)) "
                "ORDER BY COALESCE(effective_date, '') DESC, indexed_order DESC LIMIT 1",
                (policy_id, date, date, order),
            ).fetchone()
            if previous is None:
                report.new.append(entry(new, source))
                continue
            old = Policy.model_validate(json.loads(previous[1]))
            found = revision(old, new, previous[0], source)
            if found is None:
                report.unchanged += 1
            else:
                report.revised.append(found)
    except sqlite3.DatabaseError as exc:
        raise LibraryError(db, f"cannot query the library ({exc})") from None
    report.sort()
    return report
