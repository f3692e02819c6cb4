"""Answer extraction with provenance: which letter(s) a free-text response chose, and why.

Every result names the rule that fired and the span of the ORIGINAL response it matched, so a
reviewer can check any extracted answer against the text. A response with no answer is never
scored as wrong by accident: it comes back with `letters=None` (rule "none", or "ambiguous", or
"refusal" with `refused=True`), and the scorer turns that into `unparsed` or `refused`. That is the
difference from lm-eval (a miss becomes "[invalid]", scored wrong) and inspect_ai (a miss is an
empty set, scored INCORRECT).

Pipeline:
1. Thinking is removed: the answer region is what follows the last `</think>`; an unclosed
   `<think>` ends the region, so a response that is all unfinished thinking is "none".
2. The region is NFKC-normalised (Ａ→A, ：→:, （→( ) into a copy with a map back to the original
   indexes; spans are always reported in the original string.
3. The rules of `extract_rules.RULES` run in order (most explicit first, see that module); the
   first rule that decides wins. Only letters among the item's options count ("Answer: Let's…" is
   not L; "作为AI" is not A; "CT" is not C).
4. For `single` and `judge` items a deciding statement that names several letters ("答案：A或C")
   is not a valid answer: letters None, rule "ambiguous", span = that statement. We do not fall
   back to weaker rules, because the model's own answer statement is what is ambiguous.
5. Only when no rule decides are refusal phrases (我无法 / 作为AI / 建议咨询医生 …) looked for: a
   clear choice always wins over a polite disclaimer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from medaudit.eval.extract_lex import (
    ITEM_TYPES,
    Context,
    Hit,
    ItemType,
    alternation,
    judge_letters,
    text_key,
    vocab,
)
from medaudit.eval.extract_rules import RULE_NAMES, RULES, Rule

__all__ = [
    "RULES",
    "RULE_AMBIGUOUS",
    "RULE_NAMES",
    "RULE_NONE",
    "RULE_REFUSAL",
    "Extraction",
    "apply_rule",
    "extract_answer",
]

RULE_NONE = "none"
RULE_REFUSAL = "refusal"
RULE_AMBIGUOUS = "ambiguous"
DEFAULT_LETTERS = "ABCDE"

_THINK_CLOSE = re.compile(r"</\s*think(?:ing)?\s*>", re.IGNORECASE)
_THINK_OPEN = re.compile(r"<\s*think(?:ing)?\s*>", re.IGNORECASE)


@dataclass(frozen=True)
class Extraction:
    """The answer found in one response.

    letters: sorted, deduplicated uppercase option letters ("B", "ACD"), or None if no answer.
    rule: the rule that fired; "refusal" when refused; "ambiguous" when the deciding statement
        named several letters for a single-answer item; "none" when nothing was found.
    span: (start, end) in the original response of the text the rule matched, or None.
    """

    letters: str | None
    rule: str
    span: tuple[int, int] | None
    refused: bool = False


_NOTHING = Extraction(None, RULE_NONE, None)


def answer_region(response: str) -> tuple[int, int] | None:
    """The part of `response` that can hold the answer, with thinking removed; None if empty."""
    start, end = 0, len(response)
    closes = list(_THINK_CLOSE.finditer(response))
    if closes:
        start = closes[-1].end()
    opened = _THINK_OPEN.search(response, start)
    if opened is not None:
        end = opened.start()
    if not response[start:end].strip():
        return None
    return start, end


def normalise(response: str, start: int, end: int) -> tuple[str, list[int]]:
    """NFKC-normalise response[start:end] one character at a time.

    Returns the normalised text and, for each of its characters, the index in `response` of the
    character it came from, so any span found in the copy maps back to the original.
    """
    parts: list[str] = []
    origin: list[int] = []
    for index in range(start, end):
        char = response[index]
        normal = unicodedata.normalize("NFKC", char) if not char.isascii() else char
        parts.append(normal)
        origin.extend([index] * len(normal))
    return "".join(parts), origin


def _context(text: str, options: Mapping[str, str], item_type: ItemType) -> Context:
    """Option letters (upper-cased, NFKC) and comparison keys; generic defaults when empty."""
    keyed: dict[str, str] = {}
    for key, value in options.items():
        letter = unicodedata.normalize("NFKC", str(key)).strip().upper()
        if len(letter) == 1 and "A" <= letter <= "Z":
            keyed[letter] = str(value) if value is not None else ""
    if not keyed and item_type == "judge":
        keyed = {"A": "正确", "B": "错误"}
    elif not keyed:
        keyed = dict.fromkeys(DEFAULT_LETTERS, "")
    positive, negative = judge_letters(keyed)
    return Context(
        text=text,
        letters=frozenset(keyed),
        option_keys={k: text_key(unicodedata.normalize("NFKC", v)) for k, v in keyed.items()},
        item_type=item_type,
        positive=positive,
        negative=negative,
    )


def _decide(rule: Rule, hits: list[Hit]) -> Hit | None:
    """Combine a rule's matches: the last one, the one they all agree on, or their union."""
    if not hits:
        return None
    hits = sorted(hits, key=lambda h: (h.start, h.end))
    if rule.combine == "last":
        return hits[-1]
    distinct = {h.letters for h in hits}
    if rule.combine == "unique":
        return hits[0] if len(distinct) == 1 else None
    union = "".join(sorted(set("".join(distinct))))
    return Hit(hits[0].start, max(h.end for h in hits), union)


