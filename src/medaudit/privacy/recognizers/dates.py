"""Dates in every form Chinese clinical text uses, and ages over 89.

A year alone (2020年版, (2019)) is not a date of the patient and is never reported, in line with
the HIPAA Safe Harbor rule that keeps years; month-level precision and finer is.
"""

from __future__ import annotations

import regex
from presidio_analyzer import Pattern

from medaudit.privacy.filters import followed_by_unit
from medaudit.privacy.recognizers.base import ChinesePatternRecognizer

CN_DIGIT = "〇零一二三四五六七八九○Ｏ０"
CN_MONTH = r"(?:十[一二]?|[一二三四五六七八九])"
CN_DAY = r"(?:三十[一]?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九])"
Y4 = r"(?:18|19|20)\d{2}"
M = r"(?:1[0-2]|0?[1-9])"
D = r"(?:3[01]|[12]\d|0?[1-9])"
ND = r"(?<![0-9])"
NA = r"(?![0-9])"
S = r"\s*"

DATE_PATTERNS: tuple[tuple[str, str, float], ...] = (
    ("ymd_cn", ND + r"(?:" + Y4 + r"|\d{2})" + S + "年" + S + M + S + "月" + S + D + S + r"[日号]",
     0.95),
    ("ym_cn", ND + Y4 + S + "年" + S + M + S + r"月(?:份)?", 0.8),
    ("md_cn", ND + M + S + "月" + S + D + S + r"[日号]", 0.85),
    ("ymd_cn_num", f"[{CN_DIGIT}]{{4}}年{CN_MONTH}月(?:{CN_DAY}[日号])?", 0.9),
    ("md_cn_num", f"(?<![{CN_DIGIT}年]){CN_MONTH}月{CN_DAY}[日号]", 0.8),
    ("ymd_sep", ND + r"(?<![\d.])" + Y4 + r"(?P<sep>[-/.])" + M + r"(?P=sep)" + D + r"(?!\d)",
     0.9),
    ("dmy_sep", ND + r"(?<![\d.])" + D + r"(?P<sep>[-/.])" + M + r"(?P=sep)" + Y4 + NA, 0.7),
    ("ymd_compact", ND + Y4 + r"(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])" + NA, 0.5),
    ("ym_sep", ND + r"(?<![\d.])" + Y4 + r"[-/.](?:0[1-9]|1[0-2])(?![\d.\-/])", 0.4),
    ("md_slash", ND + r"(?<![\d./])" + M + r"/" + D + r"(?![\d/])", 0.2),
)


class ZhDateRecognizer(ChinesePatternRecognizer):
    """Dates: 2023年3月5日, 二〇二三年三月五日, 3月5日, 2023-03-05, 05/03/2023, 20230305…"""

    ENTITY = "DATE"

    def __init__(self) -> None:
        super().__init__([Pattern(n, r, s) for n, r, s in DATE_PATTERNS])

    def keep(self, text: str, start: int, end: int) -> bool:
        value = text[start:end]
        # "1/2 片", "3/4" as fractions of a dose, not month/day.
        return not (regex.fullmatch(r"\d+/\d+", value) and followed_by_unit(text, end))


_CN_AGE = (r"(?:九十[一二三四五六七八九]?|"
           r"一百(?:零[一二三四五六七八九]|一十?[一二三四五六七八九]?|二十)?|百)")


class ZhAgeOver89Recognizer(ChinesePatternRecognizer):
    """Ages of 90 and over (HIPAA keeps them as PHI because so few people reach them)."""

    ENTITY = "AGE_OVER_89"

    def __init__(self) -> None:
        age = r"(?:9\d|1[0-2]\d)"
        super().__init__([
            Pattern("age_sui", r"(?<![\d.])" + age + r"(?=\s*(?:周岁|岁|歲))", 0.9),
            Pattern("age_label", r"(?<=年龄\s*[:：]?\s*)" + age + r"(?![\d.])", 0.85),
            Pattern("age_cn", _CN_AGE + r"(?=\s*(?:周岁|岁|歲))", 0.9),
            Pattern("age_gao", r"(?<![\d.])" + age + r"(?=\s*高龄)", 0.9),
        ])

    def keep(self, text: str, start: int, end: int) -> bool:
        before = text[max(0, start - 3):start]
        # "1-95岁" ranges, "≥90岁" thresholds in guidelines and eligibility criteria.
        return not regex.search(r"[-~～至到≥≤><]\s*$", before)


def date_recognizers() -> list[ChinesePatternRecognizer]:
    return [ZhDateRecognizer(), ZhAgeOver89Recognizer()]
