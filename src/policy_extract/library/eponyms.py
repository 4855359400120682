"""Names printed as possessives in disease names ("Crohn's disease", "Still's disease"), read
from the ICD-10-CM code set the project already ships (``simple-icd-10-cm``)."""

from __future__ import annotations

import functools
import re
import unicodedata
import warnings

__all__ = ["possessive_eponyms"]

_POSSESSIVE_NAME = re.compile(r"\b([A-Z][a-z]{2,})['’]s?\s+(?:disease|syndrome|palsy)\b")


@functools.cache
def possessive_eponyms() -> frozenset[str]:
    """Lowercase names the code set writes with "'s" before disease, syndrome or palsy.

    simple-icd-10-cm 1.5 loads its data with the deprecated ``importlib.resources.read_text``;
    that DeprecationWarning is the library's business, so it is silenced for the import.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm as icd

    names: set[str] = set()
    for code in icd.get_all_codes(with_dots=True):
        description = unicodedata.normalize("NFKD", icd.get_description(code))
        ascii_description = description.encode("ascii", "ignore").decode()
        for match in _POSSESSIVE_NAME.finditer(ascii_description):
            names.add(match.group(1).lower())
    return frozenset(name for name in names if not name.endswith("s"))
