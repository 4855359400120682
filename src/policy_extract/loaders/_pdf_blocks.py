"""Lines -> blocks for the PDF loader: headings, labels, list markers, wrapping, hyphenation.

Body lines (furniture removed) are joined into ``Block`` entries; the rules are listed in
``policy_extract.loaders.pdf``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise

from ..blocks import Block, BlockKind
from ._pdf_lines import Line, join_words, span_of_lines


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_CONNECTOR = re.compile(r"^(?:and|or|and/or)[,;:]?$", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>()|]+")
# "Date of Last Annual Review: 3Q2025", "Changes from previous policy version:": a short capitalised
# label ending in a colon starts a new paragraph, however short the line above it was.
_LABEL_START = re.compile(r"^[A-Z][\w()/&'’-]*(?: [\w()/&'’-]+){0,7}:(?:\s|$)")
_TERMINAL = (".", ":", ";", "!", "?")
_OPEN_ENDINGS = _word_set("and or of the in on at as for to with a an by from is are that if")
_HYPHEN_PREFIXES = _word_set(
    "non anti self co well high low t car multi pre post ex cross long short first second third "
    "all half double single step open semi"
)
_COMPOUND_TAILS = _word_set(
    "based dependent related induced associated directed modified positive negative line term "
    "dose naive free like specific approved risk grade acting blind controlled label group versus "
    "up type threatening refractory containing resistant mediated limiting certainty quality "
    "potency exposure"
)


@dataclass(slots=True)
class _OpenBlock:
    kind: BlockKind
    lines: list[Line]
    text: str
    label: str | None = None
    marker: str | None = None
    bold: bool = False
    italic: bool = False


def build_blocks(lines: Sequence[Line]) -> list[Block]:
    """Join body lines (furniture removed) into headings, paragraphs and list items."""
    body_size = _body_size(lines)
    layout = _Layout(_right_edges(lines), _paragraph_starts(lines))
    blocks: list[Block] = []
    current: _OpenBlock | None = None
    for line in lines:
        if current is not None and _continues(current, line, layout):
            _append(current, line)
            continue
        if current is not None:
            blocks.append(_finish(current))
        current = _open(line, body_size)
    if current is not None:
        blocks.append(_finish(current))
    return blocks


@dataclass(frozen=True, slots=True)
class _Layout:
    """What the whole document says about where lines end and how far apart lines sit."""

    right_edges: dict[int, float]  # page -> where text ends
    paragraph_starts: frozenset[int]  # numbers of lines set apart from the line above


def _paragraph_starts(lines: Sequence[Line]) -> frozenset[int]:
    """Lines set further below the line above than the lines around them are, and than the
    document's line spacing: paragraph spacing, which ends a paragraph even when its last line
    is full.

    Comparing with the neighbouring gaps keeps a paragraph set with wider leading than the rest
    of the document in one piece; comparing with the document's spacing keeps a run of one-line
    paragraphs (all gaps wide) to the other rules.
    """
    spacing = _line_spacing(lines)
    gaps = [None, *(_gap(above, below) for above, below in pairwise(lines))]
    starts: set[int] = set()
    for index, line in enumerate(lines):
        if index == 0:
            continue
        gap, usual = gaps[index], spacing.get(round(line.size, 1))
        neighbours = (gaps[index - 1], gaps[index + 1] if index + 1 < len(gaps) else None)
        around = [g for g in neighbours if g is not None]
        if gap is None or usual is None or not around:
            continue
        if gap > max(min(around), usual) + 0.25 * line.size:
            starts.add(line.number)
    return frozenset(starts)


def _gap(above: Line, below: Line) -> float | None:
    """The space between two lines of one page in one font size (None: not comparable)."""
    if below.page != above.page or abs(below.size - above.size) > 0.5:
        return None
    if below.is_row or above.is_row or below.top < above.bottom:
        return None
    return below.top - above.bottom


def _line_spacing(lines: Sequence[Line]) -> dict[float, float]:
    """Per font size, the smallest gap that recurs between lines close enough to be wrapped.

    Wrapped lines of a paragraph sit closest together; paragraph spacing adds to that gap.
    A gap seen once (a stray mark) says nothing about the line spacing.
    """
    seen: dict[float, Counter[float]] = {}
    for above, below in pairwise(lines):
        gap = _gap(above, below)
        if gap is not None and gap <= 0.7 * below.size:
            seen.setdefault(round(below.size, 1), Counter())[round(gap * 2) / 2] += 1
    return {
        size: min((gap for gap, count in gaps.items() if count > 1), default=min(gaps))
        for size, gaps in seen.items()
    }


def _right_edges(lines: Sequence[Line]) -> dict[int, float]:
    """Where text ends on each page: the right edge of its widest line (table rows aside)."""
    edges: dict[int, float] = {}
    for line in lines:
        if not line.is_row:
            edges[line.page] = max(edges.get(line.page, 0.0), line.x1)
    return edges


def _body_size(lines: Sequence[Line]) -> float:
    """The font size most words are set in."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size, 1)] += len(line.words)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _open(line: Line, body_size: float) -> _OpenBlock:
    if line.marker is not None:
        if line.bold and line.marker != "-" and line.size > body_size + 0.5:
            return _OpenBlock("heading", [line], f"{line.marker} {line.body}", bold=True)
        return _OpenBlock("list_item", [line], line.body, None, line.marker, line.bold, line.italic)
    if line.bold:
        return _OpenBlock("heading", [line], line.body, bold=True, italic=line.italic)
    if line.lead_in and not line.is_row:
        label = join_words(line.words[: line.lead_in], line.size)
        text = join_words(line.words[line.lead_in :], line.size)
        return _OpenBlock("paragraph", [line], text, label, italic=line.italic)
    return _OpenBlock("paragraph", [line], line.body, italic=line.italic)


