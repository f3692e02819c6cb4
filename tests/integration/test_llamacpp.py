"""The real embedded model (Gemma 3 270M from PyPI) on a few items."""

from __future__ import annotations

import asyncio
import math
from pathlib import Path

import pytest

pytest.importorskip("llama_cpp", reason="needs the llama extra: pip install 'medaudit[llama]'")

from medaudit.bench.io import read_items
from medaudit.eval.prompts import ItemView, PromptBuilder
from medaudit.eval.runner import EvalConfig, evaluate
from medaudit.models.registry import load_model

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def prompts() -> list[str]:
    items = read_items(Path(__file__).parents[1] / "data" / "mini.jsonl")
    builder = PromptBuilder("zh-mcq-v1", "logprob", shots=items[-1:])
    return [builder.build(ItemView.of(it)).text for it in items[:5]]


def _score_all(spec: str, prompts: list[str]) -> tuple[list[dict[str, float]], int]:
    backend = load_model(spec)

    async def run() -> list[dict[str, float]]:
        out = [(await backend.choice_logprobs(p, list("ABCDE"))).logprobs for p in prompts]
        await backend.aclose()
        return out

    scores = asyncio.run(run())
    return scores, backend.tokens_evaluated  # type: ignore[attr-defined]


def test_prefix_reuse_gives_identical_logprobs_with_fewer_tokens(prompts: list[str]) -> None:
    reused, tokens_reused = _score_all("llamacpp/gemma3-270m", prompts)
    fresh, tokens_fresh = _score_all("llamacpp/gemma3-270m?prefix_cache=off", prompts)
    assert tokens_reused < tokens_fresh
    for a, b in zip(reused, fresh, strict=True):
        for letter in "ABCDE":
            assert a[letter] == pytest.approx(b[letter], abs=1e-4)
            assert a[letter] < 0


def test_eval_on_real_model_scores_every_item(tmp_path: Path) -> None:
    result = evaluate(
        EvalConfig(
            model="llamacpp/gemma3-270m",
            benchmark=str(Path(__file__).parents[1] / "data" / "mini.jsonl"),
            output_dir=tmp_path / "run",
            progress=False,
        )
    )
    assert result.summary.n_items == 6
    assert result.summary.outcomes["error"] == 0
    for record in result.records:
        assert record.probs is not None
        assert math.isclose(sum(record.probs.values()), 1.0, rel_tol=1e-6)
        assert record.rule in ("logprob-argmax", "logprob-threshold")
    assert (tmp_path / "run" / "manifest.json").exists()
    assert result.records[0].prompt_hash


def test_generate_returns_text(tmp_path: Path) -> None:
    result = evaluate(
        EvalConfig(
            model="llamacpp/gemma3-270m",
            method="generate",
            max_tokens=16,
            benchmark=str(Path(__file__).parents[1] / "data" / "mini.jsonl"),
            limit=2,
            output_dir=tmp_path / "gen",
            progress=False,
        )
    )
    assert all(r.response is not None for r in result.records)
    assert all(r.outcome.value != "error" for r in result.records)
