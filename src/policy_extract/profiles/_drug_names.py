"""The policy's drug when its title does not name it as ``"Brand (generic)"``.

Titles of many templates give one name ("Spinraza", "Ocrevus", "Denosumab:") or none at all
(the payer's banner). Two places in the document say which drug that is, by their grammar:

- a ``"Brand (generic)"`` / ``"generic (Brand)"`` pair in the text whose one side is a word of
  the title ("Spinraza (nusinersen)" under a title "Spinraza");
- the HCPCS Level II descriptions, which CMS writes ``"Injection, <generic>, <amount>"``: when
  every such description names one generic (biosimilar suffixes such as "-dyyb" aside), that is
  the policy's drug. Descriptions of several drugs (a class policy) name none.

Nothing is guessed: with neither, the drug stays empty.

Once the generic is known, its brands are the names the document marks as trade marks where it
names the drug: a title listing them ("Denosumab: Aukelso™; Bildyos®; ..."), and the
``"Brand® (generic ...)"`` lines near the start whose generic is the drug's
("Avsola™ (infliximab-axxq intravenous infusion – Amgen)").
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..blocks import Block
from ..model import Drug, Hcpcs

__all__ = ["drug_from_document", "strip_biosimilar_suffix", "trademarked_brands"]

_SEARCHED_BLOCKS = 120  # the drug is named near the start: description, title box, codes
# "Name (inside)": the word before the parenthesis (a trade mark allowed) and what it holds.
_PAIR = re.compile(r"(?P<outer>\b[A-Za-z][\w-]*)\s*[®™]?\s*\((?P<inner>[^()]{2,80})\)")
# A generic name: one to three lower-case words ("nusinersen", "lisocabtagene maraleucel").
_GENERIC = re.compile(r"^[a-z][a-z-]+(?:\s[a-z][a-z-]+){0,2}$")
_BRAND = re.compile(r"^[A-Z][A-Za-z-]+(?:\s[A-Z][A-Za-z-]+)?[®™]?$")
_FORM = re.compile(
    r"(?:\s(?:intravenous|subcutaneous|intramuscular|intravitreal|intrathecal|oral|topical"
    r"|infusion|injection|for|solution|suspension))+$"
)
_TITLE_WORD = re.compile(r"[A-Za-z][A-Za-z-]{3,}")
_INJECTION = re.compile(r"^\s*injection,\s*(?P<name>[A-Za-z][A-Za-z-]*[A-Za-z])\s*[,(]", re.I)
_BIOSIMILAR_SUFFIX = re.compile(r"-[a-z]{4}$")  # "infliximab-dyyb": four lower-case letters
_TRADEMARK_SIGN = re.compile(r"[®™]")
# A heading that is only "Name (Name)", a trade mark on either side.
_WHOLE_PAIR = re.compile(
    r"(?P<outer>[A-Za-z][\w-]*)\s?(?P<outer_mark>[®™])?\s*\((?P<inner>[A-Za-z][\w\s-]{1,40}[®™]?)\)"
)
# What a product line adds after the generic: " – Amgen", ", for injection".
_MAKER = re.compile(r"\s+[–—-]\s+.*$|\s*[,;].*$")
# A name the document marks as a trade mark: "Aukelso™", "Remicade®", "Eylea® HD" not included.
_MARKED_NAME = r"[A-Z][A-Za-z0-9-]*[a-z0-9]"  # a brand as printed before its ® or ™
_TRADEMARKED = re.compile(rf"(?<![\w-])(?P<name>{_MARKED_NAME})\s?[®™]")
# "Avsola™ (infliximab-axxq ...)": a trade-marked name, then what it is.
_PRODUCT_LINE = re.compile(rf"^\W*(?P<brand>{_MARKED_NAME})\s?[®™]\s*\((?P<inner>[^()]+)\)")


def strip_biosimilar_suffix(name: str) -> str:
    """``"infliximab-axxq"`` -> ``"infliximab"``; a name without the suffix is returned as is."""
    return _BIOSIMILAR_SUFFIX.sub("", name)


def drug_from_document(title: str | None, blocks: Sequence[Block], hcpcs: Sequence[Hcpcs]) -> Drug:
    """The drug named by a title-word pair in the text, else by the HCPCS descriptions."""
    words = {word.lower() for word in _TITLE_WORD.findall(title or "")}
    if words:
        for block in blocks[:_SEARCHED_BLOCKS]:
            drug = _pair_naming(block.full_text, words)
            if drug is not None:
                return drug
    generic = _generic_of_codes(hcpcs)
    if generic:
        return Drug(generic_name=generic)
    return next(filter(None, map(_heading_naming, blocks[:_SEARCHED_BLOCKS])), Drug())


def _heading_naming(block: Block) -> Drug | None:
    """A heading that is nothing but the drug's names, its brand trade-marked: "Velotumab
    (Velorex®)", "Velorex® (velotumab)" under a title that names neither."""
    whole = _WHOLE_PAIR.fullmatch(block.full_text.strip()) if block.kind == "heading" else None
    if whole is None or not _TRADEMARK_SIGN.search(block.full_text):
        return None
    outer, marked = whole.group("outer"), whole.group("inner")
    inner = _TRADEMARK_SIGN.sub("", marked).strip()
    if _TRADEMARK_SIGN.search(marked) and _GENERIC.match(outer.lower()) and _BRAND.match(inner):
        return Drug(generic_name=outer.lower(), brand_names=[inner])  # "Velotumab (Velorex®)"
    if whole.group("outer_mark") and _GENERIC.match(inner):
        return Drug(generic_name=inner, brand_names=[outer])  # "Velorex® (velotumab)"
    return None


