"""Words -> lines for the PDF loader: fake-bold repair, rows grouped by height, markers split off.

A ``Line`` is one printed line with its geometry and style; a ``Page`` holds a page's lines and
vertical extent. The rules for lines are listed in ``policy_extract.loaders.pdf``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import Any

import pdfplumber

from ..blocks import Span, split_list_label

Word = dict[str, Any]


WORD_OPTIONS: dict[str, Any] = {
    "extra_attrs": ["fontname", "size"],
    "keep_blank_chars": False,
    "use_text_flow": False,
}
_BOLD_FONT = re.compile(r"bold|black|heavy|demi", re.IGNORECASE)
_ITALIC_FONT = re.compile(r"italic|oblique", re.IGNORECASE)
_ALNUM = re.compile(r"[^\W_]")
_CID = re.compile(r"^\(cid:\d+\)")
_BULLET_CHARS = frozenset("•▪◦●○■□◆◇►▸‣⁃∙·➢➤✓✔")
_LONE_BULLETS = frozenset({"-", "–", "—", "−", "o"})


@dataclass(slots=True)
class Line:
    page: int
    number: int  # 1-based index into Document.lines
    words: list[Word]  # the words after the marker
    text: str  # the whole line, as in Document.lines
    body: str  # the text after the marker
    marker: str | None
    x0: float  # where the line (its marker, if any) starts
    x1: float
    top: float
    bottom: float
    size: float
    bold: bool
    italic: bool
    lead_in: int  # how many leading words form a bold lead-in (0: none)
    is_row: bool  # a table row: cells joined with " | "


@dataclass(slots=True)
class Page:
    number: int
    top: float
    bottom: float
    lines: list[Line]


def looks_double_struck(words: list[Word]) -> bool:
    """Fake bold draws each glyph twice, so its words read "HHeeaaddiinngg"."""
    return any(
        len(t) >= 4
        and len(t) % 2 == 0
        and t[0::2] == t[1::2]
        and len({c for c in t if c.isalnum()}) >= 2  # not dot leaders, not "1111"
        for t in (word["text"] for word in words)
    )


def words_without_double_strikes(chars: list[Word]) -> list[Word]:
    """Keep one of each glyph drawn twice at (almost) the same place, and mark it bold."""
    dropped: set[int] = set()
    doubled: set[int] = set()
    kept: dict[tuple[str, int], Word] = {}
    for char in sorted(chars, key=lambda c: (c["text"], round(c["top"]), c["x0"])):
        key = (char["text"], round(char["top"]))
        previous = kept.get(key)
        if previous is not None and char["x0"] - previous["x0"] <= 1.0:
            dropped.add(id(char))
            doubled.add(id(previous))
        else:
            kept[key] = char
    unique = [
        {**c, "fontname": c["fontname"] + "-Bold"} if id(c) in doubled else c
        for c in chars
        if id(c) not in dropped
    ]
    words: list[Word] = pdfplumber.utils.text.extract_words(unique, **WORD_OPTIONS)
    return words


def group_rows(words: list[Word]) -> list[list[Word]]:
    rows: list[list[Word]] = []
    anchor = tolerance = 0.0
    for word in sorted(words, key=itemgetter("top")):
        if rows and word["top"] - anchor <= tolerance:
            rows[-1].append(word)
        else:
            rows.append([word])
            anchor, tolerance = word["top"], max(1.5, 0.3 * word["size"])
    rows = _merge_detached_rows(rows)
    for row in rows:
        row.sort(key=itemgetter("x0"))
    return rows


def _merge_detached_rows(rows: list[list[Word]]) -> list[list[Word]]:
    """Fold superscript-only and bullet-only rows into the line they overlap."""
    merged: list[list[Word]] = []
    for index, row in enumerate(rows):
        following = rows[index + 1] if index + 1 < len(rows) else None
        before = _overlap(row, merged[-1]) if merged and _detached(row, merged[-1]) else 0.0
        after = _overlap(row, following) if following and _detached(row, following) else 0.0
        if before > 0 and before >= after:
            merged[-1].extend(row)
        elif after > 0 and following is not None:
            following[:0] = row
        else:
            merged.append(row)
    return merged


def _detached(row: list[Word], neighbour: list[Word]) -> bool:
    if max(w["size"] for w in row) < 0.9 * max(w["size"] for w in neighbour):
        return True
    if not any(_ALNUM.search(w["text"]) for w in row):
        return True  # a lone ® or * set a little higher than its line
    lone = len(row) == 1 and _strip_bullet(row[0]["text"]) == ""
    return lone and row[0]["x1"] < min(w["x0"] for w in neighbour)


def _overlap(row: list[Word], other: list[Word]) -> float:
    top = max(min(w["top"] for w in row), min(w["top"] for w in other))
    bottom = min(max(w["bottom"] for w in row), max(w["bottom"] for w in other))
    return float(bottom - top)


def _strip_bullet(text: str) -> str | None:
    """The text after a leading bullet glyph, or None when the word does not start with one."""
    if text in _LONE_BULLETS:
        return ""
    cid = _CID.match(text)
    if cid:
        return text[cid.end() :]
    if text[0] in _BULLET_CHARS or "\ue000" <= text[0] <= "\uf8ff":
        return text[1:]
    return None


def _split_marker(words: list[Word]) -> tuple[str | None, list[Word]]:
    first = words[0]["text"]
    if len(words) > 1:
        label, _ = split_list_label(f"{first} x")
        if label == first:
            return label, words[1:]
    rest = _strip_bullet(first)
    if rest is None or (first in ("o", "-") and len(words) == 1):
        return None, words
    return "-", ([{**words[0], "text": rest}] if rest else []) + words[1:]


def make_line(page: int, number: int, row: list[Word]) -> Line:
    size = max(w["size"] for w in row)
    main = [w for w in row if w["size"] >= 0.8 * size]  # superscripts do not move the line
    marker, words = _split_marker(row)
    flags = [_is_bold(w["fontname"]) if _ALNUM.search(w["text"]) else None for w in words]
    body = join_words(words, size)
    text = join_words(row, size)
    if marker is not None and words and len(words) == len(row) - 1:
        text = f"{row[0]['text']} {body}"  # a marker gap is not a table cell
    return Line(
        page=page,
        number=number,
        words=words,
        text=text,
        body=body,
        marker=marker,
        x0=row[0]["x0"],
        x1=max(w["x1"] for w in row),
        top=min(w["top"] for w in main),
        bottom=max(w["bottom"] for w in main),
        size=size,
        bold=any(flags) and all(f is not False for f in flags),
        italic=bool(words) and all(_ITALIC_FONT.search(w["fontname"]) for w in words),
        lead_in=_lead_in_length(words, flags),
        is_row=" | " in text,
    )


@lru_cache(maxsize=256)
def _is_bold(fontname: str) -> bool:
    return _BOLD_FONT.search(fontname) is not None


def _lead_in_length(words: list[Word], flags: list[bool | None]) -> int:
    """How many leading words are bold, when regular words follow them (punctuation is neutral)."""
    end = next((i for i, flag in enumerate(flags) if flag is False), 0)
    if end == 0 or not any(flags[:end]) or _touching(words[end - 1], words[end]):
        return 0  # no regular words, no bold ones, or the bold part ends inside a word
    return end


def join_words(words: Sequence[Word], size: float) -> str:
    """Words with a space; cells with " | "; no space where only the font changed mid-word."""
    parts: list[str] = []
    for index, word in enumerate(words):
        if index:
            previous = words[index - 1]
            gap = word["x0"] - previous["x1"]
            parts.append(" | " if gap > 2 * size else "" if _touching(previous, word) else " ")
        parts.append(word["text"])
    return "".join(parts)


def _touching(left: Word, right: Word) -> bool:
    """pdfplumber splits words at spaces and at font changes: only the latter can touch."""
    same_font = left["fontname"] == right["fontname"] and left["size"] == right["size"]
    return not same_font and right["x0"] - left["x1"] < 0.5


def span_of_lines(lines: Sequence[Line]) -> Span:
    """Lines ``line_start``-``line_end``; page and bbox of the part on the first page."""
    first = lines[0]
    on_page = [line for line in lines if line.page == first.page]
    bbox = (
        round(min(line.x0 for line in on_page), 2),
        round(min(line.top for line in on_page), 2),
        round(max(line.x1 for line in on_page), 2),
        round(max(line.bottom for line in on_page), 2),
    )
    return Span(page=first.page, line_start=first.number, line_end=lines[-1].number, bbox=bbox)
