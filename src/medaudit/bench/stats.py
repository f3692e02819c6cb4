"""Descriptive statistics of an item file: what `medaudit bench stats` prints.

The counts answer "is this file what I think it is" before a run: items per dimension × type ×
split, how keys spread over the letters (a benchmark whose keys are 40% "C" rewards a model that
always says C), and how long options and stems are.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from medaudit.bench.schema import Item

NO_SPLIT = "none"


def length_summary(values: Sequence[int]) -> dict[str, float | int | None]:
    """min / mean / median / p95 / max of character counts; all None when there are none."""
    if not values:
        return {"min": None, "mean": None, "median": None, "p95": None, "max": None}
    ordered = sorted(values)
    p95 = ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]
    return {"min": ordered[0], "mean": round(statistics.fmean(ordered), 1),
            "median": statistics.median(ordered), "p95": p95, "max": ordered[-1]}


def _sorted_counts(counter: Counter[str]) -> dict[str, int]:
    return {key: counter[key] for key in sorted(counter)}


def item_stats(items: Iterable[Item]) -> dict[str, Any]:
    """Counts and length summaries for a list of items, as plain JSON-ready data.

    `key_letters` counts, per type, how often each letter is (part of) the key; for multi items a
    key "ACD" adds one to A, C and D. `key_share` is the same for single items as fractions.
    """
    items = list(items)
    cells: Counter[tuple[str, str, str]] = Counter()
    key_letters: dict[str, Counter[str]] = {}
    n_options: Counter[str] = Counter()
    option_lengths: list[int] = []
    question_lengths: list[int] = []
    for item in items:
        cells[(item.dimension, item.type, item.split or NO_SPLIT)] += 1
        key_letters.setdefault(item.type, Counter()).update(item.answer)
        n_options[str(len(item.options))] += 1
        option_lengths.extend(len(text) for text in item.options.values())
        question_lengths.append(len(item.question))
    by_dimension: dict[str, dict[str, Any]] = {}
    for (dim, typ, split), n in sorted(cells.items()):
        entry = by_dimension.setdefault(dim, {"n": 0, "types": Counter(), "splits": Counter()})
        entry["n"] += n
        entry["types"][typ] += n
        entry["splits"][split] += n
    single = key_letters.get("single", Counter())
    total_single = sum(single.values())
    return {
        "n_items": len(items),
        "types": _sorted_counts(Counter(item.type for item in items)),
        "splits": _sorted_counts(Counter(item.split or NO_SPLIT for item in items)),
        "by_dimension": {dim: {"n": e["n"], "types": _sorted_counts(e["types"]),
                               "splits": _sorted_counts(e["splits"])}
                         for dim, e in by_dimension.items()},
        "cells": [{"dimension": d, "type": t, "split": s, "n": n}
                  for (d, t, s), n in sorted(cells.items())],
        "key_letters": {typ: _sorted_counts(c) for typ, c in sorted(key_letters.items())},
        "key_share": {letter: round(n / total_single, 4) for letter, n in
                      _sorted_counts(single).items()} if total_single else {},
        "n_options": {k: n_options[k] for k in sorted(n_options, key=int)},
        "option_length": length_summary(option_lengths),
        "question_length": length_summary(question_lengths),
    }
