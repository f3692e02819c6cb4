"""De-identification strategies, per-document consistency, date shifting, rescans."""

from __future__ import annotations

import pytest

from medaudit.errors import MedauditError
from medaudit.privacy import DeidState, deidentify_text, mask_snippet, scan_text
from medaudit.privacy.checksums import gb11643_check_digit

ID18 = "11010519850312003" + gb11643_check_digit("11010519850312003")
NOTE = (f"患者张三，男，92岁，身份证号{ID18}，手机13812345678。2023年3月5日入院，"
        "2023年3月9日出院。张三诉头痛。住院号：ZY2023001。邮箱zs@163.com")


def test_tag_numbers_distinct_values_consistently() -> None:
    new, mapping = deidentify_text(NOTE, "tag")
    assert new.count("[PERSON_1]") == 2
    assert "[DATE_1]" in new and "[DATE_2]" in new
    assert "张三" not in new and ID18 not in new
    assert {m["original"] for m in mapping if m["type"] == "PERSON"} == {"张三"}


def test_mask_keeps_length() -> None:
    new, _ = deidentify_text(NOTE, "mask")
    assert len(new) == len(NOTE)
    assert "13812345678" not in new


@pytest.mark.parametrize("strategy", ["mask", "tag"])
def test_rescan_after_deid_finds_nothing(strategy: str) -> None:
    new, _ = deidentify_text(NOTE, strategy)
    assert scan_text(new) == []


def test_surrogate_is_consistent_and_reproducible() -> None:
    a, mapping = deidentify_text(NOTE, "surrogate", seed=7)
    b, _ = deidentify_text(NOTE, "surrogate", seed=7)
    assert a == b
    person = [m["replacement"] for m in mapping if m["type"] == "PERSON"]
    assert len(person) == 2 and person[0] == person[1] and person[0] != "张三"
    ids = [m["replacement"] for m in mapping if m["type"] == "CN_ID_CARD"]
    assert ids and str(ids[0]).startswith("99") and len(str(ids[0])) == 18
    # The surrogate ID uses an unassigned region, so a rescan does not call it a real ID.
    assert not [f for f in scan_text(a) if f.type == "CN_ID_CARD"]


def test_shift_dates_keeps_interval() -> None:
    new, mapping = deidentify_text(NOTE, "tag", shift_dates=True, seed=3)
    shifted = [str(m["replacement"]) for m in mapping if m["type"] == "DATE"]
    assert len(shifted) == 2 and "2023年3月5日" not in new
    from medaudit.privacy.dateshift import parse

    a, b = (parse(s) for s in shifted)
    assert a is not None and b is not None and (b.date - a.date).days == 4


def test_state_is_shared_across_fields() -> None:
    state = DeidState.seeded(1)
    a, _ = deidentify_text("患者张三", "tag", state=state)
    b, _ = deidentify_text("家属李四，患者张三", "tag", state=state)
    assert a == "患者[PERSON_1]" and b == "家属[PERSON_2]，患者[PERSON_1]"


def test_types_limit_replacements() -> None:
    new, _ = deidentify_text(NOTE, "tag", {"PHONE"})
    assert "张三" in new and "13812345678" not in new


def test_bad_strategy() -> None:
    with pytest.raises(MedauditError, match="unknown strategy"):
        deidentify_text(NOTE, "blur")


def test_mask_snippet_never_shows_values() -> None:
    found = scan_text(NOTE)
    for f in found:
        snip = mask_snippet(NOTE, f, found)
        for other in found:
            assert NOTE[other.start:other.end] not in snip
