"""Local scoring speed on the embedded model, side by side in one process tree:

1. medaudit `--method logprob`: one forward pass per item, prefix KV reused (llama.cpp).
2. medaudit `--method generate`: greedy generation of up to 8 tokens, then extraction.
3. lm-evaluation-harness `hf` backend on the same GGUF (transformers dequantises it), as a
   `multiple_choice` task with the exact same prompt text and one continuation per letter.

Prints items/s, speed ratios, agreement of predicted letters with medaudit logprob, and the
projected wall time for 12,000 items. Single-answer and judge items only (lm-eval's
multiple_choice has no multi-answer scoring). Run:

    .venv/bin/python benchmarks/local_scoring.py [--limit 100] [--skip-lmeval]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

from medaudit.bench.io import read_items, write_items
from medaudit.bench.registry import shipped
from medaudit.eval.prompts import ItemView, PromptBuilder
from medaudit.eval.runner import EvalConfig, evaluate
from medaudit.models.catalog import resolve

TASK_YAML = """task: medaudit_cmes_sample
dataset_path: json
dataset_kwargs:
  data_files:
    test: {data}
test_split: test
output_type: multiple_choice
doc_to_text: "{{{{prompt}}}}"
doc_to_choice: "{{{{letters}}}}"
doc_to_target: "{{{{target}}}}"
target_delimiter: ""
metric_list:
  - metric: acc
"""


def run_medaudit(items_path: Path, method: str, work: Path) -> tuple[float, dict[str, str | None]]:
    result = evaluate(
        EvalConfig(
            model="llamacpp/gemma3-270m",
            benchmark=str(items_path),
            method=method,
            max_tokens=8,
            cache=False,
            progress=False,  # type: ignore[arg-type]
            output_dir=work / method,
            db_url=f"sqlite:///{work / (method + '.db')}",
        )
    )
    return result.summary.items_per_s, {r.id: r.extracted for r in result.records}


def run_lmeval(items_path: Path, work: Path) -> tuple[float, float, dict[str, str]]:
    import lm_eval
    from lm_eval.tasks import TaskManager

    items = read_items(items_path)
    builder = PromptBuilder("zh-mcq-v1", "logprob")
    docs = work / "lmeval_docs.jsonl"
    with docs.open("w", encoding="utf-8") as handle:
        for it in items:
            letters = list(it.options)
            handle.write(
                json.dumps(
                    {
                        "id": it.id,
                        "prompt": builder.build(ItemView.of(it)).text,
                        "letters": letters,
                        "target": letters.index(it.answer),
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    task_dir = work / "tasks"
    task_dir.mkdir()
    (task_dir / "medaudit.yaml").write_text(TASK_YAML.format(data=docs), "utf-8")
    gguf = resolve("gemma3-270m")
    started = time.perf_counter()
    from lm_eval.models.huggingface import HFLM

    lm = HFLM(pretrained=str(gguf.parent), gguf_file=gguf.name, device="cpu", batch_size=8)
    loaded = time.perf_counter()
    out: Any = lm_eval.simple_evaluate(
        model=lm,
        tasks=["medaudit_cmes_sample"],
        log_samples=True,
        task_manager=TaskManager(include_path=str(task_dir)),
    )
    scored = time.perf_counter()
    preds = {}
    for sample in out["samples"]["medaudit_cmes_sample"]:
        lls = [resp[0] for resp in sample["filtered_resps"]]
        preds[sample["doc"]["id"]] = sample["doc"]["letters"][
            max(range(len(lls)), key=lls.__getitem__)
        ]
    return len(items) / (scored - loaded), loaded - started, preds


def main() -> None:
    parser = argparse.ArgumentParser(description="medaudit logprob vs generate vs lm-eval")
    parser.add_argument("--limit", type=int, default=100)
    parser.add_argument("--skip-lmeval", action="store_true")
    args = parser.parse_args()
    items = [it for it in read_items(shipped()["cmes-sample"]) if it.type != "multi"][: args.limit]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        items_path = work / "items.jsonl"
        write_items(items_path, items)
        logprob_rate, logprob_pred = run_medaudit(items_path, "logprob", work)
        generate_rate, generate_pred = run_medaudit(items_path, "generate", work)
        rows = [
            ("medaudit logprob (1 pass, prefix KV)", logprob_rate, None, logprob_pred),
            ("medaudit generate (≤8 tokens)", generate_rate, None, generate_pred),
        ]
        if not args.skip_lmeval:
            lm_rate, lm_load, lm_pred = run_lmeval(items_path, work)
            rows.append(("lm-eval hf multiple_choice", lm_rate, lm_load, lm_pred))
    print(f"{len(items)} single/judge items from the CMES sample, Gemma 3 270M Q4_K_M")
    print(
        f"{'method':<38} {'items/s':>8} {'vs logprob':>10} {'load s':>7} {'agree':>6} "
        f"{'12k items':>10}"
    )
    for name, rate, load, pred in rows:
        agree = sum(pred.get(i) == logprob_pred[i] for i in logprob_pred) / len(logprob_pred)
        hours = 12000 / rate / 3600
        print(
            f"{name:<38} {rate:>8.2f} {rate / logprob_rate:>10.2f} "
            f"{'' if load is None else f'{load:.0f}':>7} {agree:>6.2f} {hours:>9.2f}h"
        )


if __name__ == "__main__":
    main()
