"""OpenAI fine-tuning format rules: each broken shape is named with its line."""

from __future__ import annotations

from medaudit.finetune.openai_format import check_example, check_openai_examples, estimate_tokens

GOOD = {"messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "问"},
                     {"role": "assistant", "content": "答案：A"}]}


def test_good_example_passes() -> None:
    assert check_example(GOOD, 0, 1000) == []


def test_unknown_role_missing_assistant_and_extra_keys_are_reported() -> None:
    bad = {"messages": [{"role": "bot", "content": "x"}], "meta": 1}
    problems = check_example(bad, 4, 1000)
    text = " | ".join(problems)
    assert "line 5" in text and "unknown key 'meta'" in text
    assert "role 'bot'" in text and "no assistant message" in text


def test_empty_content_and_bad_weight() -> None:
    bad = {"messages": [{"role": "user", "content": " "},
                        {"role": "assistant", "content": "A", "weight": 3}]}
    problems = check_example(bad, 0, 1000)
    assert any("non-empty string" in p for p in problems)
    assert any("weight" in p for p in problems)


def test_token_limit_counts_cjk_characters() -> None:
    assert estimate_tokens("答案") == 2
    assert estimate_tokens("abcd") == 1
    long = {"messages": [{"role": "user", "content": "字" * 200},
                         {"role": "assistant", "content": "A"}]}
    assert any("token" in p for p in check_example(long, 0, 100))


def test_fewer_than_ten_examples_warns() -> None:
    problems, warnings = check_openai_examples([GOOD] * 3)
    assert problems == [] and warnings
    assert check_openai_examples([GOOD] * 10)[1] == []
