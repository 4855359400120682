"""The words the template-free reader recognises: section roles, indication lead-ins, names."""

from __future__ import annotations

import re

__all__ = [
    "CONTINUATION_START",
    "CRITERIA_HEADING",
    "END_HEADING",
    "GENERAL",
    "LIMITS_HEADING",
    "NEGATIVE",
    "PRIOR_AUTH",
    "clean_condition_name",
    "condition_from_lead_in",
    "condition_from_named_item",
    "is_product_group",
]

_I = re.IGNORECASE
# A heading that opens the part of the document where criteria are.
CRITERIA_HEADING = re.compile(
    r"\b(?:criteria|requirements|coverage\s+(?:policy|rationale|criteria)|policy\s+statement"
    r"|indications?)\b(?!\W*(?:number|no\b|#))",
    _I,
)
# A heading that closes it: background, codes, references, history.
END_HEADING = re.compile(
    r"^\W*(?:[ivx]+\.\s+|\d+\.\s+)?(?:overview|background|description|references?|coding|codes?\b"
    r"|billing|applicable\s+codes|clinical\s+evidence|appendix|document\s+history|policy\s+history"
    r"|revision|dosing|dosage|quantity\s+limits?|rationale|summary|instructions|benefit\s+consider"
    r"|u\.?s\.?\s+food|centers\s+for|table\s+of\s+contents|keywords|related)",
    _I,
)
LIMITS_HEADING = re.compile(
    r"\b(?:length\s+of\s+(?:authori[sz]ation|approval)|approval\s+(?:limits|duration)"
    r"|authori[sz]ation\s+(?:limits|duration|period)|duration\s+of\s+(?:approval|authori)"
    r"|renewal\s+limits)\b",
    _I,
)
# Criteria that apply to every indication.
GENERAL = re.compile(
    r"\b(?:universal\s+criteria|general\s+(?:requirements|criteria)"
    r"|for\s+all\s+(?:diagnoses|indications|conditions|requests)|applicable\s+to\s+all)\b",
    _I,
)
# A statement that something is not covered.
NEGATIVE = re.compile(
    r"\b(?:not\s+covered|not\s+medically\s+necessary|unproven|investigational|experimental"
    r"|may\s+not\s+be\s+approved|not\s+be\s+approved|excluded\s+from\s+coverage)\b",
    _I,
)
CONTINUATION_START = re.compile(
    r"^\W*(?:[A-Za-z0-9]{1,4}[.)]\s*)?(?:for\s+)?(?:continuation|renewal|re-?authori[sz]ation"
    r"|patient\s+is\s+currently\s+receiving|currently\s+receiving|subsequent)",
    _I,
)
# Prior authorization by any of its names: "prior approval", "precertification", "preauthorization".
_PRIOR_AUTH_NOUN = (
    r"(?:prior[\s\-–]*(?:authori[sz]ation|approval)|pre[\s\-–]?certification"
    r"|pre[\s\-–]?authori[sz]ation)"
)
PRIOR_AUTH = re.compile(
    rf"\b{_PRIOR_AUTH_NOUN}\s+(?:is\s+required|requirements|validity|(?:\w+\s+)?policy\b)"
    rf"|\brequires?\s+{_PRIOR_AUTH_NOUN}",
    _I,
)

