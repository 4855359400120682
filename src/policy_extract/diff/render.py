"""A PolicyDiff as text for people and programs: md, html, json or changelog.

* **md** groups changes by condition in the order they occur, then "Policy-wide"; each change
  carries its impact tag and path.
* **html** is one self-contained page (inline CSS, no scripts or external assets). All policy
  text is escaped; word-level changes show as ``<del>`` / ``<ins>``, and each change can be
  expanded to the full before / after.
* **json** is ``{old, new, changes: [{kind, path, old, new, summary, impact, condition}]}``,
  pretty, in the diff's (document) order.
* **changelog** is bullets in the policy's own style for its "Changes from previous policy
  version" section: "Condition: Added ICD-10 code X", codes of one condition merged into one
  bullet, one "Updated references" for any reference change; review history and unparsed text
  are left out.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import Any

from .changes import Change, DiffFormat, PolicyDiff
from .words import word_segments

__all__ = ["render_diff"]

_POLICY_WIDE = "Policy-wide"
# A change to a condition as a whole names it already: no "Condition: " prefix in the changelog.
_WHOLE_CONDITION = re.compile(r"^coverage\[[^\]]*\](\.condition)?$")
_CODE_BULLET = re.compile(r"^(?P<head>.*(?:Added|Removed) (?:ICD-10 code|HCPCS)) (?P<code>\S+)$")


def render_diff(diff: PolicyDiff, fmt: DiffFormat) -> str:
    """``diff`` as text in ``fmt``; every format ends with a newline."""
    renderers: dict[str, Callable[[PolicyDiff], str]] = {
        "md": _markdown,
        "html": _html,
        "json": _json,
        "changelog": _changelog,
    }
    if fmt not in renderers:
        raise ValueError(f"unknown diff format {fmt!r}; choose md, html, json or changelog")
    return renderers[fmt](diff)


def _groups(diff: PolicyDiff) -> list[tuple[str, list[Change]]]:
    """Changes by condition in order of first appearance, then the policy-wide ones."""
    groups: dict[str, list[Change]] = {}
    for change in diff.changes:
        if change.condition is not None:
            groups.setdefault(change.condition, []).append(change)
    wide = [c for c in diff.changes if c.condition is None]
    return [*groups.items(), *([(_POLICY_WIDE, wide)] if wide else [])]


def _counts(diff: PolicyDiff) -> str:
    n = len(diff.changes)
    if not n:
        return "No changes."
    tally = {impact: 0 for impact in ("narrows", "broadens", "editorial", "unclassified")}
    for change in diff.changes:
        tally[change.impact] += 1
    parts = ", ".join(f"{count} {impact}" for impact, count in tally.items() if count)
    return f"{n} change{'s' if n != 1 else ''}: {parts}."


def _not_versions(diff: PolicyDiff) -> str:
    return f"{diff.different_documents}: these are two different policies, not two versions of one."


# --- md ----------------------------------------------------------------------------------------


def _markdown(diff: PolicyDiff) -> str:
    lines = ["# Policy diff", ""]
    if diff.different_documents:
        lines += [f"**{_not_versions(diff)}**", ""]
    lines += [f"- Old: `{diff.old}`", f"- New: `{diff.new}`", ""]
    lines += [_counts(diff), ""]
    for title, changes in _groups(diff):
        lines += [f"## {title}", ""]
        for change in changes:
            summary = change.summary.replace("<", "\\<")  # policy text is not markup
            lines.append(f"- **[{change.impact}]** {change.kind}: {summary}")
            lines.append(f"  `{change.path}`")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# --- json --------------------------------------------------------------------------------------


def _json(diff: PolicyDiff) -> str:
    changes = [
        {
            "kind": c.kind,
            "path": c.path,
            "old": c.old,
            "new": c.new,
            "summary": c.summary,
            "impact": c.impact,
            "condition": c.condition,
        }
        for c in diff.changes
    ]
    if diff.different_documents:  # the contract's keys stay: it is the first change
        first: dict[str, str | None] = {"kind": "changed", "path": "drug"}
        first |= {"old": diff.old, "new": diff.new, "summary": _not_versions(diff)}
        first |= {"impact": "unclassified", "condition": None}
        changes.insert(0, first)
    document = {"old": diff.old, "new": diff.new, "changes": changes}
    return json.dumps(document, indent=2, ensure_ascii=False) + "\n"


# --- changelog ---------------------------------------------------------------------------------


def _changelog(diff: PolicyDiff) -> str:
    bullets: list[str] = []
    for change in diff.changes:
        if change.path.startswith(("review_history", "unparsed")):
            continue
        if change.path.startswith("references"):
            bullet = "Updated references"
        else:
            bullet = change.changelog or change.summary
            if change.condition and not _WHOLE_CONDITION.match(change.path):
                bullet = f"{change.condition}: {bullet}"
        if bullet not in bullets:
            bullets.append(bullet)
    bullets = _merge_code_bullets(bullets) or ["No clinical change following annual review."]
    if diff.different_documents:
        bullets.insert(0, _not_versions(diff))
    return "".join(f"- {bullet}\n" for bullet in bullets)


def _merge_code_bullets(bullets: list[str]) -> list[str]:
    """ "X: Added ICD-10 code A", "X: Added ICD-10 code B" -> "X: Added ICD-10 codes A, B"."""
    merged: list[tuple[str, list[str]]] = []
    for bullet in bullets:
        match = _CODE_BULLET.match(bullet)
        if match and merged and merged[-1][0] == match["head"]:
            merged[-1][1].append(match["code"])
        elif match:
            merged.append((match["head"], [match["code"]]))
        else:
            merged.append((bullet, []))
    out = []
    for head, codes in merged:
        if len(codes) > 1 and head.endswith(" code"):
            head += "s"
        out.append(f"{head} {', '.join(codes)}" if codes else head)
    return out


# --- html --------------------------------------------------------------------------------------

_CSS = """
body { font: 15px/1.5 system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; border-bottom: 1px solid #ddd; }
code { font-size: 0.85em; color: #555; }
ul { list-style: none; padding-left: 0; } li { margin: 0.6rem 0; }
.tag { display: inline-block; min-width: 5.5rem; font-size: 0.8em; font-weight: 600;
  text-align: center; border-radius: 3px; padding: 0 0.3rem; margin-right: 0.4rem; }
.narrows { background: #fde2e1; color: #8a1c14; }
.broadens { background: #dcf5e3; color: #145a2a; }
.editorial { background: #eceff3; color: #444; }
.unclassified { background: #fff4d6; color: #6b4b00; }
.kind { color: #666; font-size: 0.85em; margin-right: 0.3rem; }
del { background: #fdd; color: #a00; text-decoration: line-through; }
ins { background: #dfd; color: #060; text-decoration: none; }
details { margin: 0.2rem 0 0 6.3rem; } summary { cursor: pointer; color: #555; font-size: 0.85em; }
.full { white-space: pre-wrap; margin: 0.3rem 0; }
"""


def _html(diff: PolicyDiff) -> str:
    e = html.escape
    title = f"Policy diff: {diff.old} → {diff.new}"
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en">',
        f'<head><meta charset="utf-8"><title>{e(title)}</title><style>{_CSS}</style></head>',
        "<body>",
        "<h1>Policy diff</h1>",
        *(
            [f'<p class="warning"><strong>{e(_not_versions(diff))}</strong></p>']
            if diff.different_documents
            else []
        ),
        f"<p>Old: <code>{e(diff.old)}</code><br>New: <code>{e(diff.new)}</code></p>",
        f"<p>{e(_counts(diff))}</p>",
    ]
    for group, changes in _groups(diff):
        parts.append(f"<section><h2>{e(group)}</h2><ul>")
        parts.extend(_html_change(change) for change in changes)
        parts.append("</ul></section>")
    parts += ["</body>", "</html>"]
    return "\n".join(parts) + "\n"


def _html_change(change: Change) -> str:
    return (
        f'<li class="change"><span class="tag {change.impact}">{change.impact}</span>'
        f'<span class="kind">{change.kind}</span>{_marked_up(change.summary)}'
        f"<details><summary>full text · <code>{html.escape(change.path)}</code></summary>"
        f'<div class="full">{_full_detail(change)}</div></details></li>'
    )


def _marked_up(summary: str) -> str:
    """The summary escaped, its ``[-…-]`` / ``{+…+}`` word changes as ``<del>`` / ``<ins>``."""
    text = html.escape(summary)
    text = re.sub(r"\[-(.*?)-\]", r"<del>\1</del>", text)
    return re.sub(r"\{\+(.*?)\+\}", r"<ins>\1</ins>", text)


def _full_detail(change: Change) -> str:
    old, new = _text_of(change.old), _text_of(change.new)
    if change.kind == "added":
        body = f"<ins>{html.escape(new)}</ins>"
    elif change.kind == "removed":
        body = f"<del>{html.escape(old)}</del>"
    else:
        body = _html_words(old, new)
    fields = _changed_fields(change.old, change.new)
    return body + "".join(f"<br>{html.escape(name)}: {value}" for name, value in fields)


def _html_words(old: str, new: str) -> str:
    out = []
    for tag, text in word_segments(old, new):
        escaped = html.escape(text)
        out.append(
            escaped if tag == "equal" else f"<{tag[:3]}>{escaped}</{tag[:3]}>"  # del / ins
        )
    return " ".join(out)


def _text_of(value: Any) -> str:
    """The words a reader knows a value by: its text, its code, or its JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        if isinstance(value.get("text"), str):
            return str(value["text"])
        if isinstance(value.get("code"), str):
            return " ".join(str(value[k]) for k in ("code", "description") if value.get(k))
        if isinstance(value.get("condition"), str):
            return str(value["condition"])
        if "heading" in value:
            return str(value.get("heading") or "(untitled section)")
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


def _changed_fields(old: Any, new: Any) -> list[tuple[str, str]]:
    """Structured fields (besides text) that differ between two dict values, as del/ins html."""
    if not isinstance(old, dict) or not isinstance(new, dict):
        return []
    out = []
    for key in old.keys() | new.keys():
        if key in ("text", "children", "label") or old.get(key) == new.get(key):
            continue
        a, b = (json.dumps(v, ensure_ascii=False) for v in (old.get(key), new.get(key)))
        out.append((key, f"<del>{html.escape(a)}</del> <ins>{html.escape(b)}</ins>"))
    return sorted(out)
