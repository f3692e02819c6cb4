"""Synthetic item sets for the QC tests: a clean set that passes every check, and helpers to
break exactly one property at a time.

Text is random common Chinese characters, so no two items are near-duplicates, no option wording
predicts the key, and option lengths are independent of the key; keys cycle A–E per dimension,
so the letters are exactly balanced.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest

from medaudit.bench.qc import load_thresholds
from medaudit.bench.schema import JUDGE_OPTIONS, Item

POOL = ("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工"
        "也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小"
        "物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形"
        "相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建"
        "月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长"
        "求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战")


def text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(POOL) for _ in range(n))


def make_items(dims: tuple[str, ...] = ("E01", "E02", "S01", "S02"), per_dim: int = 100,
               seed: int = 7, with_splits: bool = True) -> list[Item]:
    """70% single (keys cycling A–E), 18% multi, 12% judge per dimension; one family per item;
    splits 60/10/30 by position within each type."""
    rng = random.Random(seed)
    items: list[Item] = []
    for dim in dims:
        n_multi, n_judge = round(per_dim * 0.18), round(per_dim * 0.12)
        types = ["single"] * (per_dim - n_multi - n_judge) + ["multi"] * n_multi \
            + ["judge"] * n_judge
        counters = {"single": 0, "multi": 0, "judge": 0}
        for num, typ in enumerate(types, start=1):
            k = counters[typ]
            counters[typ] += 1
            pos = k % 10
            split = "train" if pos < 6 else "dev" if pos < 7 else "test"
            if typ == "judge":
                options, answer = dict(JUDGE_OPTIONS), "AB"[k % 2]
            else:
                options = {ch: text(rng, rng.randint(10, 14)) for ch in "ABCDE"}
                answer = "ABCDE"[k % 5] if typ == "single" else ["AB", "ACD", "BE", "CDE",
                                                                  "ABD"][k % 5]
            items.append(Item.model_validate({
                "id": f"cmes-{dim}-{num:05d}", "dimension": dim, "type": typ,
                "question": text(rng, rng.randint(30, 60)), "options": options,
                "answer": answer, "explanation": text(rng, 40),
                "references": [{"title": "中华人民共和国医师法", "locator": "第二十五条"}],
                "family": f"{dim}-f{num:04d}", "split": split if with_splits else None,
                "source": "authored"}))
    return items


def replace(item: Item, **changes: Any) -> Item:
    return item.model_copy(update=changes)


@pytest.fixture
def items() -> list[Item]:
    return make_items()


@pytest.fixture
def th() -> dict[str, Any]:
    return load_thresholds()


@pytest.fixture
def by_name() -> Callable[[list[Any]], dict[str, Any]]:
    def index(results: list[Any]) -> dict[str, Any]:
        return {r.name: r for r in results}

    return index


@pytest.fixture
def make() -> Callable[..., list[Item]]:
    return make_items
