"""False-positive filters shared by recognizers: doses, lab values, ICD-10 codes, guideline years.

Clinical text is dense with numbers that look like identifiers; each filter here names one such
family so that a rejected candidate can be explained.
"""

from __future__ import annotations

from functools import cache

import regex

from medaudit.privacy import lexicon

ICD10 = regex.compile(r"(?<![A-Za-z0-9])[A-TV-Z]\d{2}(?:\.\d{1,4})?(?![0-9])")


@cache
def _unit_re() -> regex.Pattern[str]:
    units = lexicon.load("patterns")["units"]
    return regex.compile(r"\s?" + lexicon.alternation(units) + r"(?![A-Za-z])")


def followed_by_unit(text: str, end: int) -> bool:
    """True when a measurement unit (mg, mmol/L, 片, 次/分…) follows position `end`."""
    return _unit_re().match(text, end, min(len(text), end + 8)) is not None


def is_icd10(value: str) -> bool:
    """True for an ICD-10 code such as E11.9 or I10 (never an identifier)."""
    return ICD10.fullmatch(value) is not None
