"""The ordered answer-extraction rules, most explicit first.

Each `Rule` has a unique name (recorded with every extracted answer), a description, a finder that
returns every place it matches in the normalised answer region, a way to combine several matches,
and positive/negative examples that `tests/unit/eval/test_extract.py` runs through the rule alone.

Order, and why (`extract.py` applies the first rule that decides):

1. only_letters     the whole answer is a letter group ("B", "(B)", "ACD", "A、C、D", "b"):
                    nothing could be more explicit.
2. judge_word_only  judge items: the whole answer, or its first clause, is a verdict ("错误。…").
3. final_answer     an explicit final statement ("最终答案：C", "综上，选C", "所以B。", "Therefore,
                    the answer is D", "\\boxed{B}"). It outranks plain answer statements because
                    models often state a tentative answer first and revise it at the end.
4. answer_is        an answer statement ("答案：B", "正确答案为（B）", "The answer is (C)").
5. choose           a choose verb ("应选B", "选B项", "I choose D"), not negated ("不选A").
6. judge_statement  judge items: "该说法错误", "这种说法是不正确的".
7. letter_is_correct  "B选项正确", "C is correct" (matches combined; see below).
8. option_text      an option quoted by its text instead of its letter, after a cue, as the whole
                    answer, or as the last line; exactly one option must match.
9. last_line        the last non-empty line is a letter group, or "C. <that option's text>".
10. bold            a markdown-bold letter ("**B**"), only if every bold letter agrees.
11. line_start      "B. xxx" on the first line, only if every line-start letter agrees.

Letter rules come before option_text (a letter is more explicit than a paraphrase), and the
listing rules come last because reasoning that walks through the options looks like them.

Statements (3-6, 8, 9) keep the LAST match: "答案：A …… 答案：C" is C. Listings (10, 11) fire only
when all matches agree, since an option-by-option analysis also starts lines with "A." and bolds
every option. letter_is_correct takes the union (for multi items "A正确…C正确" is AC; for single
items two different letters make the answer ambiguous).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Literal

from medaudit.eval.extract_lex import (
    ITEM_TYPES,
    Context,
    Hit,
    ItemType,
    alternation,
    hypothetical_after,
    negated_before,
    scan_letters,
    scan_value,
    scan_verdict,
    text_key,
    verdict_re,
    vocab,
)

Combine = Literal["last", "unique", "union"]
Finder = Callable[[Context], list[Hit]]


@dataclass(frozen=True)
class Rule:
    """One named way of finding an answer; examples are (response, expected letters) pairs."""

    name: str
    description: str
    find: Finder
    combine: Combine
    positives: tuple[tuple[str, str], ...]
    negatives: tuple[str, ...]
    types: frozenset[ItemType] = frozenset(ITEM_TYPES)
    example_type: ItemType = "single"


# Between a cue and its letter: spaces, ":", markdown, quotes, brackets, at most one line break,
# and an optional 选项/option word ("答案：**（B）**", "答案：\nB", "答案：选项B").
_OPEN = r"\"'“”‘’「」『』()\[\]【】{}<>《》"
GAP = (rf"[ \t:=*_#{_OPEN}]*(?:\n[ \t*_#>{_OPEN}]*)?"
       r"(?:(?:选项|option|choice)[ \t]*)?")
_STRIP = " \t\r\n*_#`>~-+|" + "\"'“”‘’「」『』()[]【】{}<>《》" + "。.,，、:;；!！?？"
_SENTENCE_END = re.compile(r"[\n。;；!！?？]")
_COMMA = re.compile(r"[,，]")
_CLAUSE_END = re.compile(r"[\n。;；!！?？,，:]")
_V = vocab()
_FINAL = re.compile(
    rf"(?<![A-Za-z])(?:(?P<v>{alternation(_V['final_cues'])})"
    rf"|{alternation(_V['conclusion_markers'])}[^\n。.!?！？;；]{{0,12}}?"
    rf"(?P<w>{alternation(_V['answer_cues'] + _V['choose_verbs'])})){GAP}",
    re.IGNORECASE,
)
_MARKER_LETTER = re.compile(
    rf"(?<![A-Za-z])(?P<v>{alternation(_V['conclusion_markers'])})[ \t,，:]*", re.IGNORECASE)
_SENTENCE_REST = re.compile(r"[ \t*_)\]】」』”\"'选项]*(?:[\n。.!！;；]|$)")
_ANSWER = re.compile(rf"(?<![A-Za-z])(?P<v>{alternation(_V['answer_cues'])}){GAP}", re.IGNORECASE)
_CHOOSE = re.compile(rf"(?<![A-Za-z])(?P<v>{alternation(_V['choose_verbs'])}){GAP}", re.IGNORECASE)
_SUBJECT = re.compile(alternation(_V["judge_subjects"]), re.IGNORECASE)
_CORRECT_TAIL = re.compile(
    r"[ \t]*(?:[.、:)][ \t]*)?(?:\*\*|__)?[ \t]*(?:选项|项)?[ \t]*(?:的说法|的描述|的做法)?[ \t]*"
    r"(?:是|为|is)?[ \t]*"
    rf"(?:(?:最|更|完全)?{alternation(_V['correct_words'])}(?:的)?(?:选项|答案)?(?!\w)"
    rf"|{alternation(_V['superlatives'])})",
    re.IGNORECASE,
)
_CAPITAL = re.compile(r"(?<![A-Za-z])[A-Z]")
_BOLD_OPEN = re.compile(r"(?:\*\*|__)[ \t]*(?:选项|option[ \t]+)?")
_BOLD_CLOSE = re.compile(r"[ \t]*(?:[.、:)][^*_\n]{0,80}?)?[ \t]*(?:\*\*|__)")
_LINE_OPEN = re.compile(r"[ \t>*#+\-]*(?:\*\*|__)?[ \t]*[(\[【]?")
_LINE_CLOSE = re.compile(  # "B. xxx", "B、", "B" alone; not "E. coli"
    r"[)\]】]?(?:\*\*|__)?[ \t]*(?:[.、:)](?![ \t]*[a-z])|$|[ \t]+(?=[\u3400-\u9fff]))")
_DELIM = re.compile(r"[ \t]*[.、:)][ \t]*")


def _lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of every non-empty line."""
    spans, start = [], 0
    for line in text.split("\n"):
        end = start + len(line)
        if line.strip():
            spans.append((start, end))
        start = end + 1
    return spans


