"""The semantic diff of two Policies, field by field: ``diff_policies`` (see the package docs)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ..model import ConditionCoverage, OutlineBlock, Policy
from ..pipeline import extract
from ..render.json import load_policy
from .changes import (
    Impact,
    PolicyDiff,
    Recorder,
    canon,
    diff_codes,
    diff_strings,
    diff_value,
    plain,
)
from .criteria import diff_criteria
from .matching import align, name_matcher, word_matcher
from .regimen import diff_regimen
from .structured import structured_lines
from .words import clip, same, word_diff

__all__ = ["diff_policies", "different_documents", "load_for_diff"]


def load_for_diff(path: str | Path, pdf_engine: str | None = None) -> Policy:
    """A ``.json`` file is read as a converted Policy; anything else is extracted (a PDF with
    ``pdf_engine``'s characters)."""
    path = Path(path)
    return load_policy(path) if path.suffix.lower() == ".json" else extract(path, pdf_engine)


def diff_policies(old: Policy, new: Policy) -> PolicyDiff:
    """Every semantic change from ``old`` to ``new``; none when they differ only in form."""
    recorder = Recorder()
    for step in _STEPS:
        recorder.condition = None
        step(recorder, old, new)
    return PolicyDiff(
        old=_name(old),
        new=_name(new),
        different_documents=different_documents(old, new),
        changes=recorder.changes,
    )


def different_documents(old: Policy, new: Policy) -> str | None:
    """Why ``old`` and ``new`` are not two versions of one policy (different drugs, or different
    policy numbers where a drug is not named), or None when they may be."""
    old_name, new_name = old.drug.generic_name, new.drug.generic_name
    if old_name and new_name:
        if _same_name(old_name, new_name):
            return None
        return f"Different drugs: {old_name} (old) and {new_name} (new)"
    old_number, new_number = old.policy_number, new.policy_number
    if old_number and new_number and not _same_name(old_number, new_number):
        return f"Different policies: number {old_number} (old) and {new_number} (new)"
    return None


def _same_name(a: str, b: str) -> bool:
    """Equal, or one the other with a qualifier (``infliximab`` and ``infliximab-dyyb``)."""
    x, y = (" ".join(re.findall(r"[a-z0-9]+", name.casefold())) for name in (a, b))
    return x in y or y in x


def _name(policy: Policy) -> str:
    if policy.source is not None:
        return policy.source.path
    return policy.title or "(untitled policy)"


# --- policy-wide fields ------------------------------------------------------------------------


def _diff_front_matter(rec: Recorder, old: Policy, new: Policy) -> None:
    diff_value(rec, "title", old.title, new.title, "title")
    diff_value(
        rec, "drug.generic_name", old.drug.generic_name, new.drug.generic_name, "generic name"
    )
    brands = (old.drug.brand_names, new.drug.brand_names)
    diff_strings(rec, "drug.brand_names", brands, "brand name", matcher=name_matcher)
    diff_value(rec, "payer", old.payer, new.payer, "payer")
    diff_value(rec, "policy_type", old.policy_type, new.policy_type, "policy type")
    places = (old.places_of_service, new.places_of_service)
    # Places are distinct settings: "Office" for "Home Infusion" is a removal and an addition.
    impacts: tuple[Impact, Impact] = ("broadens", "narrows")
    diff_strings(rec, "places_of_service", places, "place of service", impacts, matcher=None)


def _diff_drug_details(rec: Recorder, old: Policy, new: Policy) -> None:
    a, b = old.drug_details, new.drug_details
    diff_value(rec, "drug_details.usp_category", a.usp_category, b.usp_category, "USP category")
    moa = (a.mechanism_of_action, b.mechanism_of_action)
    diff_value(rec, "drug_details.mechanism_of_action", *moa, "mechanism of action")
    hcpcs = [{h.code: plain(h.model_dump(exclude={"text"})) for h in d.hcpcs} for d in (a, b)]
    diff_codes(rec, "drug_details.hcpcs", hcpcs[0], hcpcs[1], "HCPCS")
    supplied = (a.how_supplied, b.how_supplied)
    diff_strings(rec, "drug_details.how_supplied", supplied, "how-supplied entry")


def _diff_policy_text(rec: Recorder, old: Policy, new: Policy) -> None:
    listed = (old.conditions_listed, new.conditions_listed)
    impacts: tuple[Impact, Impact] = ("broadens", "narrows")
    diff_strings(rec, "conditions_listed", listed, "listed condition", impacts, name_matcher)
    unlisted = (old.unlisted_condition_policy, new.unlisted_condition_policy)
    diff_value(rec, "unlisted_condition_policy", *unlisted, "policy for unlisted conditions")
    instructions = (old.special_instructions, new.special_instructions)
    diff_strings(rec, "special_instructions", instructions, "special instruction")
    # A new exclusion narrows coverage; a dropped one broadens it.
    excluded = ([s.text for s in old.not_covered], [s.text for s in new.not_covered])
    diff_strings(rec, "not_covered", excluded, "condition not covered", ("narrows", "broadens"))


def _diff_references(rec: Recorder, old: Policy, new: Policy) -> None:
    a, b = old.references, new.references
    numbers = ([r.number for r in a], [r.number for r in b])
    texts = ([r.text for r in a], [r.text for r in b])
    for pair in align(*texts, word_matcher, 0.5, fallback=numbers):
        match pair:
            case (None, int(j)):
                path = f"references[{b[j].number or j + 1}]"
                rec.added(path, b[j], f"Added reference: {clip(b[j].text)}", "editorial")
            case (int(i), None):
                path = f"references[{a[i].number or i + 1}]"
                rec.removed(path, a[i], f"Removed reference: {clip(a[i].text)}", "editorial")
            case (int(i), int(j)) if canon(a[i].text) != canon(b[j].text) or a[i].url != b[j].url:
                number = b[j].number or j + 1
                detail = word_diff(a[i].text, b[j].text)
                if same(a[i].text, b[j].text):
                    detail = f"URL {a[i].url} → {b[j].url}"
                summary = f"Revised reference {number}: {detail}"
                rec.changed(f"references[{number}]", (a[i], b[j]), summary)


def _diff_review_history(rec: Recorder, old: Policy, new: Policy) -> None:
    a, b = old.review_history, new.review_history
    date = (a.last_annual_review, b.last_annual_review)
    diff_value(rec, "review_history.last_annual_review", *date, "date of last annual review")
    diff_strings(rec, "review_history.changes", (a.changes, b.changes), "review note")


def _diff_unparsed(rec: Recorder, old: Policy, new: Policy) -> None:
    texts = ([u.text for u in old.unparsed], [u.text for u in new.unparsed])
    diff_strings(rec, "unparsed", texts, "unparsed text")


# --- coverage ----------------------------------------------------------------------------------


def _diff_coverage(rec: Recorder, old: Policy, new: Policy) -> None:
    a, b = old.coverage, new.coverage
    names = ([c.condition for c in a], [c.condition for c in b])
    ids = ([c.id for c in a], [c.id for c in b])
    for pair in align(*names, name_matcher, 0.6, exact=ids):
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


def _diff_condition(rec: Recorder, a: ConditionCoverage, b: ConditionCoverage) -> None:
    rec.condition = b.condition
    base = f"coverage[{b.id}]"
    if not same(a.condition, b.condition):
        summary = f'Renamed condition "{a.condition}" to "{b.condition}"'
        rec.changed(f"{base}.condition", (a.condition, b.condition), summary)
    was, now = a.prior_authorization_required, b.prior_authorization_required
    if was != now:
        summary = f"Prior authorization {'now' if now else 'no longer'} required"
        if now is None:
            summary = "Prior authorization requirement no longer stated"
        impact: Impact = "editorial" if bool(was) == bool(now) else "narrows" if now else "broadens"
        rec.changed(f"{base}.prior_authorization_required", (was, now), summary, impact)
    diff_criteria(rec, f"{base}.criteria", a.criteria, b.criteria)
    continuation = (a.continuation_criteria, b.continuation_criteria)
    diff_criteria(rec, f"{base}.continuation_criteria", *continuation)
    diff_regimen(rec, f"{base}.doses", a.doses, b.doses, "dose")
    diff_regimen(
        rec, f"{base}.coverage_periods", a.coverage_periods, b.coverage_periods, "coverage period"
    )
    codes = [{c.code: plain(c) for c in side.icd10} for side in (a, b)]
    diff_codes(rec, f"{base}.icd10", codes[0], codes[1], "ICD-10 code")


# --- outline -----------------------------------------------------------------------------------


def _diff_outline(rec: Recorder, old: Policy, new: Policy) -> None:
    """Sections by heading, then blocks by text. The tool cannot tell what a paragraph of an
    unknown template means for coverage, so these changes are ``unclassified``: a reviewer must
    read them, and an "editorial" filter never hides them."""
    a, b = old.outline, new.outline
    read = (structured_lines(old), structured_lines(new))
    headings = ([s.heading or "" for s in a], [s.heading or "" for s in b])
    for pair in align(*headings, name_matcher, 0.6):
        match pair:
            case (None, int(j)):
                summary = f"Added section: {_heading(b[j].heading)} ({len(b[j].blocks)} blocks)"
                rec.added(f"outline[{j}]", b[j], summary, "unclassified")
            case (int(i), None):
                summary = f"Removed section: {_heading(a[i].heading)} ({len(a[i].blocks)} blocks)"
                rec.removed(f"outline[{i}]", a[i], summary, "unclassified")
            case (int(i), int(j)):
                path, title = f"outline[{j}]", _heading(b[j].heading)
                if not same(a[i].heading, b[j].heading):
                    summary = f"Renamed section {_heading(a[i].heading)} to {title}"
                    headings_pair = (a[i].heading, b[j].heading)
                    rec.changed(f"{path}.heading", headings_pair, summary, "unclassified")
                blocks = (a[i].blocks, b[j].blocks)
                _diff_blocks(rec, f"{path}.blocks", blocks, title, read)


def _heading(heading: str | None) -> str:
    return f'"{heading}"' if heading else "(untitled section)"


def _diff_blocks(
    rec: Recorder,
    path: str,
    blocks: tuple[list[OutlineBlock], list[OutlineBlock]],
    title: str,
    read: tuple[set[int], set[int]],
) -> None:
    """Blocks by text. A block whose every line a structured field also read (a criterion, a
    period, a code) is compared there, with its impact: it is not repeated here as noise."""
    old = [x for x in blocks[0] if not _read_elsewhere(x, read[0])]
    new = [y for y in blocks[1] if not _read_elsewhere(y, read[1])]
    texts = ([x.text for x in old], [x.text for x in new])
    for pair in align(*texts, word_matcher, 0.5):
        match pair:
            case (None, int(j)):
                summary = f"{title}: Added {_block_noun(new[j])}: {clip(new[j].text)}"
                rec.added(f"{path}[{j}]", new[j], summary, "unclassified")
            case (int(i), None):
                summary = f"{title}: Removed {_block_noun(old[i])}: {clip(old[i].text)}"
                rec.removed(f"{path}[{i}]", old[i], summary, "unclassified")
            case (int(i), int(j)):
                x, y, noun = old[i], new[j], _block_noun(new[j])
                if not same(x.text, y.text):
                    summary = f"{title}: Revised {noun}: {word_diff(x.text, y.text)}"
                    changelog = f"{title}: Revised {noun}: {y.text}"
                    rec.changed(
                        f"{path}[{j}]",
                        (x.text, y.text),
                        summary,
                        "unclassified",
                        changelog=changelog,
                    )
                children = (x.children, y.children)
                _diff_blocks(rec, f"{path}[{j}].children", children, title, read)


def _read_elsewhere(block: OutlineBlock, read: set[int]) -> bool:
    """Every line of the block and its children is in a structured field's span."""
    lines = [
        line
        for item in _walk_outline(block)
        if item.span is not None and item.span.line_start is not None
        for line in range(item.span.line_start, (item.span.line_end or item.span.line_start) + 1)
    ]
    return bool(lines) and all(line in read for line in lines)


def _walk_outline(block: OutlineBlock) -> list[OutlineBlock]:
    found, stack = [], [block]
    while stack:
        item = stack.pop()
        found.append(item)
        stack.extend(item.children)
    return found


def _block_noun(block: OutlineBlock) -> str:
    return block.kind.replace("_", " ")


_STEPS: tuple[Callable[[Recorder, Policy, Policy], None], ...] = (
    _diff_front_matter,
    _diff_drug_details,
    _diff_policy_text,
    _diff_coverage,
    _diff_references,
    _diff_review_history,
    _diff_outline,
    _diff_unparsed,
)
