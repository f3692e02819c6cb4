"""PERSON: Chinese personal names found by a label word, a title, or a pseudonym (王某).

There is no Chinese NER model that installs offline here, so names are found by rules over a
surname list, with jieba as a helper: its segmentation decides where a name ends when no
punctuation does (蔡文|介绍), and its dictionary vetoes common words (高血压, 周围). A name found
once is then found everywhere else in the document.
"""

from __future__ import annotations

from functools import cache

import regex

from medaudit.privacy import lexicon
from medaudit.privacy.recognizers.base import ChineseRuleRecognizer

HAN = r"\p{Han}"
DELIM = "，,。；;、\u3000 \t\n（(）)：:！!？?"
PSEUDO = "某xX*＊"
# jieba part-of-speech tags of words that cannot be a given name (verbs, adverbs, particles…).
FUNCTION_TAGS = ("v", "d", "p", "c", "u", "f", "m", "q", "r", "t", "y", "e", "o")


@cache
def _jieba() -> object:
    import jieba
    import jieba.posseg

    jieba.setLogLevel(60)
    return jieba


def _word_tags() -> dict[str, str]:
    return _jieba().posseg.dt.word_tag_tab  # type: ignore[attr-defined]


def _cut(text: str) -> list[str]:
    return _jieba().lcut(text, HMM=True)  # type: ignore[attr-defined]


