"""Answer extraction: the table of cases, every rule's own examples, the vocabulary, and robustness.

The table (tests/data/extraction_cases.jsonl) is the behavioural contract; the rule examples pin
each rule in isolation, so a regression says which rule broke; the vocabulary test catches a
phrase that no longer fires (the OpenCompass missing-comma class of bug).
"""

from __future__ import annotations

import json
import random
import unicodedata
from pathlib import Path
from typing import Any, cast

import pytest

from medaudit.eval.extract import (
    RULE_AMBIGUOUS,
    RULE_NAMES,
    RULE_NONE,
    RULE_REFUSAL,
    RULES,
    Extraction,
    apply_rule,
    extract_answer,
)
from medaudit.eval.extract_lex import ItemType, vocab
from medaudit.eval.extract_rules import EXAMPLE_OPTIONS, JUDGE_OPTIONS, Rule

CASES_FILE = Path(__file__).resolve().parents[2] / "data" / "extraction_cases.jsonl"
PSEUDO_RULES = {RULE_NONE, RULE_REFUSAL, RULE_AMBIGUOUS}


def _load_cases() -> list[dict[str, Any]]:
    cases = []
    for number, line in enumerate(CASES_FILE.read_text(encoding="utf-8").splitlines(), 1):
        if line.strip():
            case = json.loads(line)
            case["line"] = number
            cases.append(case)
    return cases


CASES = _load_cases()


def _options(case: dict[str, Any]) -> dict[str, str]:
    if case.get("options"):
        return dict(case["options"])
    return dict(JUDGE_OPTIONS) if case["type"] == "judge" else dict(EXAMPLE_OPTIONS)


def _case_id(case: dict[str, Any]) -> str:
    return f"L{case['line']:03d}-{case['type']}-{case['note'][:40]}"


def test_case_table_is_large_and_well_formed() -> None:
    assert len(CASES) >= 180
    allowed = {"response", "type", "options", "letters", "refused", "rule", "note", "line"}
    for case in CASES:
        assert set(case) <= allowed, case["line"]
        assert case["type"] in ("single", "multi", "judge"), case["line"]
        assert isinstance(case["refused"], bool) and case["note"], case["line"]
        assert case.get("rule") is None or case["rule"] in set(RULE_NAMES) | PSEUDO_RULES
        if case["refused"]:
            assert case["letters"] is None, case["line"]


def test_case_table_covers_every_rule_and_outcome() -> None:
    fired = {case.get("rule") for case in CASES}
    assert set(RULE_NAMES) | PSEUDO_RULES <= fired
    assert {case["type"] for case in CASES} == {"single", "multi", "judge"}


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_extraction_case(case: dict[str, Any]) -> None:
    got = extract_answer(case["response"], _options(case), case["type"])
    expected = (case["letters"], case["refused"], case.get("rule", got.rule))
    assert (got.letters, got.refused, got.rule) == expected, f"{case['note']}: {got}"


@pytest.mark.parametrize("case", [c for c in CASES if c["letters"] or c["refused"]], ids=_case_id)
def test_span_points_into_the_original_response(case: dict[str, Any]) -> None:
    got = extract_answer(case["response"], _options(case), case["type"])
    assert got.span is not None
    start, end = got.span
    assert 0 <= start < end <= len(case["response"])
    assert case["response"][start:end].strip() == case["response"][start:end]
    if got.letters and case["type"] != "judge" and got.rule != "option_text":
        quoted = unicodedata.normalize("NFKC", case["response"][start:end]).upper()
        assert all(letter in quoted for letter in got.letters)


def test_full_width_span_is_reported_in_the_original_string() -> None:
    response = "解析略。\n答案：Ｂ"
    got = extract_answer(response, EXAMPLE_OPTIONS, "single")
    assert got == Extraction("B", "answer_is", (5, 9))
    assert response[5:9] == "答案：Ｂ"


def test_span_skips_the_thinking_block() -> None:
    response = "<think>答案：A</think>\n答案：C"
    got = extract_answer(response, EXAMPLE_OPTIONS, "single")
    assert got.letters == "C" and got.span is not None
    assert response[got.span[0]:got.span[1]] == "答案：C"


# --- the rules themselves ----------------------------------------------------------------------


def test_rule_names_are_unique_and_not_reserved() -> None:
    assert len(RULE_NAMES) == len(set(RULE_NAMES))
    assert not set(RULE_NAMES) & PSEUDO_RULES
    assert all(rule.description and rule.positives and rule.negatives for rule in RULES)


def _rule_examples(kind: str) -> list[tuple[Rule, str, str | None]]:
    if kind == "positive":
        return [(rule, text, letters) for rule in RULES for text, letters in rule.positives]
    return [(rule, text, None) for rule in RULES for text in rule.negatives]


def _example_id(example: tuple[Rule, str, str | None]) -> str:
    return f"{example[0].name}:{example[1][:24]!r}"


@pytest.mark.parametrize("example", _rule_examples("positive"), ids=_example_id)
def test_rule_fires_on_its_positive_examples(example: tuple[Rule, str, str | None]) -> None:
    rule, text, letters = example
    assert letters is not None
    options = JUDGE_OPTIONS if rule.example_type == "judge" else EXAMPLE_OPTIONS
    item_type = "multi" if len(letters) > 1 else rule.example_type
    got = apply_rule(rule, text, options, item_type)
    assert got is not None and got.letters == letters and got.rule == rule.name, got


