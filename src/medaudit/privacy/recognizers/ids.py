"""Identifier numbers: resident ID (GB 11643), bank card (Luhn), passport, licence plate,
medical-record and insurance numbers (by their label word)."""

from __future__ import annotations

import regex
from presidio_analyzer import Pattern

from medaudit.privacy import lexicon
from medaudit.privacy.checksums import is_valid_cn_id15, is_valid_cn_id18, luhn_valid
from medaudit.privacy.recognizers.base import ChinesePatternRecognizer

NB = r"(?<![0-9A-Za-z])"  # no digit or Latin letter just before
NA = r"(?![0-9A-Za-z])"  # ... or just after
_DATE8 = r"(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"
_DATE6 = r"\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])"


class ZhCnIdCardRecognizer(ChinesePatternRecognizer):
    """18-digit resident ID (check digit verified) and the older 15-digit form.

    A valid check digit scores 1.0; an 18-digit string with a wrong check digit keeps a low base
    score and is reported only beside a context word such as 身份证 (a mistyped ID is still PHI).
    """

    ENTITY = "CN_ID_CARD"

    def __init__(self) -> None:
        super().__init__([
            Pattern("id18", NB + r"[1-8]\d{5}" + _DATE8 + r"\d{3}[0-9Xx]" + NA, 0.3),
            Pattern("id18_spaced", NB + r"[1-8]\d{5} " + _DATE8 + r" \d{3}[0-9Xx]" + NA, 0.3),
            Pattern("id15", NB + r"[1-8]\d{5}" + _DATE6 + r"\d{3}" + NA, 0.3),
        ])

    def validate_result(self, pattern_text: str) -> bool | None:
        v = pattern_text.replace(" ", "")
        if len(v) == 18:
            return True if is_valid_cn_id18(v) else None
        return None if is_valid_cn_id15(v) else False


class ZhBankCardRecognizer(ChinesePatternRecognizer):
    """16-19 digit card numbers, plain or in groups of four, that pass the Luhn check."""

    ENTITY = "BANK_CARD"

    def __init__(self) -> None:
        super().__init__([
            Pattern("card_plain", NB + r"[3-6]\d{15,18}" + NA, 0.6),
            Pattern("card_grouped", NB + r"[3-6]\d{3}(?:[ -]\d{4}){3}(?:[ -]?\d{1,3})?" + NA, 0.6),
        ])

    def validate_result(self, pattern_text: str) -> bool | None:
        digits = pattern_text.replace(" ", "").replace("-", "")
        if not 16 <= len(digits) <= 19 or not luhn_valid(digits):
            return False
        return None

    def keep(self, text: str, start: int, end: int) -> bool:
        # An 18-digit string that is a valid resident ID is the ID, not a card.
        digits = text[start:end].replace(" ", "").replace("-", "")
        return not (len(digits) == 18 and is_valid_cn_id18(digits))


class ZhPassportRecognizer(ChinesePatternRecognizer):
    """Chinese passports (E/G + 8 digits, E + letter + 7 digits) and travel permits by context."""

    ENTITY = "PASSPORT"

    def __init__(self) -> None:
        super().__init__([
            Pattern("cn_passport", NB + r"(?:[EG]\d{8}|E[A-HJ-NP-Z]\d{7})" + NA, 0.55),
            Pattern("permit", NB + r"[CHMKLPDSW][A-Z]?\d{7,9}" + NA, 0.2),
            Pattern("foreign", NB + r"[A-Z]{1,2}\d{6,8}" + NA, 0.2),
        ], flags=regex.MULTILINE)


class ZhLicensePlateRecognizer(ChinesePatternRecognizer):
    """Mainland plates: province character, letter, five or six letters/digits (新能源 too)."""

    ENTITY = "LICENSE_PLATE"

    def __init__(self) -> None:
        prov = lexicon.load("patterns")["plate_provinces"]
        body = r"(?=[A-HJ-NP-Z0-9]{0,5}\d)[A-HJ-NP-Z0-9]{5,6}"
        super().__init__([
            Pattern("plate", f"[{prov}][A-HJ-NP-Z][·•・ ]?{body}[挂学警]?" + NA, 0.85),
        ], flags=regex.MULTILINE)


def _labelled(labels_key: str) -> str:
    cfg = lexicon.load("patterns")
    return r"(?<=" + lexicon.alternation(cfg[labels_key]) + cfg["label_separator"] + r")"


class ZhMedicalRecordNumberRecognizer(ChinesePatternRecognizer):
    """Record, admission, outpatient, examination and bed numbers, found by their label word."""

    ENTITY = "MEDICAL_RECORD_NUMBER"

    def __init__(self) -> None:
        lb = _labelled("mrn_labels")
        super().__init__([
            Pattern("labelled", lb + r"(?:\+\d{1,3}|[A-Za-z]{0,4}-?\d[0-9A-Za-z-]{0,24})" + NA,
                    0.9),
            # Bed numbers written before 床: 12床, +3床 (extra bed), ICU-13床, B05床.
            Pattern("bed", NB + r"(?:\+|[A-Z]{1,3}-?)?\d{1,3}(?=床)", 0.85),
        ])


class ZhInsuranceIdRecognizer(ChinesePatternRecognizer):
    """Medical-insurance and social-security card numbers, found by their label word."""

    ENTITY = "INSURANCE_ID"

    def __init__(self) -> None:
        lb = _labelled("insurance_labels")
        super().__init__([
            Pattern("labelled", lb + r"[A-Za-z]{0,4}-?\d[0-9A-Za-z-]{4,27}" + NA, 0.95),
        ])


def id_recognizers() -> list[ChinesePatternRecognizer]:
    return [ZhCnIdCardRecognizer(), ZhBankCardRecognizer(), ZhPassportRecognizer(),
            ZhLicensePlateRecognizer(), ZhMedicalRecordNumberRecognizer(),
            ZhInsuranceIdRecognizer()]
