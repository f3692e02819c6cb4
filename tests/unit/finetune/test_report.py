"""Fine-tune part of comparisons: guard verdicts, lineage sections, HTML injection."""

from __future__ import annotations

from medaudit.bench.io import read_items
from medaudit.finetune.report import (
    finetune_html,
    finetune_markdown,
    general_set_path,
    guard_verdict,
    inject_html,
)

LINEAGE = {"path": "runs/ft/x/lineage.json", "base": {"spec": "gemma3-270m", "sha256": "ab" * 32},
           "train": {"spec": "cmes:train", "n_items": 20, "file_sha256": "cd" * 32,
                     "item_ids_sha256": "ef" * 32},
           "adapter": {"sha256": "12" * 32}, "seed": 0, "wall_time_s": 60.0,
           "hyperparameters": {"lora": {"r": 8}, "training": {}}, "training": {}}


def _overall(diff: float, p: float) -> dict[str, object]:
    return {"dimension": "overall", "n": 208, "acc_a": 0.3, "acc_b": 0.3 + diff, "diff": diff,
            "diff_ci95": [diff - 0.05, diff + 0.05], "p": p}


def test_guard_verdicts() -> None:
    assert guard_verdict(_overall(-0.02, 0.5))["verdict"] == "held"
    assert guard_verdict(_overall(0.05, 0.01))["verdict"] == "held"  # a gain is never collapse
    assert guard_verdict(_overall(-0.04, 0.01))["verdict"] == "collapsed"
    assert "over 10 pp" in guard_verdict(_overall(-0.12, 0.2))["reason"]


def test_sections_show_lineage_and_escape_html() -> None:
    guard = {"a_run": {"run_id": "a1"}, "b_run": {"run_id": "b1"}, "n_shared": 208,
             "rows": [{**_overall(0.0, 1.0), "dimension": "general.surgery<script>"}],
             "overall": _overall(0.0, 1.0), **guard_verdict(_overall(0.0, 1.0))}
    section = {"lineage": {"a": None, "b": LINEAGE}, "guard": guard}
    md = finetune_markdown(section)
    assert "ab" * 32 in md and "12" * 32 in md and "held" in md
    page = inject_html("<main><p>x</p><footer>f</footer></main>", finetune_html(section))
    assert page.index('id="finetune"') < page.index("<footer>")
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_general_set_is_shipped_and_valid() -> None:
    items = read_items(general_set_path())
    assert len(items) >= 200
    assert all(it.type == "single" and len(it.options) == 5 and it.references for it in items)
    assert all(it.dimension.startswith("general.") for it in items)
    keys = [it.answer for it in items]
    assert max(keys.count(k) for k in "ABCDE") - min(keys.count(k) for k in "ABCDE") <= 2
    longest = sum(1 for it in items
                  if len(it.options[it.answer]) > max(len(v) for k, v in it.options.items()
                                                      if k != it.answer))
    assert longest / len(items) < 0.2  # the key is the longest option less often than chance


def test_general_set_is_disjoint_from_cmes() -> None:
    from medaudit.bench.registry import load_benchmark
    from medaudit.finetune.leakage import check_leakage

    report = check_leakage(load_benchmark("cmes").items, read_items(general_set_path()))
    assert report.ok, report.as_dict()
