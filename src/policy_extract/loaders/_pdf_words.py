"""pdfplumber's word grouping for the loader's fixed options, without its generality's cost.

``pdfplumber.utils.text.WordExtractor(**WORD_OPTIONS).extract_words`` is the largest single cost
of a pdfium conversion: generators, closures and per-character key functions written for every
direction and option. ``extract_words`` here gives the same words for the options the loader
uses (tolerance 3 both ways, blanks split words, no text flow, left to right, top to bottom,
ligatures expanded, words split where font name or size changes), in the same order with the
same keys; a test compares the two on every real PDF and test layout. The rules, as pdfplumber
applies them:

* characters are taken in runs of the same (upright, font name, size), in drawing order;
* an upright run's characters are clustered into lines by ``top`` (sorted distinct values, a
  value within 3 of the one before joins its line), lines in order of their tops, and each line
  sorted by ``x0`` (stable);
* along a line a blank character ends the word; an empty one (no text) is a word of its own;
  any other starts a new word when it begins left of the previous character's start, more than
  3 right of its end, or more than 3 above or below its top.

A run of rotated characters (rare: pages are read upright) goes to pdfplumber itself.
"""

from __future__ import annotations

from itertools import groupby
from operator import itemgetter
from typing import Any

from pdfplumber.utils.text import LIGATURES, WordExtractor

from ._pdf_lines import WORD_OPTIONS

__all__ = ["WORD_EXTRACTOR", "extract_words"]

Char = dict[str, Any]
_TOLERANCE = 3
_RUN_KEY = itemgetter("upright", "fontname", "size")
_X0 = itemgetter("x0")
_LIGATURE_CHARS = frozenset(LIGATURES)
WORD_EXTRACTOR = WordExtractor(**WORD_OPTIONS)  # pdfplumber's own: the reference (tests)
assert WORD_EXTRACTOR.x_tolerance == WORD_EXTRACTOR.y_tolerance == _TOLERANCE
assert not WORD_EXTRACTOR.split_at_punctuation and not WORD_EXTRACTOR.keep_blank_chars
assert WORD_EXTRACTOR.expansions == LIGATURES and not WORD_EXTRACTOR.use_text_flow


def extract_words(chars: list[Char]) -> list[Char]:
    """The words ``WordExtractor(**WORD_OPTIONS).extract_words(chars)`` gives."""
    words: list[Char] = []
    for (upright, _, _), group in groupby(chars, _RUN_KEY):
        run = list(group)
        if not upright:
            words.extend(WORD_EXTRACTOR.extract_words(run))
            continue
        for line in _lines(run):
            _split_line(line, words)
    return words


def _lines(run: list[Char]) -> list[list[Char]]:
    tops = sorted({char["top"] for char in run})
    line_of: dict[float, int] = {}
    line, last = 0, tops[0]
    for top in tops:
        if top > last + _TOLERANCE:
            line += 1
        line_of[top] = line
        last = top
    lines: list[list[Char]] = [[] for _ in range(line + 1)]
    for char in run:
        lines[line_of[char["top"]]].append(char)
    return [sorted(chars, key=_X0) for chars in lines]


def _split_line(line: list[Char], words: list[Char]) -> None:
    current: list[Char] = []
    last_x0 = last_x1 = last_top = 0.0  # the current word's last character
    for char in line:
        text = char["text"]
        if text.isspace():
            if current:
                words.append(_word(current))
            current = []
            continue
        if not text:  # pdfplumber's empty split_at_punctuation matches it: a word alone
            if current:
                words.append(_word(current))
            words.append(_word([char]))
            current = []
            continue
        x0, top = char["x0"], char["top"]
        if current and (
            x0 < last_x0 or x0 > last_x1 + _TOLERANCE or abs(top - last_top) > _TOLERANCE
        ):
            words.append(_word(current))
            current = []
        current.append(char)
        last_x0, last_x1, last_top = x0, char["x1"], top
    if current:
        words.append(_word(current))


def _word(chars: list[Char]) -> Char:
    first = chars[0]
    x0, top, x1, bottom = first["x0"], first["top"], first["x1"], first["bottom"]
    for char in chars:
        if char["x0"] < x0:
            x0 = char["x0"]
        if char["top"] < top:
            top = char["top"]
        if char["x1"] > x1:
            x1 = char["x1"]
        if char["bottom"] > bottom:
            bottom = char["bottom"]
    texts = [char["text"] for char in chars]
    text = "".join(texts) if _LIGATURE_CHARS.isdisjoint(texts) else _expanded(texts)
    return {
        "text": text,
        "x0": x0,
        "x1": x1,
        "top": top,
        "doctop": top + (first["doctop"] - first["top"]),
        "bottom": bottom,
        "upright": first["upright"],
        "height": bottom - top,
        "width": x1 - x0,
        "direction": "ltr",
        "fontname": first["fontname"],
        "size": first["size"],
    }


def _expanded(texts: list[str]) -> str:
    return "".join(LIGATURES.get(text, text or "") for text in texts)
