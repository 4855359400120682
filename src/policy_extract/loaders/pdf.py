"""Load a PDF into the flat block stream, from the words pdfplumber extracts.

Steps, each a small function: check the bytes -> each page's words (pdfplumber; its failures
become ``LoadError``) -> lines -> page furniture found across pages -> body lines joined into
blocks. ``Document.lines`` holds every line (furniture too) in reading order; spans number them.

Rules a user can notice:

* **Lines.** Words whose ``top`` is within 0.3 x font size of a line's first word share a line;
  a row of only small type (superscripts) or only a bullet glyph joins the line it overlaps.
  Lines are read top to bottom: there is no column detection.
* **Furniture.** Only lines near the top or bottom edge are candidates. A line in the outer 10%
  of the page whose text (digits read as ``#``) recurs at the same height (within 4 pt) on at
  least 2 pages (half the pages when there are more than 6) is a running header/footer; a
  repeating line further in (up to 20%) counts only right after furniture and when it recurs
  on at least 3 pages. "Page 2 of 4", "2 of 4", "- 3 -" or a bare number as the outermost line
  of the outer 10% is a page number. Anything else is content, even near the edge.
* **Blocks.** An all-bold line is a heading; bold lines join only when the first clearly wraps.
  A bold lead-in before regular words is a paragraph's ``label``. A list label (``1.``, ``a.``,
  ``ii.``) or a bullet glyph starts a list item, and lines to the right of its marker continue
  it. Paragraph lines join while the gap stays under 0.7 x font size, the left edge holds and
  the style does not switch between all-italic and regular. A block goes on past a page break
  when the next page's first body line has no marker and starts in lowercase, or the block did
  not end with terminal punctuation.
* **Hyphenation.** When a line ends with ``-`` and the next starts in lowercase, the hyphen is
  dropped ("immuno-" + "suppressant") unless the part before it is a prefix of hyphenated
  compounds (non-, anti-, self-, co-, well-, high-, low-, first-, ...), is not a plain word
  (T-, CAR-, CD20-), or the next word is a usual compound tail (-based, -related, -line, ...).
  Otherwise the hyphen stays and the parts join without a space.
* **Tables.** A gap wider than twice the font size separates cells, joined with " | "; such a
  row is a paragraph of its own.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from pathlib import Path
from typing import Any

import pdfplumber
from pdfminer.pdfdocument import PDFEncryptionError

from ..blocks import Block, BlockKind, Document, Furniture, Span, split_list_label
from ..errors import LoadError

__all__ = ["join_lines", "load_pdf"]

Word = dict[str, Any]


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_WORD_OPTIONS: dict[str, Any] = {
    "extra_attrs": ["fontname", "size"],
    "keep_blank_chars": False,
    "use_text_flow": False,
}
_BOLD_FONT = re.compile(r"bold|black|heavy|demi", re.IGNORECASE)
_ITALIC_FONT = re.compile(r"italic|oblique", re.IGNORECASE)
_ALNUM = re.compile(r"[^\W_]")
_DIGITS = re.compile(r"\d+")
_CID = re.compile(r"^\(cid:\d+\)")
_BULLET_CHARS = frozenset("•▪◦●○■□◆◇►▸‣⁃∙·➢➤✓✔")
_LONE_BULLETS = frozenset({"-", "–", "—", "−", "o"})
_PAGE_NUMBER = re.compile(
    r"^(?:page\s*:?\s*)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^[-–—]\s*\d{1,4}\s*[-–—]$", re.I
)
_CONNECTOR = re.compile(r"^(?:and|or|and/or)[,;:]?$", re.IGNORECASE)
_URL = re.compile(r"https?://[^\s<>()|]+")
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
_EDGE = 0.10  # the outer band of the page height where furniture lives
_CHAIN_EDGE = 0.20  # how far in a run of furniture may reach
_SAME_HEIGHT = 4.0  # points: a running header sits at the same height on every page


@dataclass(slots=True)
class _Line:
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
class _Page:
    number: int
    top: float
    bottom: float
    lines: list[_Line]


@dataclass(slots=True)
class _OpenBlock:
    kind: BlockKind
    lines: list[_Line]
    text: str
    label: str | None = None
    marker: str | None = None
    bold: bool = False
    italic: bool = False


def load_pdf(path: Path) -> Document:
    """Read ``path`` as a PDF; raise ``LoadError`` with a one-line reason when that fails."""
    data = _read_bytes(path)
    pages = _read_pages(path, data)
    lines = [line for page in pages for line in page.lines]
    if not lines:
        raise LoadError(path, "PDF has no text layer (image-only); OCR is needed")
    furniture = _find_page_furniture(pages)
    return Document(
        path=str(path),
        format="pdf",
        sha256=hashlib.sha256(data).hexdigest(),
        blocks=_build_blocks([line for line in lines if line.number not in furniture]),
        lines=[line.text for line in lines],
        pages=len(pages),
        furniture=[
            Furniture(line.text, furniture[line.number], _span([line]))
            for line in lines
            if line.number in furniture
        ],
    )


def _read_bytes(path: Path) -> bytes:
    try:
        data = Path(path).read_bytes()
    except IsADirectoryError:
        raise LoadError(path, "is a directory, not a file") from None
    except OSError as exc:
        raise LoadError(path, f"cannot read file: {exc.strerror or exc}") from None
    if not data.strip():
        raise LoadError(path, "file is empty")
    if b"%PDF-" not in data[:1024]:
        raise LoadError(path, "not a PDF file (no %PDF header)")
    return data


def _read_pages(path: Path, data: bytes) -> list[_Page]:
    pages: list[_Page] = []
    next_line = 1
    for number, (words, top, bottom) in enumerate(_page_words(path, data), start=1):
        rows = _group_rows(words)
        lines = [_make_line(number, next_line + i, row) for i, row in enumerate(rows)]
        next_line += len(lines)
        pages.append(_Page(number, top, bottom, lines))
    return pages


def _page_words(path: Path, data: bytes) -> Iterator[tuple[list[Word], float, float]]:
    """Each page's words and vertical extent. Only pdfplumber's failures become LoadError."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pdfminer warns about the damage it repairs
        try:
            with pdfplumber.open(io.BytesIO(data)) as pdf:
                for page in pdf.pages:
                    words: list[Word] = page.extract_words(**_WORD_OPTIONS)
                    if _looks_double_struck(words):
                        words = _words_without_double_strikes(page.chars)
                    _, top, _, bottom = page.bbox
                    page.close()  # drop the page's cached objects: memory stays flat
                    yield words, float(top), float(bottom)
        except Exception as exc:  # pdfminer raises many unrelated types on damaged files
            raise LoadError(path, _describe_failure(exc)) from None