_VERB = (
    r"(?:may\s+be\s+(?:considered\s+)?(?:approved|medically\s+necessary|covered)"
    r"|(?:is|are)\s+(?:considered\s+)?(?:medically\s+necessary|proven|covered|approved))"
)
# "Initial requests for Drug for the treatment of asthma may be approved if ..."
_COND_THEN_VERB = re.compile(rf"^(?P<pre>.+?)\s+{_VERB}\b", _I)
# "Drug is medically necessary for the treatment of cervical dystonia when ..."
_VERB_THEN_COND = re.compile(
    rf"{_VERB}\s+(?:for|in)\s+(?:the\s+)?(?:(?:treatment|prophylaxis|prevention|management)\s+of"
    r"\s+)?(?P<cond>.+?)\s+(?:when|if|in\s+(?:patients|individuals|members))\b",
    _I,
)
_LAST_FOR = re.compile(
    r".*\bfor\s+(?:the\s+)?(?:(?:treatment|prophylaxis|prevention|management)\s+of\s+)?(?P<cond>.+)$",
    _I,
)
_NAMED_ITEM = re.compile(
    r"^(?P<name>[A-Z][^.:]{2,120}?)(?:\.\s+|\s+(?=Approve\s+for\b))(?=(?i:approve|criteria|coverage|the\s+patient|patient|"
    r"individual)\b)",
)
# "Neuromyelitis optica spectrum disorder (NMOSD), when all of the following are met:"
_NAMED_WHEN = re.compile(
    r"^(?P<name>[A-Z][^.:;]{2,120}?),?\s+(?:when|if)\s+(?:all|any|one|both|either|each|at\s+least"
    r"|the\s+following)\b",
)
# What a criterion says of its subject, which no condition's name does.
_A_CRITERION = re.compile(
    r"^\W*(?:the\s+)?(?:patient|individual|member|beneficiary|documentation|prescrib\w*|request)\b"
    r"|\b(?:is|are|has|have|was|were|must|will)\b",
    _I,
)
_TRAILING_MARKS = re.compile(r"[\s†‡Ф¥*±◊§¶#®™:.,;]+(?:\d[\d,\-–\s]*)?$")
_PHASE_NAME = re.compile(r"^\W*(?:initial|new\s+start|first)\b", _I)
_NOT_A_NAME = re.compile(r"\bfollowing\b|\bcriteri|\bthis\s+(?:drug|medication)\b", _I)


def clean_condition_name(text: str) -> str:
    """Drop footnote marks and reference numbers: "Osteoporosis † 1-8,40" -> "Osteoporosis"."""
    name = re.sub(r"^\s*\d{1,2}[.)]\s+", "", text.strip())
    while True:
        trimmed = _TRAILING_MARKS.sub("", name).strip()
        if trimmed == name:
            return name
        name = trimmed


def condition_from_lead_in(text: str) -> str | None:
    """The condition a lead-in sentence is about, or None when it names none."""
    name: str | None = None
    after = _VERB_THEN_COND.search(text)
    if after:
        name = after.group("cond")
    else:
        before = _COND_THEN_VERB.match(text)
        last_for = _LAST_FOR.match(before.group("pre")) if before else None
        if last_for:
            name = last_for.group("cond")
    if name is None or _NOT_A_NAME.search(name) or len(name.split()) > 20:
        return None
    return clean_condition_name(name) or None


def condition_from_named_item(text: str) -> str | None:
    """ "Crohn's Disease. Approve for ..." -> "Crohn's Disease"; "Neuromyelitis optica (NMO),
    when all of the following are met:" -> "Neuromyelitis optica (NMO)"."""
    match = _NAMED_ITEM.match(text)
    if match is None:
        match = _NAMED_WHEN.match(text)
        if match is not None and _A_CRITERION.search(match.group("name")):
            return None  # "Patient has tried X, when ...": a criterion
    if not match or len(match.group("name").split()) > 16:
        return None
    if CONTINUATION_START.match(match.group("name")) or _PHASE_NAME.match(match.group("name")):
        return None  # "Initial Therapy. Approve for 6 months ...": a phase, not a condition
    return clean_condition_name(match.group("name"))


def is_product_group(text: str) -> bool:
    """A heading listing products ("Prolia, Bildyos, Bosaya, ..."), not a condition."""
    parts = [p.strip() for p in re.split(r"[,/;]|\band\b", clean_condition_name(text)) if p.strip()]
    return len(parts) >= 3 and all(len(p.split()) <= 3 for p in parts)
