"""A whole `medaudit eval` run against the project's stub OpenAI-compatible server (a real
process on loopback) with 20% injected 429/500/timeouts: the run completes, its accuracy equals
the fault-free run's, retries stay bounded and no item is counted twice."""

from __future__ import annotations

import json
import os
import selectors
import subprocess
import sys
from collections.abc import Iterator
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


@pytest.fixture
def stub() -> Iterator[object]:
    procs: list[subprocess.Popen[str]] = []

    def start(*args: str) -> str:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "medaudit.cli",
                "dev",
                "stub-server",
                "--port",
                "0",
                "--policy",
                "hash",
                *args,
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        procs.append(proc)
        assert proc.stdout is not None
        sel = selectors.DefaultSelector()
        sel.register(proc.stdout, selectors.EVENT_READ)
        assert sel.select(timeout=30), "stub server did not start"
        line = proc.stdout.readline()
        assert "listening on " in line, line
        return line.strip().split("listening on ", 1)[1]

    yield start
    for proc in procs:
        proc.terminate()
        proc.wait(timeout=10)


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
def test_faulty_server_gives_the_same_result_as_a_clean_one(stub, tmp_path: Path) -> None:
    items = _items(tmp_path / "items.jsonl")
    clean_url = stub()
    faulty_url = stub("--error-rate", "0.2", "--errors", "429,500,timeout", "--hang", "2")
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
