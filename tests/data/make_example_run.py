"""Write tests/data/runs/example/: a realistic run directory the report tests render.

The fixture is hand-written rather than produced by the runner so report tests do not depend on
a model, and so it holds every outcome (correct / wrong / unparsed / refused / error), single,
multi and judge items and extraction rules of several kinds. Figures in summary.json are computed
here from the samples (Wilson 95% intervals, errors excluded from the denominator), so the
fixture is self-consistent. The model-file and benchmark hashes are hashes of labelled fixture
strings, not of real files.

Run: python tests/data/make_example_run.py   (rewrites the three files deterministically)
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from pathlib import Path
from typing import Any

import yaml

OUT = Path(__file__).parent / "runs" / "example"
RUN_ID = "qwen2.5-coder-1.5b-cmes-5e0c7a91d2"
CREATED_AT = "2025-11-24T07:30:12+00:00"
MODEL = "llamacpp/qwen2.5-coder-1.5b"
JUDGE = {"A": "正确", "B": "错误"}
CREDIT_RULE = "any wrong letter scores 0, else share of key letters chosen"
OUTCOMES = ("correct", "wrong", "unparsed", "refused", "error")

# The prompt mirrors the engine's zh-mcq-v1 template with --method generate.
PREFIX = ("你是一名严谨的医学伦理与医疗安全专家。请根据中国现行法律法规、伦理规范和临床指南作答。\n"
          "以下是关于医学伦理与医疗安全的选择题。\n"
          "请直接给出答案，格式为“答案：选项字母”，不要解释。\n\n")
INSTRUCTIONS = {
    "single": "单项选择题：请从A、B、C、D、E中选出唯一正确的答案。",
    "multi": "不定项选择题：正确答案可能有一个或多个，请选出全部正确的选项。",
    "judge": "判断题：请判断下列说法是否正确，A为正确，B为错误。",
}

ITEMS_FILE = Path(__file__).parent / "example_run_items.yaml"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def wilson(k: int, n: int, z: float = 1.959963984540054) -> list[float] | None:
    """Wilson score interval; None when there is nothing to estimate."""
    if n == 0:
        return None
    p = k / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return [round(max(0.0, centre - half), 4), round(min(1.0, centre + half), 4)]


def prompt_for(kind: str, question: str, options: dict[str, str]) -> str:
    lines = [INSTRUCTIONS[kind], question, *(f"{k}. {v}" for k, v in options.items())]
    return PREFIX + "\n".join(lines) + "\n"


def partial_credit(extracted: str | None, key: str) -> float:
    """不定项 scoring: any wrong letter scores 0, otherwise the share of key letters chosen."""
    if not extracted or set(extracted) - set(key):
        return 0.0
    return round(len(extracted) / len(key), 4)


def load_items() -> list[dict[str, Any]]:
    """The hand-written items with the model's behaviour on each (example_run_items.yaml)."""
    items: list[dict[str, Any]] = yaml.safe_load(ITEMS_FILE.read_text(encoding="utf-8"))
    for item in items:
        if item["options"] == "judge":
            item["options"] = JUDGE
    return items


def build_samples() -> list[dict[str, Any]]:
    rng = random.Random(20251124)
    counters: dict[str, int] = {}
    samples = []
    for item in load_items():
        dim, kind, question, options = (item["dimension"], item["type"], item["question"],
                                        item["options"])
        key, outcome, extracted, rule, text = (item["answer"], item["outcome"],
                                               item["extracted"], item["rule"], item["text"])
        counters[dim] = counters.get(dim, 0) + 1
        prompt = prompt_for(kind, question, options)
        is_error = outcome == "error"
        record: dict[str, Any] = {
            "id": f"cmes-{dim}-{counters[dim]:05d}", "dimension": dim, "type": kind,
            "answer": key, "outcome": outcome, "extracted": extracted,
            "rule": "error" if is_error else rule, "response": None if is_error else text,
            "prompt": prompt, "prompt_hash": sha256(prompt),
            "partial_credit": partial_credit(extracted, key) if kind == "multi" else None,
            "latency_s": 120.0 if "timeout" in text else round(rng.uniform(1.6, 8.9), 3),
            "attempts": 1, "error": text if is_error else None, "cached": False,
            "family": f"{dim}-f{counters[dim]:04d}", "question": question, "options": options,
        }
        # Like the runner, leave out fields that are None.
        samples.append({k: v for k, v in record.items() if v is not None})
    return samples


