"""The runner with mock backends: outputs, resume, retry-errors, cache, circular."""

import json
from pathlib import Path

import pytest

from medaudit.errors import MedauditError
from medaudit.eval.runner import EvalConfig, evaluate

SUMMARY_FIELDS = {
    "run_id",
    "model",
    "benchmark",
    "split",
    "method",
    "n_items",
    "accuracy",
    "ci95",
    "outcomes",
    "by_dimension",
    "elapsed_s",
    "items_per_s",
}
SAMPLE_FIELDS = {"id", "dimension", "outcome", "extracted", "rule", "response", "probs"}


def _cfg(mini: Path, tmp_path: Path, **kw) -> EvalConfig:
    return EvalConfig(
        benchmark=str(mini),
        output_dir=tmp_path / "run",
        progress=False,
        db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        **kw,
    )


def test_gold_scores_everything_and_writes_design_fields(mini_items: Path, tmp_path: Path) -> None:
    result = evaluate(_cfg(mini_items, tmp_path, model="mock/gold"))
    assert result.summary.accuracy == 1.0
    summary = json.loads((tmp_path / "run" / "summary.json").read_text())
    assert set(summary) >= SUMMARY_FIELDS
    assert summary["by_dimension"]["E01"]["n"] == 1
    lines = (tmp_path / "run" / "samples.jsonl").read_text().splitlines()
    assert len(lines) == 6
    assert set(json.loads(lines[0])) >= SAMPLE_FIELDS
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text())
    assert len(manifest["prompt"]["template_sha256"]) == 64
    assert manifest["seed"] == 0 and manifest["temperature"] == 0.0
    assert len(manifest["benchmark"]["sha256"]) == 64


def test_always_a_is_scored_per_item(mini_items: Path, tmp_path: Path) -> None:
    result = evaluate(_cfg(mini_items, tmp_path, model="mock/always-A"))
    # keys in mini.jsonl: B, B, ABD, C, C, B -> always-A gets none right
    assert result.summary.outcomes["correct"] == 0
    assert result.summary.outcomes["wrong"] == 6


def test_rerun_resumes_and_skips_finished_items(mini_items: Path, tmp_path: Path) -> None:
    first = evaluate(_cfg(mini_items, tmp_path, model="mock/random?seed=1", limit=3))
    assert first.evaluated_now == 3
    again = evaluate(_cfg(mini_items, tmp_path, model="mock/random?seed=1", limit=3))
    assert again.evaluated_now == 0
    assert again.run_id == first.run_id
    assert again.summary.outcomes == first.summary.outcomes


def test_failed_calls_are_errors_not_wrong_and_can_be_retried(
    mini_items: Path, tmp_path: Path
) -> None:
    failed = evaluate(_cfg(mini_items, tmp_path, model="mock/fails"))
    assert failed.summary.outcomes["error"] == 6
    assert failed.summary.accuracy is None  # no scored items: no figure, not 0%
    kept = evaluate(_cfg(mini_items, tmp_path, model="mock/fails"))
    assert kept.evaluated_now == 0
    retried = evaluate(_cfg(mini_items, tmp_path, model="mock/fails", retry_errors=True))
    assert retried.evaluated_now == 6


def test_response_cache_is_shared_across_runs(mini_items: Path, tmp_path: Path) -> None:
    evaluate(_cfg(mini_items, tmp_path, model="mock/random?seed=2"))
    other = evaluate(_cfg(mini_items, tmp_path, model="mock/random?seed=2", run_id="other"))
    assert all(r.cached for r in other.records)
    fresh = evaluate(
        _cfg(mini_items, tmp_path, model="mock/random?seed=2", run_id="fresh", cache=False)
    )
    assert not any(r.cached for r in fresh.records)


def test_circular_eval_records_every_rotation(mini_items: Path, tmp_path: Path) -> None:
    gold = evaluate(_cfg(mini_items, tmp_path, model="mock/gold", circular=True))
    assert gold.summary.accuracy == 1.0
    assert all(len(r.rotations or []) == len(r.probs or {}) for r in gold.records)
    always_a = evaluate(_cfg(mini_items, tmp_path, model="mock/always-A", circular=True))
    assert always_a.summary.outcomes["correct"] == 0


def test_multi_items_report_exact_match_and_partial_credit(
    mini_items: Path, tmp_path: Path
) -> None:
    result = evaluate(_cfg(mini_items, tmp_path, model="mock/gold"))
    assert result.summary.multi is not None
    assert result.summary.multi["exact_match"] == 1.0
    assert result.summary.multi["partial_credit"] == 1.0


def test_calibration_reported_for_logprob_runs(mini_items: Path, tmp_path: Path) -> None:
    result = evaluate(_cfg(mini_items, tmp_path, model="mock/random?seed=4"))
    assert result.summary.calibration is not None
    assert 0.0 <= result.summary.calibration["ece"] <= 1.0


def test_shots_overlapping_evaluated_items_are_refused(mini_items: Path, tmp_path: Path) -> None:
    with pytest.raises(MedauditError, match="also evaluated"):
        evaluate(_cfg(mini_items, tmp_path, model="mock/gold", shots=1))
    ok = evaluate(_cfg(mini_items, tmp_path, model="mock/gold", shots=1, split="test"))
    assert ok.summary.n_items == 5


def test_dimension_filter_and_unknown_dimension(mini_items: Path, tmp_path: Path) -> None:
    result = evaluate(_cfg(mini_items, tmp_path, model="mock/gold", dimensions=["S01", "S03"]))
    assert set(result.summary.by_dimension) == {"S01", "S03"}
    with pytest.raises(MedauditError, match="E11 not in benchmark"):
        evaluate(_cfg(mini_items, tmp_path, model="mock/gold", dimensions=["E11"]))


def test_redact_replaces_phi_in_stored_prompts(tmp_path: Path) -> None:
    pytest.importorskip("presidio_analyzer", reason="needs the privacy extra")
    items = tmp_path / "phi.jsonl"
    items.write_text(
        json.dumps(
            {
                "id": "p1",
                "dimension": "E02",
                "type": "judge",
                "question": "患者张伟，手机13812345678，要求医生把检查结果发到他的微信。"
                "医生可以直接照办。",
                "options": {"A": "正确", "B": "错误"},
                "answer": "B",
            },
            ensure_ascii=False,
        )
        + "\n",
        "utf-8",
    )
    result = evaluate(
        EvalConfig(
            model="mock/random",
            benchmark=str(items),
            redact=True,
            output_dir=tmp_path / "run",
            progress=False,
            db_url=f"sqlite:///{tmp_path / 'db.sqlite'}",
        )
    )
    stored = (tmp_path / "run" / "samples.jsonl").read_text("utf-8")
    assert "13812345678" not in stored and "张伟" not in stored
    assert "[PHONE_1]" in (result.records[0].prompt or "")
