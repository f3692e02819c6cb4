"""A whole `medaudit eval` run against the project's stub OpenAI-compatible server (a real
process on loopback) with 20% injected 429/500/timeouts: the run completes, its accuracy equals
the fault-free run's, retries stay bounded and no item is counted twice."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from medaudit.eval.runner import EvalConfig, evaluate

N_ITEMS = 60
MAX_RETRIES = 6


def _items(path: Path) -> Path:
    dims = ["E01", "E02", "S01", "S03", "S07"]
    rows = [
        {
            "id": f"api-{i:03d}",
            "dimension": dims[i % 5],
            "type": "single",
            "question": f"第{i}题：下列哪一项是恰当的做法？",
            "options": {k: f"做法{k}{i}" for k in "ABCDE"},
            "answer": "ABCDE"[(i * 3) % 5],
        }
        for i in range(N_ITEMS)
    ]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def _run(url: str, items: Path, out: Path, db: Path) -> object:
    spec = f"openai/stub?base_url={url}&timeout=0.5&max_retries={MAX_RETRIES}&retry_budget=60"
    return evaluate(
        EvalConfig(
            model=spec,
            benchmark=str(items),
            method="generate",
            concurrency=8,
            output_dir=out,
            cache=False,
            progress=False,
            db_url=f"sqlite:///{db}",
        )
    )


@pytest.mark.slow
def test_faulty_server_gives_the_same_result_as_a_clean_one(stub_server, tmp_path: Path) -> None:
    items = _items(tmp_path / "items.jsonl")
    clean_url = stub_server("--policy", "hash")
    faulty_url = stub_server(
        "--policy", "hash", "--error-rate", "0.2", "--errors", "429,500,timeout", "--hang", "2"
    )
    clean = _run(clean_url, items, tmp_path / "clean", tmp_path / "a.db")
    faulty = _run(faulty_url, items, tmp_path / "faulty", tmp_path / "b.db")

    assert faulty.summary.outcomes["error"] == 0
    assert faulty.summary.accuracy == clean.summary.accuracy
    assert faulty.summary.outcomes == clean.summary.outcomes
    assert [r.extracted for r in faulty.records] == [r.extracted for r in clean.records]

    stats = httpx.get(faulty_url.removesuffix("/v1") + "/stats").json()
    from medaudit.devtools.stub_server import prompt_key

    per_prompt = dict(stats["by_prompt"])
    per_prompt.pop(prompt_key("ping"), None)  # the backend's one-token preflight probe
    assert len(per_prompt) == N_ITEMS
    faulted = 0
    for counts in per_prompt.values():
        assert counts["ok"] == 1  # answered once: nothing counted twice
        tries = counts["requests"]
        assert tries == counts["ok"] + sum(counts["faults"].values())
        assert tries <= MAX_RETRIES + 1
        faulted += tries - 1
    assert faulted > 0, "faults were injected"
    ids = [json.loads(line)["id"] for line in (tmp_path / "faulty" / "samples.jsonl").open()]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == N_ITEMS
