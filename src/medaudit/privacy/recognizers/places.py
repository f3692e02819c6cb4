"""ADDRESS (province down to room number) and ORGANIZATION (the patient's work unit or school).

Both are built from suffix lists (市/区/路/号/室, 有限公司/中学) because Chinese addresses and
organisation names are compounds of named parts. The treating hospital and its departments are not
ORGANIZATION: the issue keeps them unless asked, and they are not the patient's identity.
"""

from __future__ import annotations

import regex

from medaudit.privacy import lexicon
from medaudit.privacy.recognizers.base import ChineseRuleRecognizer


def _cfg() -> dict[str, object]:
    return lexicon.load("places")


def _alt(key: str) -> str:
    words = _cfg()[key]
    assert isinstance(words, list)
    return lexicon.alternation(words)


def _place_char(key: str = "place_stop") -> str:
    stop = str(_cfg()[key])
    return r"[\p{Han}A-Za-z0-9--[" + regex.escape(stop) + r"]]"


class ZhAddressRecognizer(ChineseRuleRecognizer):
    """Addresses anchored on a province, a label (住址/家住) or a chain of admin parts."""

    ENTITY = "ADDRESS"

    def __init__(self) -> None:
        super().__init__()
        pc = _place_char()
        han = r"[\p{Han}--[" + regex.escape(str(_cfg()["place_stop"])) + r"]]"
        num = r"(?:\d+|[一二三四五六七八九十百零〇]+)"
        prov = f"(?:{_alt('provinces')}{_alt('province_suffixes')}?)"
        comp = (
            f"(?:{han}{{1,6}}?{_alt('admin_suffixes')}"
            f"|{pc}{{1,8}}?{_alt('street_suffixes')}"
            f"|{num}(?:[-－]{num}){{0,3}}{_alt('number_units')}"
            f"|\\d+(?:[-－]\\d+){{1,3}}"
            f"|(?<=[栋幢座楼元号])\\d{{2,5}}(?![\\d.])"
            f"|[A-Za-z]\\d*{_alt('number_units')}"
            f"|{han}{{0,8}}?{_alt('building_suffixes')})"
        )
        labels = _alt("address_labels")
        self.re_label = regex.compile(
            rf"(?<={labels}\s*[:：]?\s*)(?:{prov}|{comp})(?:\s?{comp})*", regex.V1)
        self.re_prov = regex.compile(rf"{prov}(?:{comp})+", regex.V1)
        self.re_chain = regex.compile(rf"(?<!{pc})(?:{comp}){{3,}}", regex.V1)
        self.re_numeric = regex.compile(rf"{num}{_alt('number_units')}|\d+(?:[-－]\d+)+", regex.V1)
        self.re_tail = regex.compile(
            rf"{_place_char('org_stop')}{{0,16}}?(?:{_alt('care_suffixes')}|{_alt('public_suffixes')}|{_alt('org_suffixes')})",
            regex.V1)

    def _part_of_name(self, text: str, end: int) -> bool:
        """True when the match runs on into an institution name (北京市朝阳区第一人民医院)."""
        return self.re_tail.match(text, end, min(len(text), end + 18)) is not None

    def find(self, text: str) -> list[tuple[int, int, float]]:
        out: list[tuple[int, int, float]] = []
        taken: list[tuple[int, int]] = []

        def add(s: int, e: int, score: float) -> None:
            if any(s < te and e > ts for ts, te in taken):
                return
            taken.append((s, e))
            out.append((s, e, score))

        for m in self.re_label.finditer(text):
            add(m.start(), m.end(), 0.85)
        for m in self.re_prov.finditer(text):
            if self._part_of_name(text, m.end()):
                continue
            detailed = self.re_numeric.search(m.group()) is not None
            add(m.start(), m.end(), 0.85 if detailed else 0.6)
        for m in self.re_chain.finditer(text):
            if self._part_of_name(text, m.end()):
                continue
            if self.re_numeric.search(m.group()) is not None:
                add(m.start(), m.end(), 0.7)
        return sorted(out)


class ZhOrganizationRecognizer(ChineseRuleRecognizer):
    """Work units and schools: after a label (工作单位/就读于) or as a full name (…有限公司)."""

    ENTITY = "ORGANIZATION"

    def __init__(self) -> None:
        super().__init__()
        pc = _place_char("org_stop")
        name = rf"{pc}{{2,24}}?{_alt('org_suffixes')}"
        self.re_label = regex.compile(
            rf"(?<={_alt('org_labels')}\s*(?:[:：]|是|为)?\s*){name}", regex.V1)
        self.re_sub = regex.compile(rf"(?:第?\d{{1,3}}|{pc}{{0,6}}?){_alt('org_subunits')}",
                                    regex.V1)
        self.re_after = regex.compile(
            rf"{pc}{{0,12}}?(?:{_alt('care_suffixes')})", regex.V1)
        self.re_exclude = regex.compile(_alt("org_exclude"))
        self.re_name = regex.compile(
            rf"(?<!{pc}){pc}{{2,24}}?(?:股份有限公司|有限责任公司|有限公司|集团|小学|中学|幼儿园|"
            r"职业技术学院|研究所|支行|分行)", regex.V1)
        self.re_care = regex.compile(_alt("care_suffixes") + "$")
        # （原顺庆区人民法院职工）: a former employer named before 职工/员工.
        self.re_staff = regex.compile(rf"(?<=原){name}(?=职工|员工|干部|工人)", regex.V1)

    def _span(self, text: str, start: int, end: int) -> tuple[int, int] | None:
        """Adjust a candidate: drop 原 in （原…公司）, extend by sub-units, reject care/insurers."""
        if text[start] == "原" and start > 0 and text[start - 1] in "（(：: ":
            start += 1
        sub = self.re_sub.match(text, end, min(len(text), end + 10))
        if sub is not None:
            end = sub.end()
        value = text[start:end]
        if self.re_care.search(value) or self.re_exclude.search(value):
            return None
        # 郑州大学第一附属医院: the university is part of the treating hospital's name.
        if self.re_after.match(text, end, min(len(text), end + 14)) is not None:
            return None
        return start, end

    def find(self, text: str) -> list[tuple[int, int, float]]:
        spans: dict[tuple[int, int], float] = {}
        for m in self.re_label.finditer(text):
            span = self._span(text, m.start(), m.end())
            if span is not None:
                spans[span] = 0.85
        for m in (*self.re_name.finditer(text), *self.re_staff.finditer(text)):
            span = self._span(text, m.start(), m.end())
            if span is not None:
                spans.setdefault(span, 0.7)
        out: list[tuple[int, int, float]] = []
        for (s, e), sc in sorted(spans.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
            if out and s < out[-1][1]:
                continue
            out.append((s, e, sc))
        return out
