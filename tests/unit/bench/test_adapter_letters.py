"""Option labels and keys as Chinese benchmarks write them (bench/adapters/letters.py)."""

from __future__ import annotations

import pytest

from medaudit.bench.adapters.letters import (
    index_to_letter,
    options_from_cell,
    options_from_list,
    options_from_mapping,
    parse_key,
    split_options_text,
    strip_label,
)


@pytest.mark.parametrize("raw, expected", [
    ("B", "B"), ("b", "B"), (" C ", "C"), ("ACD", "ACD"), ("A,C,D", "ACD"),
    ("A，C，D", "ACD"), ("ＡＣ", "AC"), ("Ａ，Ｃ", "AC"), ("C、A", "AC"), ("A C D", "ACD"),
    ("D;B", "BD"), ("A/B", "AB"),
])
def test_parse_key_normalises_to_sorted_letters(raw: str, expected: str) -> None:
    assert parse_key(raw) == expected


@pytest.mark.parametrize("raw, reason", [
    ("", "is empty"), (None, "is empty"), ("AX", "not a letter key"), ("答案B", "not a letter key"),
    ("AA", "repeats a letter"), ("K", "not a letter key"), ("1", "not a letter key"),
])
def test_parse_key_rejects_non_letters(raw: object, reason: str) -> None:
    with pytest.raises(ValueError, match=reason):
        parse_key(raw)


@pytest.mark.parametrize("text", [
    "A.阿司匹林", "A．阿司匹林", "A、阿司匹林", "A:阿司匹林", "A：阿司匹林",
    "(A)阿司匹林", "（A）阿司匹林", "【A】阿司匹林", "A)阿司匹林", "Ａ．阿司匹林",
    "Ａ、阿司匹林", "（Ａ）阿司匹林", "  A. 阿司匹林", "A .阿司匹林",
])
def test_strip_label_accepts_every_label_form(text: str) -> None:
    assert strip_label(text, "A") == "阿司匹林"


def test_space_label_only_when_allowed() -> None:
    assert strip_label("A 阿司匹林", "A") is None
    assert strip_label("A 阿司匹林", "A", allow_space=True) == "阿司匹林"
    assert strip_label("A型血", "A", allow_space=True) is None
    assert strip_label("B.阿司匹林", "A") is None


def test_list_of_unlabelled_options_keeps_text() -> None:
    assert options_from_list(["A 型血", "O 型血"]) == {"A": "A 型血", "B": "O 型血"}


def test_list_with_space_labels_in_order_is_stripped() -> None:
    assert options_from_list(["A 甲", "B 乙", "C 丙"]) == {"A": "甲", "B": "乙", "C": "丙"}


def test_list_with_mixed_label_forms() -> None:
    assert options_from_list(["A.甲", "B、乙", "(C)丙", "Ｄ．丁"]) == {
        "A": "甲", "B": "乙", "C": "丙", "D": "丁"}


def test_list_with_out_of_order_label_is_an_error() -> None:
    with pytest.raises(ValueError, match="option 2 is labelled 'C', expected 'B'"):
        options_from_list(["A.甲", "C.乙"])


def test_mapping_with_fullwidth_and_lowercase_labels() -> None:
    assert options_from_mapping({"ａ": "甲", "b": "乙"}) == {"A": "甲", "B": "乙"}
    with pytest.raises(ValueError, match="in order"):
        options_from_mapping({"A": "甲", "C": "乙"})


def test_block_with_continuation_lines() -> None:
    block = "A 阿司匹林\nB 布洛芬，\n饭后服用\nC 对乙酰氨基酚"
    assert options_from_cell(block) == {"A": "阿司匹林", "B": "布洛芬，\n饭后服用",
                                        "C": "对乙酰氨基酚"}


def test_block_line_starting_with_letter_but_no_separator_continues_option() -> None:
    block = "A.检查\nB超提示胆囊结石\nB.手术"
    assert options_from_cell(block) == {"A": "检查\nB超提示胆囊结石", "B": "手术"}


def test_python_list_literal_with_escaped_and_raw_newlines() -> None:
    assert options_from_cell("['A.甲\\n乙', 'B.丙']") == {"A": "甲\n乙", "B": "丙"}
    assert options_from_cell("['A.甲\n乙', 'B.丙']") == {"A": "甲\n乙", "B": "丙"}
    assert options_from_cell("['A.甲',\n 'B.丙']") == {"A": "甲", "B": "丙"}


def test_unparseable_list_literal_is_an_error() -> None:
    with pytest.raises(ValueError, match="cannot be parsed"):
        options_from_cell("['A.甲', 'B.丙'")


def test_block_with_text_before_first_option_is_an_error() -> None:
    with pytest.raises(ValueError, match="text before option A"):
        options_from_cell("请选择\nA 甲\nB 乙")


def test_inline_options_after_blank_brackets() -> None:
    stem, options = split_options_text("下列哪项正确（ ）A.甲 B.乙 C.丙 D.丁")
    assert stem == "下列哪项正确（ ）"
    assert options == {"A": "甲", "B": "乙", "C": "丙", "D": "丁"}


def test_inline_scan_ignores_letters_inside_words() -> None:
    stem, options = split_options_text("缺乏维生素A.会导致什么？ A.夜盲症 B.坏血病")
    assert stem == "缺乏维生素A.会导致什么？"
    assert options == {"A": "夜盲症", "B": "坏血病"}


def test_inline_paren_labels_need_no_space_before_them() -> None:
    stem, options = split_options_text("下列哪项正确？（A）甲（B）乙（C）丙")
    assert stem == "下列哪项正确？"
    assert options == {"A": "甲", "B": "乙", "C": "丙"}


@pytest.mark.parametrize("raw, n, letter", [(0, 4, "A"), (3, 4, "D"), ("1", 2, "B")])
def test_index_to_letter(raw: object, n: int, letter: str) -> None:
    assert index_to_letter(raw, n) == letter


@pytest.mark.parametrize("raw", [4, -1, True, "B", 1.5, None])
def test_index_to_letter_rejects_bad_index(raw: object) -> None:
    with pytest.raises(ValueError):
        index_to_letter(raw, 4)
