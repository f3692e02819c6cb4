"""Lexical building blocks of answer extraction: the vocabulary file, letter and verdict scanners.

Why a separate module: the rules in `extract_rules.py` stay declarative (a pattern, a description,
examples), while the character-level decisions that every rule shares live here, once: what a
letter group is ("B", "ACD", "A、C、D", "A和C"), when "A" is the English article ("A patient…"),
when "B" is part of a medical term ("B超", "A型血"), and how 正确/错误 map to option letters.

All functions work on the NFKC-normalised answer region prepared by `extract.py`; positions are
indexes into that normalised text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Literal

import yaml

ItemType = Literal["single", "multi", "judge"]
ITEM_TYPES: tuple[ItemType, ...] = ("single", "multi", "judge")
VOCAB_FILE = "extract_rules.yaml"


@dataclass(frozen=True)
class Context:
    """What every rule sees: the normalised answer region and the item's option letters."""

    text: str
    letters: frozenset[str]
    option_keys: Mapping[str, str]  # letter -> comparison key of the option text (see `text_key`)
    item_type: ItemType
    positive: str  # the judge letter that means 正确
    negative: str  # the judge letter that means 错误


@dataclass(frozen=True)
class Hit:
    """One place where a rule found an answer: a span of the normalised text and its letters."""

    start: int
    end: int
    letters: str  # sorted, deduplicated, uppercase


@lru_cache(maxsize=1)
def vocab() -> dict[str, tuple[str, ...]]:
    """Load the phrase lists once; every list must hold non-empty strings (YAML turns a bare `no`
    into False, which would silently drop a phrase)."""
    raw = resources.files("medaudit.eval").joinpath(VOCAB_FILE).read_text(encoding="utf-8")
    data = yaml.safe_load(raw)
    lists: dict[str, tuple[str, ...]] = {}
    for key, value in data.items():
        if key == "version":
            continue
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise ValueError(f"{VOCAB_FILE}: '{key}' must be a list of non-empty strings")
        lists[key] = tuple(value)
    return lists


def alternation(phrases: Iterable[str]) -> str:
    """A regex alternation of literal phrases, longest first (so 应选择 beats 应选 beats 选).

    A space inside a phrase matches any run of whitespace, and a colon may follow markdown
    emphasis ("**答案**：D"). The list comes from data and is joined here, so two phrases can never
    be concatenated by accident.
    """
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    escaped = (re.escape(p).replace(r"\ ", r"\s+").replace(":", r"[*_ \t]*:") for p in ordered)
    return "(?:" + "|".join(escaped) + ")"


_NOT_WORD = re.compile(r"[\W_]+")


def text_key(text: str) -> str:
    """Comparison key for option texts: case-folded, without whitespace or punctuation."""
    return _NOT_WORD.sub("", text.casefold())


# Between letters of one group: 、 , / & + 和 与 及 以及 或, English and/or, or plain spaces.
_SEP = re.compile(r"\s*(?:[、,/&+]|以及|和|与|及|或)\s*|\s+(?:and|or)\s+|[ \t]+")
_RUN = re.compile(r"[A-Za-z]+")


@lru_cache(maxsize=1)
def _article_tail() -> re.Pattern[str]:
    """A lower-case word after "A"/"I" that is not one of the allowed verbs/conjunctions."""
    allowed = alternation(vocab()["article_exceptions"])
    return re.compile(rf"[ \t]+(?!{allowed}\b)[a-z]")


def _valid_run(run: str, letters: frozenset[str], allow_lower: bool) -> bool:
    """A run is one letter ("B", or "b" where allowed) or several distinct capitals ("ACD")."""
    if len(run) == 1:
        return run in letters or (allow_lower and run.islower() and run.upper() in letters)
    return run.isupper() and len(set(run)) == len(run) and all(c in letters for c in run)


@lru_cache(maxsize=1)
def _blocked_suffix() -> re.Pattern[str]:
    return re.compile(r"[0-9]|" + alternation(vocab()["letter_blocked_suffixes"]))


