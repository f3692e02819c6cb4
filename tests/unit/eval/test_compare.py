import json
from pathlib import Path

import pytest

from medaudit.cli.app import run
from medaudit.errors import MedauditError
from medaudit.eval.compare import compare_runs
from medaudit.eval.runner import EvalConfig, evaluate


def _run(mini: Path, tmp_path: Path, model: str, name: str) -> Path:
    out = tmp_path / name
    evaluate(EvalConfig(model=model, benchmark=str(mini), output_dir=out, progress=False,
                        db_url=f"sqlite:///{tmp_path / 'db.sqlite'}"))
    return out


def test_gold_vs_always_a_is_paired_per_dimension(mini_items: Path, tmp_path: Path) -> None:
    a = _run(mini_items, tmp_path, "mock/always-A", "a")
    b = _run(mini_items, tmp_path, "mock/gold", "b")
    result = compare_runs(a, b)
    assert result["n_shared"] == 6
    overall = result["overall"]
    assert (overall["acc_a"], overall["acc_b"]) == (0.0, 1.0)
    assert (overall["b01"], overall["b10"]) == (6, 0)
    assert overall["p"] == pytest.approx(2 / 2**6)
    assert all(row["p_holm"] >= row["p"] for row in result["rows"])
    dims = {row["dimension"] for row in result["rows"]}
    assert dims == {"E01", "E02", "S01", "S03", "S07", "S09"}


def test_errors_are_left_out_of_pairs(mini_items: Path, tmp_path: Path) -> None:
    a = _run(mini_items, tmp_path, "mock/fails", "a")
    b = _run(mini_items, tmp_path, "mock/gold", "b")
    result = compare_runs(a, b)
    assert result["excluded_errors"] == 6
    assert result["overall"]["n"] == 0


def test_compare_cli_writes_json_md_html(mini_items: Path, tmp_path: Path) -> None:
    a = _run(mini_items, tmp_path, "mock/always-A", "a")
    b = _run(mini_items, tmp_path, "mock/gold", "b")
    assert run(["compare", str(a), str(b), "-o", str(tmp_path / "cmp")]) == 0
    data = json.loads((tmp_path / "cmp" / "compare.json").read_text())
    assert data["overall"]["diff"] == 1.0
    assert "<svg" in (tmp_path / "cmp" / "compare.html").read_text()
    assert (tmp_path / "cmp" / "compare.md").read_text().count("|") > 10


def test_unknown_run_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MedauditError, match="neither a run directory"):
        compare_runs(tmp_path / "nope", tmp_path / "nope2")