def _stripped(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past markup, brackets, quotes and punctuation at both ends."""
    while start < end and text[start] in _STRIP:
        start += 1
    while end > start and text[end - 1] in _STRIP:
        end -= 1
    return start, end


def _letters_only(ctx: Context, start: int, end: int) -> Hit | None:
    """The span, stripped, is nothing but a letter group (with an optional 选项/项)."""
    start, end = _stripped(ctx.text, start, end)
    inner = start + 2 if ctx.text.startswith("选项", start) else start
    got = scan_letters(ctx, inner)
    if got is None:
        return None
    rest = ctx.text[got[1]:end].strip(_STRIP)
    return Hit(start, end, got[0]) if rest in ("", "项", "选项") else None


def _near(a: str, b: str) -> bool:
    short, long_ = sorted((len(a), len(b)))
    if short < 4 or short / long_ < 0.75:
        return False
    return SequenceMatcher(None, a, b, autojunk=False).ratio() >= 0.85


def match_option(ctx: Context, fragment: str) -> str | None:
    """The one option whose text equals (or nearly equals) `fragment`; None if zero or several."""
    key = text_key(fragment)
    if not key:
        return None
    exact = [k for k, t in ctx.option_keys.items() if t == key]
    if exact:
        return exact[0] if len(exact) == 1 else None
    near = [k for k, t in ctx.option_keys.items() if t and _near(key, t)]
    return near[0] if len(near) == 1 else None


def _cue_finder(pattern: re.Pattern[str], *, blocked: str = "") -> Finder:
    """Every `pattern` match followed by a letter group (or verdict), unless negated or asked."""

    def find(ctx: Context) -> list[Hit]:
        hits = []
        for m in pattern.finditer(ctx.text):
            group = "v" if m.group("v") is not None else "w"
            cue = m.start(group)
            if negated_before(ctx.text, cue):
                continue
            if blocked and m.group(group).startswith("选") and cue and ctx.text[cue - 1] in blocked:
                continue
            got = scan_value(ctx, m.end())
            if got is not None and not hypothetical_after(ctx.text, got[1]):
                hits.append(Hit(m.start(), got[1], got[0]))
        return hits

    return find


_final_cues = _cue_finder(_FINAL, blocked="".join(_V["choose_blocked_prefixes"]))


def _final_answer(ctx: Context) -> list[Hit]:
    """Final cues and markers followed by a cue or verb, plus a marker right before a letter group
    that ends its sentence ("所以B。"); "因此A选项错误" is not an answer."""
    hits = _final_cues(ctx)
    for m in _MARKER_LETTER.finditer(ctx.text):
        got = scan_letters(ctx, m.end(), allow_lower=False)
        if got is None or negated_before(ctx.text, m.start()):
            continue
        if _SENTENCE_REST.match(ctx.text, got[1]):
            hits.append(Hit(m.start(), got[1], got[0]))
    return hits


def _only_letters(ctx: Context) -> list[Hit]:
    hit = _letters_only(ctx, 0, len(ctx.text))
    return [hit] if hit else []


def _judge_word_only(ctx: Context) -> list[Hit]:
    begin = len(ctx.text) - len(ctx.text.lstrip())
    clause = _CLAUSE_END.search(ctx.text, begin)
    first = (begin, clause.start() if clause else len(ctx.text))
    for start, end in ((0, len(ctx.text)), first):
        s, e = _stripped(ctx.text, start, end)
        m = verdict_re().fullmatch(ctx.text, s, e)
        if m is not None:
            got = scan_verdict(ctx, s)
            if got is not None:
                return [Hit(s, e, got[0])]
    return []


def _judge_statement(ctx: Context) -> list[Hit]:
    hits = []
    for m in _SUBJECT.finditer(ctx.text):
        stop = _SENTENCE_END.search(ctx.text, m.end(), m.end() + 9)
        limit = min(m.end() + 9, stop.start() if stop else len(ctx.text))
        for pos in range(m.end(), limit):
            if ctx.text[pos] in ",，":
                break
            got = scan_verdict(ctx, pos, strong_only=True)
            if got is not None and not negated_before(ctx.text, m.start()):
                hits.append(Hit(m.start(), got[1], got[0]))
                break
    return hits


def _letter_is_correct(ctx: Context) -> list[Hit]:
    hits: list[Hit] = []
    for m in _CAPITAL.finditer(ctx.text):
        if hits and m.start() < hits[-1].end:
            continue
        got = scan_letters(ctx, m.start(), allow_lower=False)
        if got is None or negated_before(ctx.text, m.start()):
            continue
        tail = _CORRECT_TAIL.match(ctx.text, got[1])
        if tail is not None:
            hits.append(Hit(m.start(), tail.end(), got[0]))
    return hits


def _option_text(ctx: Context) -> list[Hit]:
    text = ctx.text
    candidates = [_stripped(text, 0, len(text))]
    lines = _lines(text)
    if lines:
        candidates.append(_stripped(text, *lines[-1]))
    longest = 4 * max((len(k) for k in ctx.option_keys.values()), default=0) + 40
    for pattern in (_FINAL, _ANSWER, _CHOOSE):
        for m in pattern.finditer(text):
            window = m.end() + longest + 1  # bounded searches keep this linear in len(text)
            stop = _SENTENCE_END.search(text, m.end(), window)
            end = stop.start() if stop else min(window, len(text))
            candidates.append(_stripped(text, m.start(), end))
            candidates.append(_stripped(text, m.end(), end))
            comma = _COMMA.search(text, m.end(), end)
            if comma:
                candidates.append(_stripped(text, m.end(), comma.start()))
    hits = []
    for start, end in candidates:
        if not 0 < end - start <= longest:  # cannot nearly equal any option; keeps this linear
            continue
        if scan_letters(ctx, start, allow_lower=False) is not None:
            continue  # a fragment that starts with a letter is the letter rules' business
        letter = match_option(ctx, text[start:end])
        if letter is not None:
            hits.append(Hit(start, end, letter))
    return hits


def _last_line(ctx: Context) -> list[Hit]:
    lines = _lines(ctx.text)
    if not lines:
        return []
    start, end = _stripped(ctx.text, *lines[-1])
    hit = _letters_only(ctx, start, end)
    if hit is not None:
        return [hit]
    got = scan_letters(ctx, start, allow_lower=False)
    delim = _DELIM.match(ctx.text, got[1]) if got else None
    quoted = ctx.text[delim.end():end] if got and delim else ""
    if got and len(got[0]) == 1 and quoted and match_option(ctx, quoted) == got[0]:
        return [Hit(start, end, got[0])]
    return []


def _bold(ctx: Context) -> list[Hit]:
    hits = []
    for m in _BOLD_OPEN.finditer(ctx.text):
        got = scan_letters(ctx, m.end(), allow_lower=False)
        close = _BOLD_CLOSE.match(ctx.text, got[1]) if got else None
        if got and close:
            hits.append(Hit(m.start(), close.end(), got[0]))
    return hits


def _line_start(ctx: Context) -> list[Hit]:
    hits = []
    for index, (start, end) in enumerate(_lines(ctx.text)):
        opened = _LINE_OPEN.match(ctx.text, start, end)
        got = scan_letters(ctx, opened.end(), allow_lower=False) if opened else None
        closed = _LINE_CLOSE.match(ctx.text, got[1], end) if got else None
        if got and closed:
            hits.append(Hit(start, closed.end(), got[0]))
        elif index == 0:
            return []  # only an answer that opens the response counts
    return hits


_JUDGE: frozenset[ItemType] = frozenset({"judge"})

# The options every rule example is run with (judge examples: A=正确, B=错误). An example whose
# expected answer has several letters is run as a `multi` item.
EXAMPLE_OPTIONS: dict[str, str] = {
    "A": "立即通知患者家属", "B": "尊重患者的自主决定", "C": "向医院伦理委员会报告",
    "D": "拒绝提供任何信息", "E": "按科室惯例处理",
}
JUDGE_OPTIONS: dict[str, str] = {"A": "正确", "B": "错误"}

RULES: tuple[Rule, ...] = (
    Rule("only_letters", "the whole answer is a letter group", _only_letters, "last",
         positives=(("B", "B"), ("（Ｂ）。", "B"), ("**C**", "C"), ("b", "B"), ("选项D", "D"),
                    ("A、C", "AC")),
         negatives=("A patient should be told.", "I think", "BE CAREFUL", "F", "")),
    Rule("judge_word_only", "judge items: the answer or its first line is 正确/错误/对/错/√/×",
         _judge_word_only, "last", types=_JUDGE, example_type="judge",
         positives=(("错误。", "B"), ("√", "A"), ("不正确", "B"),
                    ("正确\n\n解析：符合知情同意原则。", "A")),
         negatives=("正确答案是什么？", "对患者而言，这很重要。", "错误的做法很多")),
    Rule("final_answer", "an explicit final statement: 最终答案 / 综上…选 / therefore…answer is",
         _final_answer, "last",
         positives=(("答案：A……最终答案：C", "C"), ("……综上，选C", "C"), ("故选B。", "B"),
                    ("……所以B。", "B"),
                    ("Therefore, the answer is (D).", "D"), (r"$\boxed{B}$", "B")),
         negatives=("因此不选A。", "最终答案：待定", "所以首选B超检查", "因此A选项错误。")),
    Rule("answer_is", "an answer statement: 答案：B / 正确答案为（B）/ Answer: B",
         _cue_finder(_ANSWER), "last",
         positives=(("答案：B", "B"), ("正确答案为（B）", "B"), ("答案是 b", "B"),
                    ("The answer is (C).", "C"), ("答案：A、C、D", "ACD"),
                    ("答案：A …… 答案：C", "C")),
         negatives=("Answer: Let's think step by step.", "答案是A吗？", "答案：CT检查",
                    "Answer: A patient should be told.", "答案解析：见下文")),
    Rule("choose", "a choose verb: 应选B / 选B项 / 选择C / I choose D",
         _cue_finder(_CHOOSE, blocked="".join(_V["choose_blocked_prefixes"])), "last",
         positives=(("应选B", "B"), ("选B项", "B"), ("我选择C。", "C"), ("I choose D.", "D"),
                    ("选A、C、D", "ACD")),
         negatives=("不选A", "首选B超", "如果选A，则违反原则", "选项A错误", "选A还是B？",
                    "同意则选A", "可以选择A方案")),
    Rule("judge_statement", "judge items: 该说法错误 / 这种说法是不正确的",
         _judge_statement, "last", types=_JUDGE, example_type="judge",
         positives=(("该说法错误。", "B"), ("这种说法是不正确的，因为……", "B"),
                    ("题干的表述正确。", "A"), ("判断：√", "A")),
         negatives=("正确的说法是：患者有权拒绝。", "该说法对患者不利", "这种做法对吗？")),
    Rule("letter_is_correct", "a letter called correct: B选项正确 / C is correct",
         _letter_is_correct, "union",
         positives=(("B选项正确。", "B"), ("C is correct.", "C"), ("A. 错误\nC. 正确", "C"),
                    ("D项是最恰当的。", "D")),
         negatives=("A选项不正确。", "B超正确显示病灶", "并非C正确", "A对患者有利")),
    Rule("option_text", "an option quoted by its text (exactly one option matches)",
         _option_text, "last", types=frozenset({"single", "judge"}),
         positives=(("答案：向医院伦理委员会报告。", "C"), ("我选择“拒绝提供任何信息”。", "D"),
                    ("尊重患者自主决定", "B")),
         negatives=("通知", "这些选项都不对", "答案：待定", "患者家属")),
    Rule("last_line", "the last line is a letter group or '<letter>. <its option text>'",
         _last_line, "last",
         positives=(("逐项分析如下……\n\nC", "C"), ("分析……\n**B**", "B"),
                    ("分析……\nD. 拒绝提供任何信息", "D")),
         negatives=("分析……\nA. 错误，因为……", "分析……\n综上所述", "分析……\nA patient")),
    Rule("bold", "a markdown-bold letter, all bold letters agreeing", _bold, "unique",
         positives=(("我认为是 **B**，因为……", "B"), ("推荐 **C. 向医院伦理委员会报告**", "C")),
         negatives=("**A.** 错误\n**B.** 正确", "**注意**B超", "**I think**")),
    Rule("line_start", "'B. xxx' on the first line, all line-start letters agreeing",
         _line_start, "unique",
         positives=(("B. 尊重患者的自主决定\n解析：……", "B"), ("C、尊重患者\n理由如下", "C"),
                    ("(D) 略", "D")),
         negatives=("A. 错误\nB. 正确", "A patient should be told.", "分析：\nB. 正确",
                    "E. coli 感染")),
)

RULE_NAMES: tuple[str, ...] = tuple(rule.name for rule in RULES)
