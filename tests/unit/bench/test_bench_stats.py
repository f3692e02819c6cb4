"""Item-file statistics (bench/stats.py)."""

from __future__ import annotations

from medaudit.bench.schema import Item
from medaudit.bench.stats import item_stats, length_summary


def _item(i: int, dim: str, typ: str, answer: str, split: str | None = None) -> Item:
    options = ({"A": "正确", "B": "错误"} if typ == "judge"
               else {"A": "甲", "B": "乙乙", "C": "丙丙丙"})
    return Item.model_validate({"id": f"t-{i}", "dimension": dim, "type": typ,
                                "question": "题" * (i + 1), "options": options,
                                "answer": answer, "split": split})


def test_counts_per_dimension_type_split_and_key_letters() -> None:
    items = [_item(0, "E01", "single", "A", "test"), _item(1, "E01", "single", "C", "dev"),
             _item(2, "E01", "multi", "AC", "test"), _item(3, "S02", "judge", "B")]
    stats = item_stats(items)
    assert stats["n_items"] == 4
    assert stats["by_dimension"]["E01"] == {"n": 3, "types": {"multi": 1, "single": 2},
                                            "splits": {"dev": 1, "test": 2}}
    assert stats["splits"] == {"dev": 1, "none": 1, "test": 2}
    assert {"dimension": "S02", "type": "judge", "split": "none", "n": 1} in stats["cells"]
    assert stats["key_letters"] == {"judge": {"B": 1}, "multi": {"A": 1, "C": 1},
                                    "single": {"A": 1, "C": 1}}
    assert stats["key_share"] == {"A": 0.5, "C": 0.5}
    assert stats["n_options"] == {"2": 1, "3": 3}
    assert stats["option_length"]["min"] == 1 and stats["option_length"]["max"] == 3
    assert stats["question_length"]["max"] == 4


def test_length_summary_of_nothing_is_none() -> None:
    assert length_summary([]) == {"min": None, "mean": None, "median": None, "p95": None,
                                  "max": None}
    assert length_summary([1, 2, 3, 10])["median"] == 2.5