def _continues(block: _OpenBlock, line: Line, layout: _Layout) -> bool:
    previous = block.lines[-1]
    if line.marker is not None or line.is_row or previous.is_row:
        return False
    if block.kind != "heading" and _CONNECTOR.match(line.body):
        return True  # a lone "AND" / "OR" belongs to the criterion above it
    if abs(line.size - previous.size) > 1.0 or not _close_enough(block, line):
        return False
    if block.kind == "heading":
        return _heading_wraps(block, line)
    if (line.bold and not block.bold) or _starts_label(block, line):
        return False  # a new label starts a new paragraph, whatever the width of the line above
    if _had_room_for(previous, line, layout.right_edges):
        return False  # the line before ended short: a new line by the author, not a wrap
    if block.kind == "list_item":
        return _inside_item(block, line)
    if line.number in layout.paragraph_starts:
        return False
    return block.italic == line.italic and _aligned(block, line)  # italic to regular: a new line


def _starts_label(block: _OpenBlock, line: Line) -> bool:
    """A line opening with a label after a labelled line (a run of ``Label: value`` lines), a
    bold lead-in after a finished sentence, or a whole ``Label:`` paragraph line after a line
    that left no phrase open.

    A wrapped sentence can put "Available at:" first on a line, and a bold lead-in can wrap onto
    a second line, so a label alone is not enough.
    """
    labelled_above = bool(block.label or _LABEL_START.match(block.text))
    if line.lead_in:
        return labelled_above or block.text.endswith(_TERMINAL)
    if block.kind != "paragraph" or not _LABEL_START.match(line.body):
        return False
    if labelled_above:
        return True
    last_word = block.text.rsplit(None, 1)[-1].lower() if block.text else ""
    open_phrase = block.text.endswith((",", "-", "(")) or last_word in _OPEN_ENDINGS
    return line.body.rstrip().endswith(":") and not open_phrase


