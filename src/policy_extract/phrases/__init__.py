"""Small grammars for the phrases inside policy sections: doses, periods, criteria, codes.

Each parser takes one line of verbatim text and returns a model (or parts of one); none raises on
text it does not understand: it leaves the fields it could not read as None.
"""

from __future__ import annotations

from .codes import parse_hcpcs_line, parse_icd10_line
from .criteria import criteria_operator
from .dose import parse_dose
from .period import link_period_to_dose, parse_period

__all__ = [
    "criteria_operator",
    "link_period_to_dose",
    "parse_dose",
    "parse_hcpcs_line",
    "parse_icd10_line",
    "parse_period",
]