def _pair_naming(text: str, title_words: set[str]) -> Drug | None:
    """The first ``"Brand (generic)"`` or ``"generic (Brand)"`` of ``text`` with the brand, or the
    generic whole (a product line's: its form and maker aside), a word of the title. Generic
    names are written in lower case, brands capitalised: two capitalised names ("Commercial
    (Employer Group)") are no drug."""
    for match in _PAIR.finditer(text):
        outer = match.group("outer")
        inner = match.group("inner").strip()
        product, form_words = _product_parts(inner)
        stem = strip_biosimilar_suffix(product) if product else ""
        named = {outer.lower(), inner.lower(), stem}
        if named.isdisjoint(title_words):
            continue
        if _GENERIC.match(inner) and outer[:1].isupper():
            # "ocrelizumab intravenous infusion": the route and form are the qualifier
            form = _FORM.search(inner)
            generic = inner[: form.start()] if form else inner
            qualifier = form.group(0).strip() if form else None
            return Drug(generic_name=generic, brand_names=[outer], qualifier=qualifier)
        if outer[:1].isupper() and stem:
            # "Zorvexa® (zorvimab subcutaneous injection – Northwind Biologics)"
            return Drug(generic_name=stem, brand_names=[outer], qualifier=form_words)
        brands = [name.strip() for name in inner.split(",")]
        if _GENERIC.match(outer) and all(_BRAND.match(brand) for brand in brands):
            return Drug(generic_name=outer, brand_names=brands)
    return None


def _product_parts(inner: str) -> tuple[str | None, str | None]:
    """The generic a product line's parenthesis starts with, and its route and form, the maker
    aside: ``"infliximab-axxq intravenous infusion – Amgen"`` -> ``("infliximab-axxq",
    "intravenous infusion")``; ``(None, None)`` when it starts with no generic name."""
    name = _MAKER.sub("", inner.strip())
    form = _FORM.search(name)
    generic = name[: form.start()] if form else name
    if not _GENERIC.match(generic):
        return None, None
    return generic, form.group(0).strip() if form else None


def trademarked_brands(title: str | None, blocks: Sequence[Block], generic: str) -> list[str]:
    """The drug's brands as the document marks them (® / ™), in order: from a title that names
    the generic and lists two or more, then from product lines whose generic is the drug's."""
    found: list[str] = []
    stem = strip_biosimilar_suffix(generic.lower())
    title_brands = [m.group("name") for m in _TRADEMARKED.finditer(title or "")]
    if len(title_brands) >= 2 and stem in {w.lower() for w in _TITLE_WORD.findall(title or "")}:
        found += title_brands
    for block in blocks[:_SEARCHED_BLOCKS]:
        line = _PRODUCT_LINE.match(block.full_text)
        if line is None:
            continue
        of, _ = _product_parts(line.group("inner"))
        if of is not None and strip_biosimilar_suffix(of.lower()) == stem:
            found.append(line.group("brand"))
    unique: dict[str, str] = {}
    for name in found:
        unique.setdefault(name.lower(), name)
    return list(unique.values())


def _generic_of_codes(hcpcs: Sequence[Hcpcs]) -> str | None:
    """The one generic name every "Injection, <generic>, ..." description shares, or None."""
    names = [m.group("name") for code in hcpcs if (m := _INJECTION.match(code.description or ""))]
    bases = {strip_biosimilar_suffix(name.lower()) for name in names}
    if len(bases) != 1:
        return None
    base = bases.pop()
    # As printed where a description names it bare ("abobotulinumtoxinA"), else the stem.
    return next((name for name in names if name.lower() == base), base)