@pytest.mark.parametrize("example", _rule_examples("negative"), ids=_example_id)
def test_rule_stays_silent_on_its_negative_examples(example: tuple[Rule, str, str | None]) -> None:
    rule, text, _ = example
    options = JUDGE_OPTIONS if rule.example_type == "judge" else EXAMPLE_OPTIONS
    assert apply_rule(rule, text, options, rule.example_type) is None


# --- the vocabulary: every phrase fires on its own ---------------------------------------------


def _cue_cases() -> list[tuple[str, str, str, str]]:
    """(vocabulary list, phrase, response, expected rule) for every cue and verb phrase."""
    v = vocab()
    cases = [("final_cues", p, f"{p} B}}", "final_answer") for p in v["final_cues"]]
    cases += [("conclusion_markers", p, f"{p}, 答案是B", "final_answer")
              for p in v["conclusion_markers"]]
    cases += [("answer_cues", p, f"{p} B", "answer_is") for p in v["answer_cues"]]
    cases += [("choose_verbs", p, f"{p} B", "choose") for p in v["choose_verbs"]]
    return cases


@pytest.mark.parametrize("cue", _cue_cases(), ids=lambda c: f"{c[0]}:{c[1]}")
def test_every_vocabulary_phrase_fires(cue: tuple[str, str, str, str]) -> None:
    _, _, response, rule = cue
    got = extract_answer(response, EXAMPLE_OPTIONS, "single")
    assert (got.letters, got.rule) == ("B", rule), got


@pytest.mark.parametrize("phrase", vocab()["refusal_phrases"])
def test_every_refusal_phrase_refuses(phrase: str) -> None:
    got = extract_answer(f"{phrase}，这个问题需要面诊。", EXAMPLE_OPTIONS, "single")
    assert got.refused and got.rule == RULE_REFUSAL and got.letters is None


@pytest.mark.parametrize("suffix", vocab()["letter_blocked_suffixes"])
def test_every_blocked_suffix_blocks_the_letter(suffix: str) -> None:
    got = extract_answer(f"答案：B{suffix}", EXAMPLE_OPTIONS, "single")
    assert got.letters is None


def test_vocabulary_lists_hold_only_non_empty_strings() -> None:
    for name, phrases in vocab().items():
        assert phrases, name
        assert all(isinstance(p, str) and p.strip() for p in phrases), name


# --- robustness --------------------------------------------------------------------------------

WEIRD = [
    "", " ", "\n\n\t", "\x00\x01\x02答案：B\x7f", "答案：" * 5000, "A" * 10_000, "B、" * 3000,
    "😀" * 2000 + "答案：C", "\u200b\u200d\ufeff", "<think>" * 100, "</think>" * 100,
    "<think></think>" * 50 + "D", "答案：\ud800", "**" * 4000, "(((((" * 1000 + "B",
    "答案：" + "A或" * 2000 + "C", "\r\n".join(["A. 错误"] * 2000), "Ａ" * 5000,
    "ﬁ" * 100 + "答案：B",
    "选" * 8000, "综上" * 3000 + "选", "说法" * 3000 + "正确",
]


def _check(result: Extraction, response: str, options: dict[str, str], item_type: str) -> None:
    assert isinstance(result, Extraction)
    if result.letters is not None:
        assert result.letters == "".join(sorted(set(result.letters)))
        assert set(result.letters) <= set(options)
        assert item_type == "multi" or len(result.letters) == 1
    if result.span is not None:
        assert 0 <= result.span[0] < result.span[1] <= len(response)
    assert result.refused == (result.rule == RULE_REFUSAL)


@pytest.mark.parametrize("item_type", ["single", "multi", "judge"])
@pytest.mark.parametrize("response", WEIRD, ids=lambda r: repr(r[:16]))
def test_never_raises_on_weird_input(response: str, item_type: str) -> None:
    options = JUDGE_OPTIONS if item_type == "judge" else EXAMPLE_OPTIONS
    _check(extract_answer(response, options, cast(ItemType, item_type)), response, options,
           item_type)


def test_never_raises_on_random_text() -> None:
    """Seeded random strings over an alphabet of the characters the rules care about."""
    alphabet = list("ABCDEabcdeILT答案是为选择故综上正确错误对不√×:：()（）【】*_ \n.,、和或")
    alphabet += ["<think>", "</think>", "Answer: ", "最终答案", "😀", "\x00", "Ａ", "作为AI"]
    rng = random.Random(20240607)
    for _ in range(2000):
        response = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        item_type = rng.choice(["single", "multi", "judge"])
        options = JUDGE_OPTIONS if item_type == "judge" else EXAMPLE_OPTIONS
        _check(extract_answer(response, options, cast(ItemType, item_type)), response, options,
               item_type)


def test_never_raises_on_arbitrary_unicode() -> None:
    hypothesis = pytest.importorskip("hypothesis")
    strategies = pytest.importorskip("hypothesis.strategies")

    @hypothesis.settings(max_examples=300, deadline=None)
    @hypothesis.given(strategies.text(), strategies.sampled_from(["single", "multi", "judge"]))
    def run(response: str, item_type: str) -> None:
        options = JUDGE_OPTIONS if item_type == "judge" else EXAMPLE_OPTIONS
        _check(extract_answer(response, options, cast(ItemType, item_type)), response, options,
               item_type)

    run()


def test_empty_options_fall_back_to_generic_letters() -> None:
    assert extract_answer("答案：E", {}, "single").letters == "E"
    assert extract_answer("答案：C", {}, "judge").letters is None
    assert extract_answer("错误", {}, "judge").letters == "B"


def test_unknown_item_type_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="item_type"):
        extract_answer("答案：B", EXAMPLE_OPTIONS, "essay")  # type: ignore[arg-type]