class ZhPersonRecognizer(ChineseRuleRecognizer):
    """Names after a label (患者/姓名/家属…), before a title (女士/医生…), X某 forms, speakers."""

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
        self.strong = {"姓名", "患者姓名", "病人姓名", "患儿姓名", "签名", "医师签名", "患者签名",
                       "家属签名", "医生签名", "Name", "Patient"}
        sep = r"\s*(?:[（(][^）)\n]{1,6}[）)])?\s*[:：]?\s*"
        self.re_prefix = regex.compile(
            rf"(?P<label>{prefix}){sep}(?P<name>{sur}(?:[{PSEUDO}]{{1,2}}|{HAN}{{1,3}})|{HAN}{{2,4}})")
        # Bare 王某/王某某 anywhere; 王*/王XX only after a label (a mask of **** is not a name).
        self.re_pseudo = regex.compile(rf"{sur}某{{1,2}}")
        self.re_title = regex.compile(titles)
        self.re_titles = self.re_title
        self.re_sex = regex.compile(
            rf"(?<![\p{{Han}}])(?P<name>{sur}{HAN}{{1,2}})(?=[，,\s　]+[男女][，,\s　])")
        self.re_speaker = regex.compile(
            rf"(?m)^(?:\[[^\]\n]{{0,24}}\]\s*)?(?P<name>{sur}{HAN}{{1,2}})(?=[:：])")
        self.re_alone = regex.compile(rf"(?m)^\s*(?P<name>{sur}{HAN}{{1,2}})\s*$")
        self.re_dotted = regex.compile(r"(?<![\p{Han}])\p{Han}{2,6}[·•]\p{Han}{2,8}")
        self.re_initials = regex.compile(
            rf"(?<={lexicon.alternation(cfg['initials_labels'])}\s*[:：]\s*)[A-Z]{{2,4}}(?![A-Za-z])")

    # ------------------------------------------------------------------ helpers
    def _starts_with_surname(self, name: str) -> bool:
        return name[:1] in self.surnames or name[:2] in self.surnames

    def _trim(self, name: str) -> str:
        """Cut the given name at the first character that cannot be part of it."""
        cut = 2 if name[:2] in self.surnames else 1
        for i in range(cut, len(name)):
            if name[i] in self.stop:
                return name[:i]
        return name

    def _cut_title(self, name: str) -> str:
        """任先生 → 任: a title inside a candidate ends the name."""
        m = self.re_titles.search(name, 1)
        if m is None or self.title_in_span:
            return name
        return name[:m.start()]

    def _is_word(self, cand: str, *, prefixes: bool = True) -> bool:
        """True when `cand` (or, with `prefixes`, a prefix of it) is a common non-name word."""
        tags = _word_tags()
        parts = [cand[:n] for n in range(2, len(cand) + 1)] if prefixes else [cand]
        for part in parts:
            if part in self.not_names:
                return True
            tag = tags.get(part)
            if tag is not None and not tag.startswith("nr"):
                return True
        return False

    def _segment(self, text: str, start: int) -> str:
        """The name starting at `start`, ended where jieba ends it (蔡文|介绍了)."""
        toks = _cut(text[start:start + 8])
        if not toks:
            return ""
        first = toks[0]
        if len(toks) > 1:
            second = toks[1]
            # 王|芳 (surname alone) takes one or two more characters; 刘家|婷 one more.
            room = 2 if first in self.surnames else (1 if len(first) == 2 else 0)
            tag = _word_tags().get(second, "")
            if 1 <= len(second) <= room and not any(c in self.stop for c in second) and \
                    regex.fullmatch(r"\p{Han}+", second) and second not in self.not_names and \
                    not tag.startswith(FUNCTION_TAGS):
                first += second
        return first if len(first) <= 4 else ""

    def _delimited(self, text: str, end: int) -> bool:
        return end >= len(text) or text[end] in DELIM

    # ------------------------------------------------------------------ rules
    def _label_names(self, text: str, spans: dict[tuple[int, int], float],
                     full: set[str]) -> None:
        for m in self.re_prefix.finditer(text, overlapped=True):
            raw, start = m.group("name"), m.start("name")
            if raw[1:2] in PSEUDO and self._starts_with_surname(raw):
                spans.setdefault((start, start + len(raw)), 0.8)
                continue
            colon = any(c in text[m.end("label"):start] for c in ":：")
            strong = m.group("label") in self.strong or colon
            name = ""
            if m.group("label") in self.strong or (colon and self._starts_with_surname(raw)):
                # A field value: the name runs to the next delimiter (扎西顿珠, 其木格).
                for n in range(min(4, len(raw)), 1, -1):
                    if self._delimited(text, start + n) and text[start + n:start + n + 1] not in \
                            (":", "：") and not any(c in self.stop for c in raw[1:n]):
                        name = raw[:n]
                        break
            if not name and self._starts_with_surname(raw):
                name = self._segment(text, start)
                if name and not strong and self._is_word(name, prefixes=False):
                    name = ""
            name = self._cut_title(self._trim(name)) if name else ""
            if len(name) < 2 or name in self.deny or name in self.not_names:
                continue
            spans[(start, start + len(name))] = 0.85 if strong else 0.75
            full.add(name)

    def _title_names(self, text: str, spans: dict[tuple[int, int], float],
                     full: set[str]) -> None:
        for m in self.re_title.finditer(text):
            left = text[max(0, m.start() - 4):m.start()]
            if not left:
                continue
            toks = _cut(left)
            # The token just before the title is the name (谢谢|王|护士, 交班|医师).
            acc, before, prev = "", "", ""
            for tok in toks:
                if len(acc) + len(tok) > len(left):
                    break
                acc += tok
                prev, before = before, tok
            # 王|秀英女士: jieba splits the surname off an unknown given name.
            if not self._starts_with_surname(before) and prev in self.surnames and \
                    len(before) <= 2 and not self._is_word(before, prefixes=False):
                before = prev + before
            if len(acc) != len(left) or not before or not self._starts_with_surname(before):
                continue
            if len(before) > 3 or any(c in self.stop for c in before[1:]):
                continue
            if len(before) >= 2 and self._is_word(before):
                continue
            if len(before) == 1 and self._is_word(left[-2:] if len(left) >= 2 else before,
                                                  prefixes=False):
                continue
            if before in self.deny:
                continue
            start = m.start() - len(before)
            end = m.end() if self.title_in_span else m.start()
            spans.setdefault((start, end), 0.7)
            if len(before) >= 2:
                full.add(before)

    def find(self, text: str) -> list[tuple[int, int, float]]:
        spans: dict[tuple[int, int], float] = {}
        full: set[str] = set()
        self._label_names(text, spans, full)
        for m in self.re_pseudo.finditer(text):
            spans.setdefault((m.start(), m.end()), 0.8)
        self._title_names(text, spans, full)
        for rx, score in ((self.re_sex, 0.8), (self.re_speaker, 0.7), (self.re_alone, 0.7)):
            for m in rx.finditer(text):
                name = self._cut_title(self._trim(m.group("name")))
                if len(name) < 2 or name in self.deny or self._is_word(name, prefixes=False):
                    continue
                start = m.start("name")
                spans.setdefault((start, start + len(name)), score)
                full.add(name)
        for m in self.re_dotted.finditer(text):
            if regex.search(r"[诊问医科院图文网站药店号]", m.group()):
                continue
            spans.setdefault((m.start(), m.end()), 0.8)
            full.add(m.group())
        for m in self.re_initials.finditer(text):
            spans.setdefault((m.start(), m.end()), 0.8)
        for name in full:
            for m in regex.finditer(regex.escape(name), text):
                spans.setdefault((m.start(), m.end()), 0.7)
        return _drop_nested(spans)


def _drop_nested(spans: dict[tuple[int, int], float]) -> list[tuple[int, int, float]]:
    """Keep the longest of overlapping spans (the engine would, but Presidio users benefit too)."""
    out: list[tuple[int, int, float]] = []
    for (s, e), score in sorted(spans.items(), key=lambda kv: (kv[0][0], -kv[0][1])):
        if out and s < out[-1][1]:
            continue
        out.append((s, e, score))
    return out
