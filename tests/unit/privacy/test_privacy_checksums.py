"""GB 11643 and Luhn checks: the evidence that keeps identifiers apart from other numbers."""

from __future__ import annotations

import pytest

from medaudit.privacy.checksums import (
    gb11643_check_digit,
    is_valid_cn_id15,
    is_valid_cn_id18,
    luhn_check_digit,
    luhn_valid,
    valid_ipv4,
)


def test_gb11643_known_example() -> None:
    # The worked example of GB 11643-1999: 11010519491231002 -> X.
    assert gb11643_check_digit("11010519491231002") == "X"
    assert is_valid_cn_id18("11010519491231002X")
    assert is_valid_cn_id18("11010519491231002x")


@pytest.mark.parametrize("bad", [
    "110105194912310021",  # wrong check digit
    "110105194913310025",  # month 13
    "110105194902300020",  # 30 February
    "010105194912310023",  # region code cannot start with 0
    "99010519491231002X",  # 9x region: unassigned, used for surrogates
    "11010519491231002",   # 17 characters
])
def test_gb11643_rejects(bad: str) -> None:
    assert not is_valid_cn_id18(bad)


def test_id15_needs_real_birth_date() -> None:
    assert is_valid_cn_id15("110105491231002")
    assert not is_valid_cn_id15("110105491331002")
    assert not is_valid_cn_id15("11010549123100")


def test_luhn() -> None:
    assert luhn_valid("4111111111111111")
    assert luhn_valid("622202000000000000" + luhn_check_digit("622202000000000000"))
    assert not luhn_valid("4111111111111112")
    assert not luhn_valid("12345")


def test_ipv4_range_and_doc_nets() -> None:
    assert valid_ipv4("10.12.3.4")
    assert not valid_ipv4("256.1.1.1")
    assert not valid_ipv4("01.1.1.1")
    assert not valid_ipv4("192.0.2.10")  # RFC 5737 documentation range