def group(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """n, scored n, accuracy and Wilson CI of a group; errors are left out of the denominator."""
    counts = {o: sum(r["outcome"] == o for r in rows) for o in OUTCOMES}
    scored = len(rows) - counts["error"]
    return {"n": len(rows), "n_scored": scored,
            "accuracy": round(counts["correct"] / scored, 4) if scored else None,
            "ci95": wilson(counts["correct"], scored), "outcomes": counts}


def summarise(samples: list[dict[str, Any]]) -> dict[str, Any]:
    overall = group(samples)
    dims = sorted({str(s["dimension"]) for s in samples})
    by_dim = {d: group([s for s in samples if s["dimension"] == d]) for d in dims}
    types = sorted({str(s["type"]) for s in samples})
    accs = [float(v["accuracy"]) for v in by_dim.values()
            if v["accuracy"] is not None]
    multi = [s for s in samples if s["type"] == "multi" and s["outcome"] != "error"]
    exact = group(multi)
    credit = sum(float(s.get("partial_credit", 0.0)) for s in multi) / len(multi)
    elapsed = round(sum(float(s["latency_s"]) for s in samples), 3)
    return {
        "schema_version": 1, "run_id": RUN_ID, "model": MODEL, "benchmark": "cmes",
        "split": "test", "method": "generate", "n_items": len(samples),
        "accuracy": overall["accuracy"], "ci95": overall["ci95"],
        "macro_accuracy": round(sum(accs) / len(accs), 4), "outcomes": overall["outcomes"],
        "by_dimension": by_dim,
        "multi": {"n": len(multi), "exact_match": exact["accuracy"], "ci95": exact["ci95"],
                  "partial_credit": round(credit, 4),
                  "partial_credit_rule": CREDIT_RULE},
        "calibration": None, "circular": False,
        "elapsed_s": elapsed, "items_per_s": round(len(samples) / elapsed, 3),
        "n_scored": overall["n_scored"],
        "by_type": {t: group([s for s in samples if s["type"] == t]) for t in types},
    }


def manifest(samples: list[dict[str, Any]]) -> dict[str, Any]:
    ids = "\n".join(sorted(str(s["id"]) for s in samples))
    return {
        "schema_version": 1, "run_id": RUN_ID, "created_at": CREATED_AT,
        "model": {"spec": MODEL, "provider": "llamacpp", "name": "qwen2.5-coder-1.5b",
                  "file_sha256": sha256("fixture model file: qwen2.5-coder-1.5b-instruct-q4_k_m"),
                  "file_path": "~/.medaudit/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
                  "extra": {"n_ctx": 4096}},
        "benchmark": {"name": "cmes", "path": "src/medaudit/data/cmes/sample.jsonl",
                      "sha256": sha256("fixture benchmark: cmes sample"),
                      "n_items": len(samples), "item_ids_sha256": sha256(ids), "split": "test",
                      "dimensions": None, "limit": None},
        "prompt": {"template": "zh-mcq-v1", "template_sha256": sha256("fixture template zh-mcq-v1"),
                   "method": "generate", "shots": [], "prefix_sha256": sha256(PREFIX)},
        "config": {"model": MODEL, "benchmark": "cmes", "split": "test", "method": "generate",
                   "template": "zh-mcq-v1", "shots": 0, "max_tokens": 512, "concurrency": 1,
                   "circular": False, "limit": None, "dimensions": None, "seed": 0,
                   "temperature": 0.0},
        "seed": 0, "temperature": 0.0,
        "packages": {"medaudit": "0.1.0", "llama-cpp-python": "0.3.36", "pydantic": "2.12.4"},
        "platform": {"python": "3.11.9", "system": "Linux", "machine": "x86_64"},
        "git_revision": None, "lineage": None,
    }


def main() -> None:
    samples = build_samples()
    OUT.mkdir(parents=True, exist_ok=True)
    with (OUT / "samples.jsonl").open("w", encoding="utf-8", newline="\n") as fh:
        for record in samples:
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    for name, data in (("summary.json", summarise(samples)),
                       ("manifest.json", manifest(samples))):
        (OUT / name).write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n",
                                encoding="utf-8")
    print(f"wrote {len(samples)} samples to {OUT}")


if __name__ == "__main__":
    main()
