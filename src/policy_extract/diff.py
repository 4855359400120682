"""Semantic diff between two versions of a policy, for reviewers comparing annual reviews.

``diff_policies(old, new)`` walks both Policies field by field and returns a ``PolicyDiff``: a list
of ``Change`` entries, each with a JSON-path-like ``path`` (conditions by id, e.g.
``coverage[myelodysplastic-syndrome-mds].criteria.children[2]``; codes by code, e.g.
``...icd10[Z94.99]``; an added item by its new position, a removed one by its old position), the old
and new JSON values (spans stripped), a one-line ``summary`` and the ``impact`` on coverage.
``render_diff`` (in ``diff_render``) turns a PolicyDiff into md, html, json or changelog text.

Rules a reviewer can notice:

* **Matching, not position.** Conditions match by id, then by name (difflib ratio >= 0.6 on
  lower-cased, punctuation-free names), so a renamed heading is one change. Criteria, outline
  sections and blocks, references and paragraphs match among siblings by text: equal text first,
  then greedily by best word-level ratio (>= 0.5; 0.6 on characters for headings). Labels are
  ignored, so an inserted criterion is one addition, not a cascade of renumberings. Doses and
  periods match by text, then by position; references by text, then by number.
* **Sets are sets.** ICD-10 and HCPCS codes (by code), places of service, listed conditions, brand
  names, how-supplied entries, special instructions and review notes: reordering is no change. A
  removed and an added string that are similar are one revision (not for places of service).
* **Never compared:** ``source``, every ``span``, ``warnings``, where ``unparsed`` text sits, a
  reference's number alone, a period's ``dose_index``, and differences in whitespace only.
* **Impact.** ``narrows``: a criterion added under all-of (or removed from any-of), any -> all,
  min_count up, a dose amount, frequency or cap lowered, a period shortened or fewer doses, a code,
  condition, dose, period or place of service removed, prior authorization newly required.
  ``broadens``: the opposites. ``editorial``: references, review history, front matter, outline
  text, and rewording whose structured values are equal (a reworded criterion is editorial: the
  word diff in the summary is for the reviewer to judge). A structured change whose direction
  cannot be told (unit, route, ``applies_when``, phase) and a change that both narrows and
  broadens count as ``narrows``, so that they are never filtered out as editorial.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from .model import ConditionCoverage, CriteriaNode, Dose, OutlineBlock, Period, Policy, Quantity
from .pipeline import extract
from .render.json import load_policy

__all__ = [
    "Change",
    "ChangeKind",
    "DiffFormat",
    "Impact",
    "PolicyDiff",
    "diff_policies",
    "load_for_diff",
    "render_diff",
    "word_diff",
    "word_segments",
]

ChangeKind = Literal["added", "removed", "changed"]
Impact = Literal["narrows", "broadens", "editorial"]
DiffFormat = Literal["md", "html", "json", "changelog"]

# A change in a structured value whose direction cannot be told is flagged, not hidden.
_UNCLEAR: Impact = "narrows"
_DAYS = {"h": 1 / 24, "d": 1, "wk": 7, "mo": 30, "a": 365}
_CLIP_WORDS = 40
_SHORT_WORDS = 24  # a word diff this short is shown whole


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


class PolicyDiff(BaseModel):
    """Every change from ``old`` to ``new`` (source paths, or titles), in document order."""

    model_config = ConfigDict(extra="forbid")

    old: str
    new: str
    changes: list[Change] = Field(default_factory=list)


def load_for_diff(path: str | Path) -> Policy:
    """A ``.json`` file is read as a converted Policy; anything else is extracted."""
    path = Path(path)
    return load_policy(path) if path.suffix.lower() == ".json" else extract(path)


def render_diff(diff: PolicyDiff, fmt: DiffFormat) -> str:
    """``diff`` as md, html, json or changelog text (see ``diff_render``)."""
    from .diff_render import render_diff as render

    return render(diff, fmt)


def diff_policies(old: Policy, new: Policy) -> PolicyDiff:
    """Every semantic change from ``old`` to ``new``; none when they differ only in form."""
    recorder = _Recorder()
    for step in _STEPS:
        recorder.condition = None
        step(recorder, old, new)
    return PolicyDiff(old=_name(old), new=_name(new), changes=recorder.changes)


def _name(policy: Policy) -> str:
    if policy.source is not None:
        return policy.source.path
    return policy.title or "(untitled policy)"


@dataclass
class _Recorder:
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
        old, new = (_plain(value) for value in values)
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


# --- words -------------------------------------------------------------------------------------


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


def _clip(text: str) -> str:
    words = text.split()
    return " ".join(words[:_CLIP_WORDS]) + (" …" if len(words) > _CLIP_WORDS else "")


def _same(a: str | None, b: str | None) -> bool:
    return (a or "").split() == (b or "").split()


def _normal_name(text: str) -> str:
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.lower()).split())


def _word_matcher(a: str, b: str) -> SequenceMatcher[str]:
    return SequenceMatcher(None, a.lower().split(), b.lower().split(), autojunk=False)


def _name_matcher(a: str, b: str) -> SequenceMatcher[str]:
    return SequenceMatcher(None, _normal_name(a), _normal_name(b), autojunk=False)


# --- matching siblings -------------------------------------------------------------------------

Pair = tuple[int | None, int | None]


def _align(
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


# --- values ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A JSON value without spans; pydantic models dumped."""
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items() if k != "span"}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _canon(value: Any) -> Any:
    """``_plain`` with whitespace runs collapsed, for equality."""
    value = _plain(value)
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, dict):
        return {k: _canon(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canon(v) for v in value]
    return value


def _value(rec: _Recorder, path: str, old: str | None, new: str | None, noun: str) -> None:
    if _same(old, new):
        return
    if not old:
        rec.added(path, new, f"Added {noun}: {_clip(new or '')}", "editorial")
    elif not new:
        rec.removed(path, old, f"Removed {noun}: {_clip(old)}", "editorial")
    else:
        summary = f"Changed {noun}: {word_diff(old, new)}"
        rec.changed(path, (old, new), summary, changelog=f"Changed {noun} to: {new}")


def _strings(
    rec: _Recorder,
    path: str,
    values: tuple[Sequence[str], Sequence[str]],
    noun: str,
    impacts: tuple[Impact, Impact] = ("editorial", "editorial"),
    matcher: Callable[[str, str], SequenceMatcher[str]] | None = _word_matcher,
) -> None:
    """Compare as sets; ``impacts`` is (added, removed). With a ``matcher``, a removed and an
    added string that are similar pair up as one revision."""
    old = {" ".join(s.split()): s for s in values[0]}
    new = {" ".join(s.split()): s for s in values[1]}
    gone = sorted(k for k in old if k not in new)
    came = sorted(k for k in new if k not in old)
    threshold = 0.6 if matcher is _name_matcher else 0.5 if matcher else 2.0  # 2.0: never pair
    for pair in _align(gone, came, matcher or _word_matcher, threshold):
        match pair:
            case (None, int(j)):
                rec.added(path, new[came[j]], f"Added {noun}: {_clip(came[j])}", impacts[0])
            case (int(i), None):
                rec.removed(path, old[gone[i]], f"Removed {noun}: {_clip(gone[i])}", impacts[1])
            case (int(i), int(j)):
                a, b = old[gone[i]], new[came[j]]
                summary = f"Revised {noun}: {word_diff(a, b)}"
                rec.changed(path, (a, b), summary, changelog=f"Revised {noun}: {b}")


def _codes(rec: _Recorder, path: str, old: dict[str, Any], new: dict[str, Any], noun: str) -> None:
    """Code sets keyed by code: an added code broadens, a removed one narrows."""
    for code in sorted(old.keys() | new.keys()):
        where = f"{path}[{code}]"
        if code not in new:
            rec.removed(where, old[code], f"Removed {noun} {code}", "narrows")
        elif code not in old:
            rec.added(where, new[code], f"Added {noun} {code}", "broadens")
        elif _canon(old[code]) != _canon(new[code]):
            a, b = old[code].get("description") or "", new[code].get("description") or ""
            summary = f"Changed description of {noun} {code}: {word_diff(a, b)}"
            rec.changed(where, (old[code], new[code]), summary)


# --- policy-wide fields ------------------------------------------------------------------------


def _diff_front_matter(rec: _Recorder, old: Policy, new: Policy) -> None:
    _value(rec, "title", old.title, new.title, "title")
    _value(rec, "drug.generic_name", old.drug.generic_name, new.drug.generic_name, "generic name")
    brands = (old.drug.brand_names, new.drug.brand_names)
    _strings(rec, "drug.brand_names", brands, "brand name", matcher=_name_matcher)
    _value(rec, "payer", old.payer, new.payer, "payer")
    _value(rec, "policy_type", old.policy_type, new.policy_type, "policy type")
    places = (old.places_of_service, new.places_of_service)
    # Places are distinct settings: "Office" for "Home Infusion" is a removal and an addition.
    impacts: tuple[Impact, Impact] = ("broadens", "narrows")
    _strings(rec, "places_of_service", places, "place of service", impacts, matcher=None)


def _diff_drug_details(rec: _Recorder, old: Policy, new: Policy) -> None:
    a, b = old.drug_details, new.drug_details
    _value(rec, "drug_details.usp_category", a.usp_category, b.usp_category, "USP category")
    moa = (a.mechanism_of_action, b.mechanism_of_action)
    _value(rec, "drug_details.mechanism_of_action", *moa, "mechanism of action")
    hcpcs = [{h.code: _plain(h.model_dump(exclude={"text"})) for h in d.hcpcs} for d in (a, b)]
    _codes(rec, "drug_details.hcpcs", hcpcs[0], hcpcs[1], "HCPCS")
    supplied = (a.how_supplied, b.how_supplied)
    _strings(rec, "drug_details.how_supplied", supplied, "how-supplied entry")


def _diff_policy_text(rec: _Recorder, old: Policy, new: Policy) -> None:
    listed = (old.conditions_listed, new.conditions_listed)
    impacts: tuple[Impact, Impact] = ("broadens", "narrows")
    _strings(rec, "conditions_listed", listed, "listed condition", impacts, _name_matcher)
    unlisted = (old.unlisted_condition_policy, new.unlisted_condition_policy)
    _value(rec, "unlisted_condition_policy", *unlisted, "policy for unlisted conditions")
    instructions = (old.special_instructions, new.special_instructions)
    _strings(rec, "special_instructions", instructions, "special instruction")


def _diff_references(rec: _Recorder, old: Policy, new: Policy) -> None:
    a, b = old.references, new.references
    numbers = ([r.number for r in a], [r.number for r in b])
    texts = ([r.text for r in a], [r.text for r in b])
    for pair in _align(*texts, _word_matcher, 0.5, fallback=numbers):
        match pair:
            case (None, int(j)):
                path = f"references[{b[j].number or j + 1}]"
                rec.added(path, b[j], f"Added reference: {_clip(b[j].text)}", "editorial")
            case (int(i), None):
                path = f"references[{a[i].number or i + 1}]"
                rec.removed(path, a[i], f"Removed reference: {_clip(a[i].text)}", "editorial")
            case (int(i), int(j)) if _canon(a[i].text) != _canon(b[j].text) or a[i].url != b[j].url:
                number = b[j].number or j + 1
                detail = word_diff(a[i].text, b[j].text)
                if _same(a[i].text, b[j].text):
                    detail = f"URL {a[i].url} → {b[j].url}"
                summary = f"Revised reference {number}: {detail}"
                rec.changed(f"references[{number}]", (a[i], b[j]), summary)


def _diff_review_history(rec: _Recorder, old: Policy, new: Policy) -> None:
    a, b = old.review_history, new.review_history
    date = (a.last_annual_review, b.last_annual_review)
    _value(rec, "review_history.last_annual_review", *date, "date of last annual review")
    _strings(rec, "review_history.changes", (a.changes, b.changes), "review note")


def _diff_unparsed(rec: _Recorder, old: Policy, new: Policy) -> None:
    texts = ([u.text for u in old.unparsed], [u.text for u in new.unparsed])
    _strings(rec, "unparsed", texts, "unparsed text")


# --- coverage ----------------------------------------------------------------------------------


def _diff_coverage(rec: _Recorder, old: Policy, new: Policy) -> None:
    a, b = old.coverage, new.coverage
    names = ([c.condition for c in a], [c.condition for c in b])
    ids = ([c.id for c in a], [c.id for c in b])
    for pair in _align(*names, _name_matcher, 0.6, exact=ids):
        match pair:
            case (None, int(j)):
                rec.condition = b[j].condition
                summary = f"Added condition: {b[j].condition}"
                rec.added(f"coverage[{b[j].id}]", b[j], summary, "broadens")
            case (int(i), None):
                rec.condition = a[i].condition
                summary = f"Removed condition: {a[i].condition}"
                rec.removed(f"coverage[{a[i].id}]", a[i], summary, "narrows")
            case (int(i), int(j)):
                _diff_condition(rec, a[i], b[j])


def _diff_condition(rec: _Recorder, a: ConditionCoverage, b: ConditionCoverage) -> None:
    rec.condition = b.condition
    base = f"coverage[{b.id}]"
    if not _same(a.condition, b.condition):
        summary = f'Renamed condition "{a.condition}" to "{b.condition}"'
        rec.changed(f"{base}.condition", (a.condition, b.condition), summary)
    was, now = a.prior_authorization_required, b.prior_authorization_required
    if was != now:
        summary = f"Prior authorization {'now' if now else 'no longer'} required"
        if now is None:
            summary = "Prior authorization requirement no longer stated"
        impact: Impact = "editorial" if bool(was) == bool(now) else "narrows" if now else "broadens"
        rec.changed(f"{base}.prior_authorization_required", (was, now), summary, impact)
    _diff_criteria(rec, f"{base}.criteria", a.criteria, b.criteria)
    _diff_regimen(rec, f"{base}.doses", a.doses, b.doses, "dose")
    _diff_regimen(
        rec, f"{base}.coverage_periods", a.coverage_periods, b.coverage_periods, "coverage period"
    )
    codes = [{c.code: _plain(c) for c in side.icd10} for side in (a, b)]
    _codes(rec, f"{base}.icd10", codes[0], codes[1], "ICD-10 code")


def _diff_criteria(
    rec: _Recorder, path: str, a: CriteriaNode | None, b: CriteriaNode | None
) -> None:
    if a is None and b is not None:
        rec.added(path, b, f"Added criteria: {_clip(b.text)}", "narrows")
    elif b is None and a is not None:
        rec.removed(path, a, f"Removed criteria: {_clip(a.text)}", "broadens")
    elif a is not None and b is not None:
        _diff_node(rec, path, a, b)


def _diff_node(rec: _Recorder, path: str, a: CriteriaNode, b: CriteriaNode) -> None:
    if not _same(a.text, b.text):
        summary = f"Revised criterion: {word_diff(a.text, b.text)}"
        rec.changed(path, (a.text, b.text), summary, changelog=f"Revised criterion: {b.text}")
    _diff_operator(rec, path, a, b)
    texts = ([c.text for c in a.children], [c.text for c in b.children])
    for pair in _align(*texts, _word_matcher, 0.5):
        match pair:
            case (None, int(j)):
                summary = f"Added criterion: {_criterion_text(b.children[j])}"
                impact = _criterion_impact(b, added=True)
                rec.added(f"{path}.children[{j}]", b.children[j], summary, impact)
            case (int(i), None):
                summary = f"Removed criterion: {_criterion_text(a.children[i])}"
                impact = _criterion_impact(a, added=False)
                rec.removed(f"{path}.children[{i}]", a.children[i], summary, impact)
            case (int(i), int(j)):
                _diff_node(rec, f"{path}.children[{j}]", a.children[i], b.children[j])


def _criterion_text(node: CriteriaNode) -> str:
    n = len(node.children)
    return _clip(node.text) + (f" ({n} sub-criteria)" if n else "")


def _criterion_impact(parent: CriteriaNode, *, added: bool) -> Impact:
    """Under all-of one more criterion narrows; under any-of / at-least one more option broadens."""
    is_option = parent.operator in ("any", "at_least")
    return "broadens" if added == is_option else "narrows"


def _diff_operator(rec: _Recorder, path: str, a: CriteriaNode, b: CriteriaNode) -> None:
    if a.operator == b.operator and a.min_count == b.min_count:
        return
    values: tuple[object, object] = (a.operator, b.operator)
    where = f"{path}.operator"
    if a.operator == b.operator:
        values, where = (a.min_count, b.min_count), f"{path}.min_count"
    summary = f"Changed {_operator_words(a)} to {_operator_words(b)}: {_clip(b.text)}"
    strict_a, strict_b = _strictness(a), _strictness(b)
    impact: Impact = "editorial"
    if strict_a is not None and strict_b is not None and strict_a != strict_b:
        impact = "narrows" if strict_b > strict_a else "broadens"
    rec.changed(where, values, summary, impact)


def _operator_words(node: CriteriaNode) -> str:
    if node.operator == "at_least":
        return f"at least {node.min_count} of"
    return f"{node.operator} of" if node.operator else "no sub-criteria"


def _strictness(node: CriteriaNode) -> int | None:
    """How many children must hold: any 1, at least n, all of them."""
    if node.operator == "any":
        return 1
    if node.operator == "at_least":
        return node.min_count or 1
    return max(len(node.children), 1) if node.operator == "all" else None


# --- doses and periods -------------------------------------------------------------------------

# ``dose_index`` is a cross-reference the extractor derives from the text, not a policy value.
_FIELDS = {
    "dose": (
        "amount", "unit", "up_to", "route", "timing", "max_per_administration", "applies_when",
        "escalation_to",
    ),
    "coverage period": ("max_doses", "duration", "phase", "min_interval"),
}  # fmt: skip


def _diff_regimen(
    rec: _Recorder, path: str, old: Sequence[Dose | Period], new: Sequence[Dose | Period], noun: str
) -> None:
    """Doses and periods are alternatives: one more broadens, one fewer narrows."""
    texts = ([x.text for x in old], [x.text for x in new])
    positions = (list(range(len(old))), list(range(len(new))))
    for pair in _align(*texts, _word_matcher, 0.5, fallback=positions):
        match pair:
            case (None, int(j)):
                rec.added(f"{path}[{j}]", new[j], f"Added {noun}: {_clip(new[j].text)}", "broadens")
            case (int(i), None):
                summary = f"Removed {noun}: {_clip(old[i].text)}"
                rec.removed(f"{path}[{i}]", old[i], summary, "narrows")
            case (int(i), int(j)):
                _diff_regimen_item(rec, f"{path}[{j}]", old[i], new[j], noun)


def _diff_regimen_item(
    rec: _Recorder, path: str, a: Dose | Period, b: Dose | Period, noun: str
) -> None:
    changed = [f for f in _FIELDS[noun] if _canon(getattr(a, f)) != _canon(getattr(b, f))]
    if not changed and _same(a.text, b.text):
        return
    impact: Impact = "editorial"
    if changed and isinstance(a, Dose) and isinstance(b, Dose):
        impact = _combine(_dose_signals(a, b))
    elif changed and isinstance(a, Period) and isinstance(b, Period):
        impact = _combine(_period_signals(a, b))
    fields = "; ".join(f"{f} {_show(getattr(a, f))} → {_show(getattr(b, f))}" for f in changed)
    verb = "Changed" if changed else "Reworded"
    summary = f"{verb} {noun}: {word_diff(a.text, b.text)}" + (f" ({fields})" if fields else "")
    rec.changed(path, (a, b), summary, impact, f"{verb} {noun}: {_without_joiner(b.text)}")


def _without_joiner(text: str) -> str:
    """Drop a trailing "or" / "and" / comma: a changelog bullet stands alone."""
    return re.sub(r"(?:,?\s+(?:or|and)|[,;])$", "", text.strip())


def _dose_signals(a: Dose, b: Dose) -> list[Impact]:
    out = [_more_is_broader(a.amount, b.amount) if a.unit == b.unit else _UNCLEAR]
    out.append(_more_is_broader(_rate(a), _rate(b)))
    out.append(_quantity_signal(a.max_per_administration, b.max_per_administration))
    out.append(_quantity_signal(a.escalation_to, b.escalation_to))
    unclear = any(getattr(a, f) != getattr(b, f) for f in ("route", "applies_when", "up_to"))
    return [*out, _UNCLEAR] if unclear else out


def _period_signals(a: Period, b: Period) -> list[Impact]:
    out = [_more_is_broader(a.max_doses, b.max_doses)]
    out.append(_quantity_signal(a.duration, b.duration))
    out.append(_quantity_signal(b.min_interval, a.min_interval))  # a longer interval narrows
    return [*out, _UNCLEAR] if a.phase != b.phase else out


def _rate(dose: Dose) -> float | None:
    timing = dose.timing
    if timing is None:
        return None
    return timing.frequency / (timing.period * _DAYS[timing.period_unit])


def _quantity_signal(a: Quantity | None, b: Quantity | None) -> Impact:
    if a is None or b is None or a.unit == b.unit:
        return _more_is_broader(a.value if a else None, b.value if b else None)
    if a.unit in _DAYS and b.unit in _DAYS:
        return _more_is_broader(a.value * _DAYS[a.unit], b.value * _DAYS[b.unit])
    return _UNCLEAR


def _more_is_broader(a: float | None, b: float | None) -> Impact:
    """For a limit: introduced or lowered narrows; lifted or raised broadens."""
    if a == b:
        return "editorial"
    if a is None or (b is not None and b < a):
        return "narrows"
    return "broadens"


def _combine(signals: list[Impact]) -> Impact:
    if "narrows" in signals:
        return "narrows"
    return "broadens" if "broadens" in signals else "editorial"


def _show(value: Any) -> str:
    if isinstance(value, Quantity):
        return f"{value.value:g} {value.unit}"
    if isinstance(value, BaseModel):
        return ", ".join(f"{k} {v}" for k, v in _plain(value).items())
    return "none" if value is None else str(value)


# --- outline -----------------------------------------------------------------------------------


def _diff_outline(rec: _Recorder, old: Policy, new: Policy) -> None:
    """Sections by heading, then blocks by text; editorial, as the wording carries the meaning."""
    a, b = old.outline, new.outline
    headings = ([s.heading or "" for s in a], [s.heading or "" for s in b])
    for pair in _align(*headings, _name_matcher, 0.6):
        match pair:
            case (None, int(j)):
                summary = f"Added section: {_heading(b[j].heading)} ({len(b[j].blocks)} blocks)"
                rec.added(f"outline[{j}]", b[j], summary, "editorial")
            case (int(i), None):
                summary = f"Removed section: {_heading(a[i].heading)} ({len(a[i].blocks)} blocks)"
                rec.removed(f"outline[{i}]", a[i], summary, "editorial")
            case (int(i), int(j)):
                path, title = f"outline[{j}]", _heading(b[j].heading)
                if not _same(a[i].heading, b[j].heading):
                    summary = f"Renamed section {_heading(a[i].heading)} to {title}"
                    rec.changed(f"{path}.heading", (a[i].heading, b[j].heading), summary)
                _diff_blocks(rec, f"{path}.blocks", a[i].blocks, b[j].blocks, title)


def _heading(heading: str | None) -> str:
    return f'"{heading}"' if heading else "(untitled section)"


def _diff_blocks(
    rec: _Recorder, path: str, old: list[OutlineBlock], new: list[OutlineBlock], title: str
) -> None:
    texts = ([x.text for x in old], [x.text for x in new])
    for pair in _align(*texts, _word_matcher, 0.5):
        match pair:
            case (None, int(j)):
                summary = f"{title}: Added {_block_noun(new[j])}: {_clip(new[j].text)}"
                rec.added(f"{path}[{j}]", new[j], summary, "editorial")
            case (int(i), None):
                summary = f"{title}: Removed {_block_noun(old[i])}: {_clip(old[i].text)}"
                rec.removed(f"{path}[{i}]", old[i], summary, "editorial")
            case (int(i), int(j)):
                x, y, noun = old[i], new[j], _block_noun(new[j])
                if not _same(x.text, y.text):
                    summary = f"{title}: Revised {noun}: {word_diff(x.text, y.text)}"
                    changelog = f"{title}: Revised {noun}: {y.text}"
                    rec.changed(f"{path}[{j}]", (x.text, y.text), summary, changelog=changelog)
                _diff_blocks(rec, f"{path}[{j}].children", x.children, y.children, title)


def _block_noun(block: OutlineBlock) -> str:
    return block.kind.replace("_", " ")


_STEPS: tuple[Callable[[_Recorder, Policy, Policy], None], ...] = (
    _diff_front_matter,
    _diff_drug_details,
    _diff_policy_text,
    _diff_coverage,
    _diff_references,
    _diff_review_history,
    _diff_outline,
    _diff_unparsed,
)