def _had_room_for(previous: Line, line: Line, right_edges: dict[int, float]) -> bool:
    """Whether the next line's first word would have fitted at the end of the previous line.

    Text only wraps when the next word does not fit, so a line that ends with room to spare
    was ended on purpose (a dose line followed by another dose line, for example).
    """
    if not line.words or previous.body.endswith(("-", "\u2010", "\u00ad")):
        return False  # a break at a hyphen wraps early: the word was split there
    first = line.words[0]
    needed = float(first["x1"] - first["x0"]) + 0.6 * line.size  # the word and a space
    edge = right_edges.get(previous.page, previous.x1)
    return bool(previous.x1 + needed < edge - 0.5 * line.size)


def _close_enough(block: _OpenBlock, line: Line) -> bool:
    previous = block.lines[-1]
    if line.page == previous.page:
        return line.top - previous.bottom <= 0.7 * line.size
    if block.kind == "heading" or (line.bold and not block.bold):
        return False
    return _starts_lower(line.body) or not block.text.endswith(_TERMINAL)


def _heading_wraps(block: _OpenBlock, line: Line) -> bool:
    if block.text.endswith((":", ".")):
        return False
    last_word = block.text.rsplit(None, 1)[-1].lower()
    wrapped = block.text.endswith(("-", ",", "(")) or last_word in _OPEN_ENDINGS
    return wrapped or _starts_lower(line.body)


def _starts_lower(text: str) -> bool:
    """Whether the text starts with a lowercase letter, after any opening bracket or quote."""
    return text.lstrip("([{\"'“‘")[:1].islower()


def _inside_item(block: _OpenBlock, line: Line) -> bool:
    first = block.lines[0]
    text_x0 = first.words[0]["x0"] if first.words else first.x1
    return first.x0 + 0.5 * line.size < line.x0 <= text_x0 + 2 * line.size


def _aligned(block: _OpenBlock, line: Line) -> bool:
    lines = block.lines
    if len(lines) == 1:  # the first line may be indented or hang out
        return -3 * line.size <= line.x0 - lines[0].x0 <= 0.8 * line.size
    return abs(line.x0 - lines[1].x0) <= 0.8 * line.size


def _append(block: _OpenBlock, line: Line) -> None:
    if block.kind == "heading" and not line.bold:
        block.kind, block.bold = "paragraph", False  # bold text running on into regular text
    block.lines.append(line)
    block.text = join_lines(block.text, line.body)
    block.italic = block.italic and line.italic


def join_lines(left: str, right: str) -> str:
    """Join two wrapped lines, mending a word hyphenated across them (rules in ``loaders.pdf``)."""
    if not left or not right:
        return left or right
    if left.endswith("\u00ad"):  # a soft hyphen only ever marks a break
        return left[:-1] + right
    if left.endswith(("-", "\u2010")) and len(left) > 1 and not left[-2].isspace():
        return left[:-1] + right if _drops_hyphen(left[:-1], right) else left + right
    return f"{left} {right}"


def _drops_hyphen(left: str, right: str) -> bool:
    fragment = left.rsplit(None, 1)[-1].lstrip("([{\"'“‘")
    tail = right.split(None, 1)[0].rstrip(".,;:)]}\"'”’").lower()
    return (
        right[0].islower()
        and len(fragment) >= 2
        and fragment.isalpha()
        and fragment[1:].islower()
        and fragment.lower() not in _HYPHEN_PREFIXES
        and tail not in _COMPOUND_TAILS
    )


def _finish(block: _OpenBlock) -> Block:
    full = f"{block.label} {block.text}" if block.label else block.text
    return Block(
        kind=block.kind,
        text=block.text,
        span=span_of_lines(block.lines),
        bold=block.bold,
        marker=block.marker,
        indent=round(block.lines[0].x0, 2),
        label=block.label,
        italic=block.italic,
        urls=[url.rstrip(".,;:") for url in _URL.findall(full)],
    )