def _describe_failure(exc: Exception) -> str:
    cause = exc.args[0] if exc.args and isinstance(exc.args[0], Exception) else exc
    if isinstance(cause, PDFEncryptionError):
        return "PDF is encrypted; a password is needed"
    detail = " ".join(f"{type(cause).__name__}: {cause}".split())
    return f"PDF is damaged or truncated: {detail[:120]}"


def _looks_double_struck(words: list[Word]) -> bool:
    """Fake bold draws each glyph twice, so its words read "HHeeaaddiinngg"."""
    return any(
        len(t) >= 4
        and len(t) % 2 == 0
        and t[0::2] == t[1::2]
        and len({c for c in t if c.isalnum()}) >= 2  # not dot leaders, not "1111"
        for t in (word["text"] for word in words)
    )


def _words_without_double_strikes(chars: list[Word]) -> list[Word]:
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
    words: list[Word] = pdfplumber.utils.text.extract_words(unique, **_WORD_OPTIONS)
    return words


def _group_rows(words: list[Word]) -> list[list[Word]]:
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


def _make_line(page: int, number: int, row: list[Word]) -> _Line:
    size = max(w["size"] for w in row)
    main = [w for w in row if w["size"] >= 0.8 * size]  # superscripts do not move the line
    marker, words = _split_marker(row)
    flags = [_is_bold(w["fontname"]) if _ALNUM.search(w["text"]) else None for w in words]
    body = _join_words(words, size)
    text = _join_words(row, size)
    if marker is not None and words and len(words) == len(row) - 1:
        text = f"{row[0]['text']} {body}"  # a marker gap is not a table cell
    return _Line(
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


def _join_words(words: Sequence[Word], size: float) -> str:
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


# --- page furniture ---------------------------------------------------------------------------


def _find_page_furniture(pages: Sequence[_Page]) -> dict[int, str]:
    """Map the number of each furniture line to its reason ("running-header", ...)."""
    seen = _edge_occurrences(pages)
    strict = 2 if len(pages) <= 6 else math.ceil(len(pages) / 2)
    found: dict[int, str] = {}
    for page in pages:
        for side, lines in (("header", page.lines), ("footer", page.lines[::-1])):
            after_furniture = True  # the outermost line follows the page edge
            for line in lines:
                offset, outer = _edge_position(page, line, side)
                if offset > _CHAIN_EDGE * (page.bottom - page.top) or line.number in found:
                    break
                reason = None
                if outer and after_furniture and _PAGE_NUMBER.match(line.text):
                    reason = "page-number"
                elif outer or after_furniture:
                    needed = strict if outer else max(3, strict)
                    occurrences = seen[side, _furniture_key(line)]
                    if _recurs(occurrences, page.number, offset, needed):
                        reason = f"running-{side}"
                if reason:
                    found[line.number] = reason
                elif not outer:
                    break
                after_furniture = reason is not None
    return found


def _edge_occurrences(pages: Sequence[_Page]) -> dict[tuple[str, str], list[tuple[int, float]]]:
    seen: dict[tuple[str, str], list[tuple[int, float]]] = defaultdict(list)
    for page in pages:
        limit = _CHAIN_EDGE * (page.bottom - page.top)
        for line in page.lines:
            for side in ("header", "footer"):
                offset, _ = _edge_position(page, line, side)
                if offset <= limit:
                    seen[side, _furniture_key(line)].append((page.number, offset))
    return seen


def _edge_position(page: _Page, line: _Line, side: str) -> tuple[float, bool]:
    """Distance of the line from its edge, and whether it lies wholly in the outer band."""
    band = _EDGE * (page.bottom - page.top)
    if side == "header":
        return line.top - page.top, line.bottom - page.top <= band
    return page.bottom - line.bottom, page.bottom - line.top <= band


def _furniture_key(line: _Line) -> str:
    """The line's characters in sorted order, digits read as ``#``: where small type is
    interleaved, the order of words within a line differs from page to page."""
    return "".join(sorted(_DIGITS.sub("#", line.text).replace(" ", "").replace("|", "")))


def _recurs(occurrences: list[tuple[int, float]], page: int, offset: float, needed: int) -> bool:
    pages = {p for p, other in occurrences if abs(other - offset) <= _SAME_HEIGHT}
    return page in pages and len(pages) >= needed


# --- blocks -----------------------------------------------------------------------------------


def _build_blocks(lines: Sequence[_Line]) -> list[Block]:
    """Join body lines (furniture removed) into headings, paragraphs and list items."""
    body_size = _body_size(lines)
    blocks: list[Block] = []
    current: _OpenBlock | None = None
    for line in lines:
        if current is not None and _continues(current, line):
            _append(current, line)
            continue
        if current is not None:
            blocks.append(_finish(current))
        current = _open(line, body_size)
    if current is not None:
        blocks.append(_finish(current))
    return blocks


def _body_size(lines: Sequence[_Line]) -> float:
    """The font size most words are set in."""
    sizes: Counter[float] = Counter()
    for line in lines:
        sizes[round(line.size, 1)] += len(line.words)
    return sizes.most_common(1)[0][0] if sizes else 0.0


def _open(line: _Line, body_size: float) -> _OpenBlock:
    if line.marker is not None:
        if line.bold and line.marker != "-" and line.size > body_size + 0.5:
            return _OpenBlock("heading", [line], f"{line.marker} {line.body}", bold=True)
        return _OpenBlock("list_item", [line], line.body, None, line.marker, line.bold, line.italic)
    if line.bold:
        return _OpenBlock("heading", [line], line.body, bold=True, italic=line.italic)
    if line.lead_in and not line.is_row:
        label = _join_words(line.words[: line.lead_in], line.size)
        text = _join_words(line.words[line.lead_in :], line.size)
        return _OpenBlock("paragraph", [line], text, label, italic=line.italic)
    return _OpenBlock("paragraph", [line], line.body, italic=line.italic)


def _continues(block: _OpenBlock, line: _Line) -> bool:
    previous = block.lines[-1]
    if line.marker is not None or line.is_row or previous.is_row:
        return False
    if block.kind != "heading" and _CONNECTOR.match(line.body):
        return True  # a lone "AND" / "OR" belongs to the criterion above it
    if abs(line.size - previous.size) > 1.0 or not _close_enough(block, line):
        return False
    if block.kind == "heading":
        return _heading_wraps(block, line)
    if (line.bold and not block.bold) or (line.lead_in and block.text.endswith(_TERMINAL)):
        return False
    if block.kind == "list_item":
        return _inside_item(block, line)
    return block.italic == line.italic and _aligned(block, line)  # italic to regular: a new line


def _close_enough(block: _OpenBlock, line: _Line) -> bool:
    previous = block.lines[-1]
    if line.page == previous.page:
        return line.top - previous.bottom <= 0.7 * line.size
    if block.kind == "heading" or (line.bold and not block.bold):
        return False
    return _starts_lower(line.body) or not block.text.endswith(_TERMINAL)


def _heading_wraps(block: _OpenBlock, line: _Line) -> bool:
    if block.text.endswith((":", ".")):
        return False
    last_word = block.text.rsplit(None, 1)[-1].lower()
    wrapped = block.text.endswith(("-", ",", "(")) or last_word in _OPEN_ENDINGS
    return wrapped or _starts_lower(line.body)


def _starts_lower(text: str) -> bool:
    """Whether the text starts with a lowercase letter, after any opening bracket or quote."""
    return text.lstrip("([{\"'“‘")[:1].islower()


def _inside_item(block: _OpenBlock, line: _Line) -> bool:
    first = block.lines[0]
    text_x0 = first.words[0]["x0"] if first.words else first.x1
    return first.x0 + 0.5 * line.size < line.x0 <= text_x0 + 2 * line.size


def _aligned(block: _OpenBlock, line: _Line) -> bool:
    lines = block.lines
    if len(lines) == 1:  # the first line may be indented or hang out
        return -3 * line.size <= line.x0 - lines[0].x0 <= 0.8 * line.size
    return abs(line.x0 - lines[1].x0) <= 0.8 * line.size


def _append(block: _OpenBlock, line: _Line) -> None:
    if block.kind == "heading" and not line.bold:
        block.kind, block.bold = "paragraph", False  # bold text running on into regular text
    block.lines.append(line)
    block.text = join_lines(block.text, line.body)
    block.italic = block.italic and line.italic


def join_lines(left: str, right: str) -> str:
    """Join two wrapped lines, mending a word hyphenated across them (see the module rules)."""
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
        span=_span(block.lines),
        bold=block.bold,
        marker=block.marker,
        indent=round(block.lines[0].x0, 2),
        label=block.label,
        italic=block.italic,
        urls=[url.rstrip(".,;:") for url in _URL.findall(full)],
    )


def _span(lines: Sequence[_Line]) -> Span:
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
