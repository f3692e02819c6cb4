"""Check digits and calendar checks that turn a digit string into strong evidence of PHI.

A regex alone cannot tell an identity-card number from an 18-digit specimen barcode; the GB 11643
check digit, the Luhn sum and a real birth date can, which is what keeps precision high on
clinical text full of numbers.
"""

from __future__ import annotations

import datetime as _dt

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def gb11643_check_digit(first17: str) -> str:
    """Return the GB 11643-1999 check character (0-9 or X) for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("expected 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def _valid_date(year: int, month: int, day: int) -> bool:
    try:
        _dt.date(year, month, day)
    except ValueError:
        return False
    return True


def is_valid_cn_id18(value: str) -> bool:
    """True for an 18-character resident ID with a real birth date and a correct check digit."""
    v = value.replace(" ", "").upper()
    # Region codes start with 1-8; 9xxxxx is unassigned and used for surrogates.
    if len(v) != 18 or not v[:17].isdigit() or v[0] in "09":
        return False
    year = int(v[6:10])
    if not 1850 <= year <= 2100 or not _valid_date(year, int(v[10:12]), int(v[12:14])):
        return False
    return gb11643_check_digit(v[:17]) == v[17]


def is_valid_cn_id15(value: str) -> bool:
    """True for a first-generation 15-digit ID whose birth date (19YYMMDD) is a real date."""
    v = value.replace(" ", "")
    if len(v) != 15 or not v.isdigit() or v[0] in "09":
        return False
    return _valid_date(1900 + int(v[6:8]), int(v[8:10]), int(v[10:12]))


def luhn_valid(value: str) -> bool:
    """True when the digits of `value` (spaces and dashes ignored) pass the Luhn mod-10 check."""
    digits = [c for c in value if c.isdigit()]
    if len(digits) < 12 or len(digits) != len(value.replace(" ", "").replace("-", "")):
        return False
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """Return the digit that makes `partial + digit` pass Luhn (used to build test surrogates)."""
    for d in "0123456789":
        if luhn_valid(partial + d):
            return d
    raise ValueError("no Luhn digit")  # pragma: no cover - one digit always fits


DOC_NETS = ("192.0.2.", "198.51.100.", "203.0.113.")


def valid_ipv4(value: str) -> bool:
    """True for a dotted quad (parts 0-255, no leading zeros) outside the RFC 5737 doc ranges."""
    if value.startswith(DOC_NETS):
        return False
    parts = value.split(".")
    if len(parts) != 4:
        return False
    return all(not (not p.isdigit() or (len(p) > 1 and p[0] == "0") or int(p) > 255) for p in parts)
