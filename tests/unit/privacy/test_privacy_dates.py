"""Each date form is found, years alone are not, and every form shifts in its own style."""

from __future__ import annotations

import pytest

from medaudit.privacy import scan_text
from medaudit.privacy.dateshift import parse, shift


def dates(text: str) -> list[str]:
    return [text[f.start:f.end] for f in scan_text(text) if f.type == "DATE"]


@pytest.mark.parametrize("value", [
    "2023年3月5日", "2023年03月05日", "2023 年 3 月 5 日", "2023年3月5号", "23年3月5日",
    "2023年3月", "3月5日", "二〇二三年三月五日", "一九八五年十二月", "三月十五日",
    "2023-03-05", "2023/3/5", "2023.03.05", "05/03/2023",
])
def test_date_forms_found_without_context(value: str) -> None:
    assert dates(f"患者{value}复查") == [value]


def test_compact_date_needs_context() -> None:
    assert dates("出生日期：19850312") == ["19850312"]
    assert dates("编码19851312") == []


def test_year_month_numeric_needs_context() -> None:
    assert dates("就诊日期 2023-03") == ["2023-03"]
    assert dates("编号 2023-03") == []


def test_month_day_slash_needs_context() -> None:
    assert dates("入院3/5") == ["3/5"]
    assert dates("每次1/2片") == []


@pytest.mark.parametrize("text", ["《指南（2020年版）》", "2019年发布", "2023版", "试剂批号2025-06",
                                  "年龄65岁", "血压120/80"])
def test_not_dates(text: str) -> None:
    assert dates(text) == []


@pytest.mark.parametrize("value,days,expected", [
    ("2023年3月5日", 10, "2023年3月15日"),
    ("2023年03月05日", -5, "2023年02月28日"),
    ("3月5日", 1, "3月6日"),
    ("二〇二三年三月五日", 30, "二〇二三年四月四日"),
    ("2023-03-05", 365, "2024-03-04"),
    ("2023/3/5", 1, "2023/3/6"),
    ("05/03/2023", 1, "06/03/2023"),
    ("20230305", 1, "20230306"),
    ("2023年3月", 31, "2023年4月"),
])
def test_shift_keeps_format(value: str, days: int, expected: str) -> None:
    assert shift(value, days) == expected


def test_shift_keeps_intervals() -> None:
    a, b = shift("2023年3月5日", 77), shift("2023年3月9日", 77)
    assert a is not None and b is not None
    pa, pb = parse(a), parse(b)
    assert pa is not None and pb is not None
    assert (pb.date - pa.date).days == 4


def test_unparseable_date_is_none() -> None:
    assert shift("2023年2月30日", 1) is None
