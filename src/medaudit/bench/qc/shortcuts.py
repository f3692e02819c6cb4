"""Shortcut baselines: strategies that know no medicine must stay near chance.

Each baseline picks options by a surface rule (longest, shortest, the most frequent key letter,
most word overlap with the stem, no absolute cue words, an options-only classifier). It runs on
5-option single items only, where chance is exactly 1/5; multi (不定项) and judge items have a
per-item chance that depends on the key pattern, and their letters are covered by the balance
checks. When a rule ties between options, the item scores 1/(number tied) if the key is among
them: the expected accuracy of breaking the tie at random, never a bias toward "A".
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from medaudit.bench.qc.base import (
    CheckResult,
    Thresholds,
    judged,
    pct,
    single5,
    skipped,
    split_state,
)
from medaudit.bench.qc.classifier import ClassifierConfig, fit_and_score
from medaudit.bench.qc.dedup import normalise
from medaudit.bench.schema import Item
from medaudit.stats import wilson_interval

Picker = Callable[[Item], set[str]]


def tie_score(item: Item, chosen: set[str]) -> float:
    """Expected accuracy of picking uniformly among `chosen`."""
    if not chosen:
        chosen = set(item.options)
    return 1.0 / len(chosen) if item.answer in chosen else 0.0


def _extreme(item: Item, pick_max: bool) -> set[str]:
    lengths = {k: len(v.strip()) for k, v in item.options.items()}
    target = max(lengths.values()) if pick_max else min(lengths.values())
    return {k for k, n in lengths.items() if n == target}


def longest(item: Item) -> set[str]:
    return _extreme(item, True)


def shortest(item: Item) -> set[str]:
    return _extreme(item, False)


def make_tokenizer(name: str, min_chars: int) -> tuple[Callable[[str], set[str]], str]:
    """jieba words of at least `min_chars` characters, else character bigrams; returns its name."""
    if name == "jieba":
        try:
            import jieba

            jieba.setLogLevel(logging.WARNING)

            def words(text: str) -> set[str]:
                return {w for w in (normalise(t) for t in jieba.lcut(text, HMM=False))
                        if len(w) >= min_chars}

            return words, "jieba"
        except ImportError:
            pass

    def bigrams(text: str) -> set[str]:
        norm = normalise(text)
        return {norm[i:i + 2] for i in range(len(norm) - 1)}

    return bigrams, "character bigrams"


def overlap_picker(tokenize: Callable[[str], set[str]]) -> Picker:
    def pick(item: Item) -> set[str]:
        stem = tokenize(item.question)
        scores = {k: len(tokenize(v) & stem) for k, v in item.options.items()}
        best = max(scores.values())
        return {k for k, s in scores.items() if s == best}

    return pick


def cue_picker(cue_words: Sequence[str]) -> Picker:
    """Avoid options with absolutes (一定, 绝对, 所有…): pick among the ones without any."""
    def pick(item: Item) -> set[str]:
        clean = {k for k, v in item.options.items() if not any(c in v for c in cue_words)}
        return clean if clean else set(item.options)

    return pick


def _threshold(th: Thresholds) -> tuple[float, str]:
    conf = th["shortcuts"]
    chance, margin = float(conf["chance"]), float(conf["margin"])
    return chance + margin, f"<= {pct(chance + margin)} (chance {pct(chance)} + " \
                            f"{100 * margin:.0f} pp)"


def _result(name: str, credit: float, n: int, th: Thresholds, detail: str = "",
            data: dict[str, Any] | None = None) -> CheckResult:
    """Judge `credit` correct answers (ties count fractionally) out of `n` scored items."""
    limit, threshold = _threshold(th)
    min_items = int(th["shortcuts"]["min_items"])
    if n < min_items:
        return skipped(name, threshold, f"only {n} 5-option single item(s) scored, "
                       f"fewer than {min_items}")
    acc = credit / n
    ci = wilson_interval(min(n, round(credit)), n)
    ci_text = f"95% CI {pct(ci[0])}–{pct(ci[1])}" if ci else ""
    extra = {"n": n, "accuracy": acc, "ci95": list(ci) if ci else None, **(data or {})}
    return judged(name, acc, acc <= limit + 1e-12, threshold,
                  detail="; ".join(x for x in (f"n={n}", ci_text, detail) if x), data=extra)


def _scored(name: str, pick: Picker, items: Sequence[Item], th: Thresholds,
            detail: str = "") -> CheckResult:
    return _result(name, sum(tie_score(it, pick(it)) for it in items), len(items), th, detail)


def letter_baseline(items: Sequence[Item], th: Thresholds) -> CheckResult:
    """The most frequent key letter of train, scored on test (in-sample without splits)."""
    pool = single5(items)
    reason = split_state(items)
    train = pool if reason else [it for it in pool if it.split == "train"]
    test = pool if reason else [it for it in pool if it.split == "test"]
    counts = Counter(it.answer for it in train)
    if not counts:
        return _result("shortcuts.most_frequent_letter", 0.0, 0, th)
    top = max(counts.values())
    letters = {k for k, n in counts.items() if n == top}
    how = "in-sample (no splits)" if reason else "learned on train, scored on test"
    return _scored("shortcuts.most_frequent_letter", lambda _it: letters, test, th,
                   detail=f"letter {''.join(sorted(letters))}, {how}")


def classifier_baseline(items: Sequence[Item], th: Thresholds,
                        name: str = "shortcuts.options_classifier",
                        overrides: dict[str, Any] | None = None) -> CheckResult:
    """Options-only classifier trained on train, scored on test; `overrides` change its
    settings (e.g. the n-gram range) for a variant check."""
    conf = th["shortcuts"]
    threshold = _threshold(th)[1]
    reason = split_state(items)
    if reason:
        return skipped(name, threshold, reason)
    pool = single5(items)
    train = [it for it in pool if it.split == "train"]
    test = [it for it in pool if it.split == "test"]
    min_train = int(conf["classifier"].get("min_train_items", 50))
    if len(train) < min_train:
        return skipped(name, threshold, f"only {len(train)} train items, fewer than {min_train}")
    cfg = ClassifierConfig.from_dict({**conf["classifier"], **(overrides or {})})
    try:
        result = fit_and_score(train, test, cfg)
    except ImportError as err:  # numpy, or jieba for the word-level variant
        missing = err.name or "numpy"
        return skipped(name, threshold, f"{missing} is not installed (pip install {missing})")
    return _result(name, result["accuracy"] * len(test), len(test), th,
                   detail=f"train n={result['n_train']}, train acc {pct(result['train_accuracy'])}"
                          f", {result['n_features']} n-grams; key-like: "
                          f"{' '.join(result['key_ngrams'][:5])}; distractor-like: "
                          f"{' '.join(result['distractor_ngrams'][:5])}",
                   data={k: v for k, v in result.items() if k != "accuracy"})


def run(items: Sequence[Item], th: Thresholds) -> list[CheckResult]:
    conf = th["shortcuts"]
    pool = single5(items)
    tokenize, tok_name = make_tokenizer(conf["word_overlap"]["tokenizer"],
                                        int(conf["word_overlap"]["min_token_chars"]))
    pickers: list[tuple[str, Picker, str]] = [
        ("shortcuts.always_longest", longest, ""),
        ("shortcuts.always_shortest", shortest, ""),
        ("shortcuts.stem_overlap", overlap_picker(tokenize), f"tokens: {tok_name}"),
        ("shortcuts.avoid_cue_words", cue_picker(conf["cue_words"]), ""),
    ]
    results = [_scored(name, pick, pool, th, detail) for name, pick, detail in pickers]
    results.append(letter_baseline(items, th))
    results.append(classifier_baseline(items, th))
    # Variants with other features: options rewritten against one classifier can hide a cue
    # from it alone; a second feature set that nobody tuned against shows whether it is gone.
    for variant, overrides in (conf.get("classifier_variants") or {}).items():
        results.append(classifier_baseline(items, th, f"shortcuts.{variant}", overrides))
    return results