def scan_letters(ctx: Context, pos: int, *, allow_lower: bool = True) -> tuple[str, int] | None:
    """Read the letter group that starts exactly at `pos`; return (letters, end) or None.

    A run of letters that is a word ("Let's", "CT", "patient") is not a group. The group stops at
    the first run that is not an option letter ("C and I agree" reads C). The English article
    ("A patient…", "a doctor") and medical terms ("B超", "A型", "B12") are rejected.
    """
    text = ctx.text
    if pos > 0 and text[pos - 1].isascii() and text[pos - 1].isalpha():
        return None
    first = _RUN.match(text, pos)
    if first is None or not _valid_run(first.group(), ctx.letters, allow_lower):
        return None
    found = list(first.group().upper())
    end = first.end()
    while True:
        sep = _SEP.match(text, end)
        if sep is None or sep.end() == end:
            break
        run = _RUN.match(text, sep.end())
        if run is None or not _valid_run(run.group(), ctx.letters, allow_lower):
            break
        found.extend(run.group().upper())
        end = run.end()
    if _blocked_suffix().match(text, end):
        return None
    if end - pos == 1 and text[pos] in "AaIi" and _article_tail().match(text, end):
        return None
    return "".join(sorted(set(found))), end


@lru_cache(maxsize=2)
def verdict_re(strong_only: bool = False) -> re.Pattern[str]:
    """正确/错误/对/错/√/× (and, unless `strong_only`, 是/否/yes/no), optionally negated."""
    v = vocab()
    weak = set(v["judge_weak"]) if strong_only else set()
    positive = alternation(w for w in v["judge_positive"] if w not in weak)
    negative = alternation(w for w in v["judge_negative"] if w not in weak)
    return re.compile(
        rf"(?P<neg>{alternation(v['judge_negators'])})?(?:(?P<pos>{positive})|(?P<negw>{negative}))"
        r"(?:的)?(?!\w)",
        re.IGNORECASE,
    )


def scan_verdict(ctx: Context, pos: int, *, strong_only: bool = False) -> tuple[str, int] | None:
    """Read a judge verdict (正确/错误/对/错/√/×, with 不/并非 flipping it) at `pos`."""
    if pos > 0 and ctx.text[pos - 1].isascii() and ctx.text[pos - 1].isalnum():
        return None
    m = verdict_re(strong_only).match(ctx.text, pos)
    if m is None:
        return None
    positive = (m.group("pos") is not None) != (m.group("neg") is not None)
    return (ctx.positive if positive else ctx.negative), m.end()


def scan_value(ctx: Context, pos: int) -> tuple[str, int] | None:
    """A letter group, or for judge items also a verdict word."""
    got = scan_letters(ctx, pos)
    if got is None and ctx.item_type == "judge":
        got = scan_verdict(ctx, pos)
    return got


@lru_cache(maxsize=1)
def _verdict_keys() -> tuple[frozenset[str], frozenset[str]]:
    v = vocab()
    return (frozenset(k for k in map(text_key, v["judge_positive"]) if k),
            frozenset(k for k in map(text_key, v["judge_negative"]) if k))


def judge_letters(options: Mapping[str, str]) -> tuple[str, str]:
    """Which letters mean 正确 and 错误, read from the option texts; A and B when unrecognised."""
    pos_keys, neg_keys = _verdict_keys()
    positive = next((k for k, t in options.items() if text_key(t) in pos_keys), "A")
    negative = next((k for k, t in options.items() if text_key(t) in neg_keys), "B")
    if positive == negative:
        return "A", "B"
    return positive, negative


_CLAUSE_STOP = re.compile(r"[\n,，.。;；:!！?？、]")


@lru_cache(maxsize=1)
def _negation_re() -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = vocab()["negations"]
    cjk = [w for w in words if not w.isascii()]
    latin = [w for w in words if w.isascii()]
    return re.compile(alternation(cjk)), re.compile(alternation(latin), re.IGNORECASE)


def negated_before(text: str, pos: int) -> bool:
    """True when a negation or a hypothesis closely precedes `pos` ("不选A", "if I choose A")."""
    cjk, latin = _negation_re()
    start = max(0, pos - 8)
    for stop in _CLAUSE_STOP.finditer(text, start, pos):
        start = stop.end()  # a negation in an earlier clause does not count: "不是，应该选E"
    return bool(cjk.search(text, max(start, pos - 3), pos) or latin.search(text, start, pos))


@lru_cache(maxsize=1)
def _hypothetical_re() -> re.Pattern[str]:
    return re.compile(r"\s*(?:选项|项)?\s*" + alternation(vocab()["hypothetical_suffixes"]))


def hypothetical_after(text: str, end: int) -> bool:
    """True when the letter is asked about rather than stated: "答案是A吗？", "选A还是B"."""
    return _hypothetical_re().match(text, end) is not None