def _to_extraction(rule: Rule, hit: Hit, origin: list[int], item_type: ItemType) -> Extraction:
    span = (origin[hit.start], origin[hit.end - 1] + 1) if hit.end > hit.start else None
    if item_type != "multi" and len(hit.letters) != 1:
        return Extraction(None, RULE_AMBIGUOUS, span)
    return Extraction(hit.letters, rule.name, span)


@lru_cache(maxsize=1)
def _refusal_re() -> re.Pattern[str]:
    return re.compile(alternation(vocab()["refusal_phrases"]), re.IGNORECASE)


def _prepare(response: str, options: Mapping[str, str],
             item_type: ItemType) -> tuple[Context, list[int]] | None:
    if item_type not in ITEM_TYPES:
        raise ValueError(f"item_type must be one of {ITEM_TYPES}, not {item_type!r}")
    region = answer_region(response)
    if region is None:
        return None
    text, origin = normalise(response, *region)
    return _context(text, options, item_type), origin


def apply_rule(rule: Rule, response: str, options: Mapping[str, str],
               item_type: ItemType) -> Extraction | None:
    """What `rule` alone decides for this response (None if it does not fire); used by tests."""
    prepared = _prepare(response, options, item_type)
    if prepared is None or item_type not in rule.types:
        return None
    ctx, origin = prepared
    hit = _decide(rule, rule.find(ctx))
    return None if hit is None else _to_extraction(rule, hit, origin, item_type)


def extract_answer(response: str, options: Mapping[str, str], item_type: ItemType) -> Extraction:
    """Find the option letter(s) a model's free-text `response` chose.

    `options` maps letters to option texts (letters outside it are never extracted; an empty
    mapping means A-E, or A=正确/B=错误 for judge items). Never raises on any string.
    """
    prepared = _prepare(response, options, item_type)
    if prepared is None:
        return _NOTHING
    ctx, origin = prepared
    for rule in RULES:
        if item_type not in rule.types:
            continue
        hit = _decide(rule, rule.find(ctx))
        if hit is not None:
            return _to_extraction(rule, hit, origin, item_type)
    refusal = _refusal_re().search(ctx.text)
    if refusal is not None:
        span = (origin[refusal.start()], origin[refusal.end() - 1] + 1)
        return Extraction(None, RULE_REFUSAL, span, refused=True)
    return _NOTHING
