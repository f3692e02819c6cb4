"""Parse the date forms the DATE recognizer finds and write them back shifted, in the same form.

Shifting every date of a document by one offset keeps intervals (admission to discharge, days
since surgery) while hiding the real calendar dates; the output keeps the input's style
(2023年3月5日 stays 年月日, 二〇二三年 stays in Chinese numerals, 03/05 keeps its zero padding).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import regex

_CN = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "０": 0, "一": 1, "二": 2, "三": 3, "四": 4, "五": 5,
       "六": 6, "七": 7, "八": 8, "九": 9}
_CN_REV = "〇一二三四五六七八九"


def cn_small(s: str) -> int:
    """Chinese numeral 1-31 (十一, 二十三, 三十) to int."""
    if s == "十":
        return 10
    if "十" in s:
        a, _, b = s.partition("十")
        return (_CN[a] if a else 1) * 10 + (_CN[b] if b else 0)
    return _CN[s]


def to_cn_small(n: int) -> str:
    if n < 10:
        return _CN_REV[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else _CN_REV[tens]) + "十" + (_CN_REV[ones] if ones else "")


@dataclass(frozen=True)
class ParsedDate:
    """A date plus how to write it back: `fmt(date) -> str`."""

    date: dt.date
    style: str
    pad: bool
    sep: str
    has_year: bool
    has_day: bool
    suffix: str


_ARABIC_CN = regex.compile(
    r"(?:(?P<y>\d{2}|\d{4})\s*年\s*)?(?P<m>\d{1,2})\s*月\s*(?:份|(?P<d>\d{1,2})\s*(?P<suf>[日号]))?")
_CN_NUM = regex.compile(r"(?:(?P<y>[〇零一二三四五六七八九○Ｏ０]{4})年)?"
                        r"(?P<m>[一二三四五六七八九十]{1,2})月"
                        r"(?:(?P<d>[一二三四五六七八九十]{1,3})(?P<suf>[日号]))?")
_SEP_YMD = regex.compile(r"(?P<y>\d{4})(?P<sep>[-/.])(?P<m>\d{1,2})(?:(?P=sep)(?P<d>\d{1,2}))?")
_SEP_DMY = regex.compile(r"(?P<d>\d{1,2})(?P<sep>[-/.])(?P<m>\d{1,2})(?P=sep)(?P<y>\d{4})")
_COMPACT = regex.compile(r"(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2})")
_MD_SLASH = regex.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})")


def _year(y: str | None) -> int:
    if y is None:
        return 2001
    n = int(y)
    return n + (2000 if n < 50 else 1900) if len(y) == 2 else n


def parse(value: str) -> ParsedDate | None:
    """Parse one date as found by the DATE recognizer, or None if it is not a real date."""
    v = value.strip()
    try:
        if m := _CN_NUM.fullmatch(v):
            y = int("".join(str(_CN[c]) for c in m["y"])) if m["y"] else 2001
            d = cn_small(m["d"]) if m["d"] else 1
            return ParsedDate(dt.date(y, cn_small(m["m"]), d), "cn_num", False, "",
                              m["y"] is not None, m["d"] is not None, m["suf"] or "日")
        if m := _ARABIC_CN.fullmatch(v):
            d = int(m["d"]) if m["d"] else 1
            pad = len(m["m"]) == 2 or bool(m["d"] and len(m["d"]) == 2)
            return ParsedDate(dt.date(_year(m["y"]), int(m["m"]), d), "cn", pad, "",
                              m["y"] is not None, m["d"] is not None, m["suf"] or "日")
        if m := _SEP_YMD.fullmatch(v):
            d = int(m["d"]) if m["d"] else 1
            return ParsedDate(dt.date(int(m["y"]), int(m["m"]), d), "ymd", len(m["m"]) == 2,
                              m["sep"], True, m["d"] is not None, "")
        if m := _SEP_DMY.fullmatch(v):
            return ParsedDate(dt.date(int(m["y"]), int(m["m"]), int(m["d"])), "dmy",
                              len(m["m"]) == 2, m["sep"], True, True, "")
        if m := _COMPACT.fullmatch(v):
            return ParsedDate(dt.date(int(m["y"]), int(m["m"]), int(m["d"])), "compact", True,
                              "", True, True, "")
        if m := _MD_SLASH.fullmatch(v):
            return ParsedDate(dt.date(2001, int(m["m"]), int(m["d"])), "md_slash",
                              len(m["m"]) == 2, "/", False, True, "")
    except ValueError:
        return None
    return None


def render(p: ParsedDate, d: dt.date) -> str:
    """Write `d` in the style of `p`."""
    def n(x: int) -> str:
        return f"{x:02d}" if p.pad else str(x)

    if p.style == "cn_num":
        y = "".join(_CN_REV[int(c)] for c in f"{d.year:04d}") + "年" if p.has_year else ""
        day = to_cn_small(d.day) + p.suffix if p.has_day else ""
        return f"{y}{to_cn_small(d.month)}月{day}"
    if p.style == "cn":
        y = f"{d.year}年" if p.has_year else ""
        return f"{y}{n(d.month)}月" + (f"{n(d.day)}{p.suffix}" if p.has_day else "")
    if p.style == "ymd":
        return f"{d.year}{p.sep}{n(d.month)}" + (f"{p.sep}{n(d.day)}" if p.has_day else "")
    if p.style == "dmy":
        return f"{n(d.day)}{p.sep}{n(d.month)}{p.sep}{d.year}"
    if p.style == "compact":
        return f"{d.year:04d}{d.month:02d}{d.day:02d}"
    return f"{n(d.month)}/{n(d.day)}"


def shift(value: str, days: int) -> str | None:
    """Return `value` moved by `days` in its own format, or None when it cannot be parsed."""
    p = parse(value)
    if p is None:
        return None
    if not p.has_day:
        # Month precision: shift by whole months so the month stays meaningful.
        months = round(days / 30.4)
        idx = p.date.year * 12 + p.date.month - 1 + months
        return render(p, dt.date(idx // 12, idx % 12 + 1, 1))
    return render(p, p.date + dt.timedelta(days=days))
