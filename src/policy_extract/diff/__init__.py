"""Semantic diff between two versions of a policy, for reviewers comparing annual reviews.

``diff_policies(old, new)`` walks both Policies field by field and returns a ``PolicyDiff``: a list
of ``Change`` entries, each with a JSON-path-like ``path`` (conditions by id, e.g.
``coverage[myelodysplastic-syndrome-mds].criteria.children[2]``; codes by code, e.g.
``...icd10[Z94.99]``; an added item by its new position, a removed one by its old position), the old
and new JSON values (spans stripped), a one-line ``summary`` and the ``impact`` on coverage.
``render_diff`` (in ``render``) turns a PolicyDiff into md, html, json or changelog text.

Rules a reviewer can notice:

* **Matching, not position.** Conditions match by id, then by name (difflib ratio >= 0.6 on
  lower-cased, punctuation-free names), so a renamed heading is one change. Criteria, outline
  sections and blocks, references and paragraphs match among siblings by text: equal text first,
  then greedily by best word-level ratio (>= 0.5; 0.6 on characters for headings). Labels are
  ignored, so an inserted criterion is one addition, not a cascade of renumberings. Doses and
  periods match by text, then by position; references by text, then by number.
* **Sets are sets.** ICD-10 and HCPCS codes (by code), places of service, listed conditions, brand
  names, how-supplied entries, special instructions and review notes: reordering is no change. A
  removed and an added string that are similar are one revision (not for places of service).
* **Never compared:** ``source``, every ``span``, ``warnings``, where ``unparsed`` text sits, a
  reference's number alone, a period's ``dose_index``, and differences in whitespace only.
* **Impact.** ``narrows``: a criterion added under all-of (or removed from any-of), any -> all,
  min_count up, a dose amount, frequency or cap lowered, a period shortened or fewer doses, a code,
  condition, dose, period or place of service removed, prior authorization newly required.
  ``broadens``: the opposites. ``editorial``: references, review history, front matter, and
  rewording of doses or periods whose structured values are equal. ``unclassified``: a reworded
  criterion and any change in the outline of an unknown template: new words may widen or narrow
  coverage and only a reader can tell (the word diff is in the summary). A structured change whose
  direction
  cannot be told (unit, route, ``applies_when``, phase) and a change that both narrows and
  broadens count as ``narrows``, so that they are never filtered out as editorial.

Modules, in the direction of their imports: ``words`` (word-level differences), ``matching``
(aligning siblings), ``changes`` (``Change``, ``PolicyDiff``, the recorder and value/set
comparisons), ``criteria`` and ``regimen`` (criteria trees; doses and periods), ``policy``
(``diff_policies``: the walk over a whole Policy), ``render`` (md, html, json, changelog).
"""

from __future__ import annotations

from .changes import Change, ChangeKind, DiffFormat, Impact, PolicyDiff
from .policy import diff_policies, load_for_diff
from .render import render_diff
from .words import word_diff, word_segments

__all__ = [
    "Change",
    "ChangeKind",
    "DiffFormat",
    "Impact",
    "PolicyDiff",
    "diff_policies",
    "load_for_diff",
    "render_diff",
    "word_diff",
    "word_segments",
]
