"""The products a policy lists by name, whatever the template, and the HCPCS codes tied to them.

A multi-drug policy names its products in a list under a lead-in about the policy ("This policy
refers to the following botulinum toxin types A and B:", "The following products are included
in this policy:"): one ``Brand® (generic)`` line each. Two or more such lines in a row are the
products, in their order; the first line that is not one ends the list. A lead-in that does not
speak of the policy ("... one of the following:") leads criteria, not products.

A HCPCS code belongs to the product its coding row names (brand or generic, as a whole word).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ..blocks import Block
from ..model import Hcpcs, Product

__all__ = ["find_product", "link_hcpcs_to_products", "listed_products", "product_of_line"]

_POLICY = re.compile(r"\bpolic(?:y|ies)\b", re.IGNORECASE)
_FOLLOWING = re.compile(r"\bfollowing\b", re.IGNORECASE)
_LINE = re.compile(r"^\s*(?P<brand>[^()|]+?)\s*[®™*]*\s*\((?P<generic>[^()|]+)\)\s*$")
_TRADEMARK = re.compile(r"[®™*]")
_BRAND = re.compile(r"^[A-Z][\w-]*(?:\s[A-Z0-9][\w-]*){0,2}$")  # "Dysport", "Eylea HD"
_GENERIC = re.compile(r"^[a-z][A-Za-z-]*(?:\s[a-z][A-Za-z-]*){0,3}$")  # "abobotulinumtoxinA"
_MIN_LISTED = 2


def product_of_line(block: Block) -> Product | None:
    """The product a ``"Brand® (generic)"`` line names, or None for any other line."""
    if block.kind not in ("paragraph", "list_item"):
        return None
    match = _LINE.match(block.full_text)
    if match is None:
        return None
    brand = _TRADEMARK.sub("", match.group("brand")).strip()
    generic = match.group("generic").strip()
    if not _BRAND.match(brand) or not _GENERIC.match(generic):
        return None
    return Product(name=brand, generic_name=generic, brand_names=[brand], span=block.span)


def listed_products(blocks: Sequence[Block]) -> list[Product]:
    """The products of the first list of two or more product lines under a policy lead-in."""
    for index, block in enumerate(blocks):
        if block.kind == "table" or not _is_lead(block.full_text):
            continue
        products: list[Product] = []
        for line in blocks[index + 1 :]:
            product = product_of_line(line)
            if product is None:
                break
            products.append(product)
        if len(products) >= _MIN_LISTED:
            return products
    return []


def _is_lead(text: str) -> bool:
    """A line ending with ":" that speaks of the policy and of "the following"."""
    return text.rstrip().endswith(":") and bool(_POLICY.search(text) and _FOLLOWING.search(text))


def _names(product: Product) -> list[str]:
    return [n for n in (product.name, product.generic_name, *product.brand_names) if n]


def find_product(products: Sequence[Product], text: str) -> Product | None:
    """The product whose brand or generic name the text names as a word (case-insensitive)."""
    for product in products:
        for name in _names(product):
            if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text, re.IGNORECASE):
                return product
    return None


def link_hcpcs_to_products(products: Sequence[Product], codes: Sequence[Hcpcs]) -> None:
    """Each HCPCS row's code on the product its row names."""
    for code in codes:
        product = find_product(products, code.text)
        if product is not None and code.code not in product.hcpcs:
            product.hcpcs.append(code.code)
