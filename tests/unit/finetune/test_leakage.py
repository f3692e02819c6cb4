"""Train/test leakage: shared ids, shared families, near-duplicates; CLI exit codes."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from medaudit.bench.io import read_items, write_items
from medaudit.cli.finetune import app
from medaudit.finetune.leakage import check_leakage


def _items(mini_items: Path):
    return read_items(mini_items)


def test_disjoint_sets_pass(mini_items: Path) -> None:
    items = _items(mini_items)
    report = check_leakage(items[:3], items[3:])
    assert report.ok and report.as_dict()["ok"] is True


def test_shared_id_and_family_fail(mini_items: Path) -> None:
    items = _items(mini_items)
    test = [items[0], items[3].model_copy(update={"family": "fam-x"})]
    train = [items[0], items[1].model_copy(update={"family": "fam-x"})]
    report = check_leakage(train, test)
    assert report.shared_ids == [items[0].id]
    assert "fam-x" in report.shared_families
    assert not report.ok


def test_near_duplicate_with_new_id_is_caught(mini_items: Path) -> None:
    items = _items(mini_items)
    src = items[0]
    copy = src.model_copy(update={"id": "copy-1", "question": src.question + "请作答。"})
    report = check_leakage([src], [copy, items[2]])
    assert [(a, b) for a, b, _ in report.near_duplicates] == [(src.id, "copy-1")]
    assert report.near_duplicates[0][2] >= 0.8
    # Rewording most of the stem drops below the threshold.
    stem = "完全不同的一道题目，问的是别的事情。"
    other = src.model_copy(update={"id": "other", "question": stem,
                                   "options": {k: v + "另" for k, v in src.options.items()}})
    assert check_leakage([src], [other]).near_duplicates == []


def test_cli_exit_codes(mini_items: Path, tmp_path: Path) -> None:
    items = _items(mini_items)
    write_items(tmp_path / "train.jsonl", items[:3])
    write_items(tmp_path / "test.jsonl", items[3:])
    write_items(tmp_path / "leaky.jsonl", items[2:])
    runner = CliRunner()
    ok = runner.invoke(app, ["check-leakage", "--train", str(tmp_path / "train.jsonl"),
                             "--test", str(tmp_path / "test.jsonl")])
    assert ok.exit_code == 0, ok.output
    bad = runner.invoke(app, ["check-leakage", "--train", str(tmp_path / "train.jsonl"),
                              "--test", str(tmp_path / "leaky.jsonl"), "-o",
                              str(tmp_path / "r.json")])
    assert bad.exit_code == 1
    assert json.loads((tmp_path / "r.json").read_text("utf-8"))["shared_ids"] == [items[2].id]


def test_cmes_splits_resolve(mini_items: Path) -> None:
    from medaudit.finetune.data import load_dataset

    train = load_dataset("cmes-sample:train")
    assert train.items and all(it.split == "train" for it in train.items)
