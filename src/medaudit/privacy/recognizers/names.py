"""PERSON: Chinese personal names found by a label word, a title, or a pseudonym (王某).

There is no Chinese NER model that installs offline here, so names are found by rules over a
surname list with jieba's dictionary as a veto: a candidate that jieba knows as a common word
(高血压, 周围) is not a name. A name found once is then found everywhere else in the document.
"""

from __future__ import annotations

from functools import cache

import regex

from medaudit.privacy import lexicon
from medaudit.privacy.recognizers.base import ChineseRuleRecognizer

HAN = r"\p{Han}"


@cache
def _word_tags() -> dict[str, str]:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba.posseg.dt.word_tag_tab  # type: ignore[no-any-return]


class PersonRecognizer(ChineseRuleRecognizer):
    """Names after a label (患者/姓名/家属…), before a title (女士/先生/医生…), and X某 forms."""

    ENTITY = "PERSON"

    def __init__(self) -> None:
        super().__init__()
        cfg = lexicon.load("names")
        surnames = cfg["surnames"].replace(" ", "")
        self.surnames = set(surnames) | set(cfg["compound_surnames"])
        sur = "(?:" + lexicon.alternation(cfg["compound_surnames"]) + f"|[{surnames}])"
        self.stop = set(cfg["stop_chars"].replace(" ", "").replace("\n", ""))
        self.deny = set(cfg["deny"])
        self.not_names = set(cfg["not_names"])
        self.title_in_span = bool(cfg.get("title_in_span", False))
        prefix = lexicon.alternation(cfg["prefixes"])
        titles = lexicon.alternation([t for t in cfg["titles"] if not t.startswith("某")])
        self.strong = {"姓名", "患者姓名", "病人姓名", "签名", "医师签名", "患者签名", "家属签名",
                       "医生签名"}
        self.re_prefix = regex.compile(
            rf"(?P<label>{prefix})\s*[:：]?\s*(?P<name>{sur}(?:[某xX*＊]{{1,2}}|{HAN}{{1,2}}))")
        self.re_pseudo = regex.compile(rf"{sur}[某xX*＊]{{1,2}}")
        self.re_title = regex.compile(rf"(?P<name>{sur}{HAN}{{0,2}}?)(?P<title>{titles})")

    def _trim(self, name: str) -> str:
        """Cut the given name at the first character that cannot be part of it."""
        cut = 1 if name[:2] not in self.surnames else 2
        for i in range(cut, len(name)):
            if name[i] in self.stop:
                return name[:i]
        return name

    def _is_word(self, cand: str) -> bool:
        """True when `cand` or a prefix of it is a common (non-name) dictionary word."""
        tags = _word_tags()
        for n in range(2, len(cand) + 1):
            part = cand[:n]
            if part in self.not_names:
                return True
            tag = tags.get(part)
            if tag is not None and not tag.startswith("nr"):
                return True
        return False

    def find(self, text: str) -> list[tuple[int, int, float]]:
        spans: dict[tuple[int, int], float] = {}
        full_names: set[str] = set()
        for m in self.re_prefix.finditer(text, overlapped=True):
            name = m.group("name")
            if not any(c in "某xX*＊" for c in name):
                name = self._trim(name)
            if len(name) < 2 or name in self.deny:
                continue
            strong = m.group("label") in self.strong
            if not strong and self._is_word(name):
                continue
            start = m.start("name")
            spans[(start, start + len(name))] = 0.85 if strong else 0.75
            if "某" not in name:
                full_names.add(name)
        for m in self.re_pseudo.finditer(text):
            spans.setdefault((m.start(), m.end()), 0.8)
        for m in self.re_title.finditer(text):
            name = m.group("name")
            if name in self.deny or (len(name) >= 2 and self._is_word(name)):
                continue
            if any(c in self.stop for c in name[1:]):
                continue
            end = m.end() if self.title_in_span else m.end("name")
            spans.setdefault((m.start(), end), 0.7)
            if len(name) >= 2:
                full_names.add(name)
        for name in full_names:
            for m in regex.finditer(regex.escape(name), text):
                spans.setdefault((m.start(), m.end()), 0.7)
        return [(s, e, score) for (s, e), score in sorted(spans.items())]
