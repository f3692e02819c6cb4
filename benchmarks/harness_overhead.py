"""Harness overhead against the stub OpenAI-compatible server at a fixed latency.

Theoretical limit: concurrency / latency items per second (every request waits exactly
`latency`). The ratio measured / limit shows what the harness itself costs: HTTP client,
extraction, scoring and committing every result to the store. Run:

    .venv/bin/python benchmarks/harness_overhead.py [--latency 0.5] [--rounds 8]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from medaudit.devtools.launch import start_stub_server, stop_stub_server
from medaudit.eval.runner import EvalConfig, evaluate


def write_items(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as handle:
        for i in range(n):
            handle.write(
                json.dumps(
                    {
                        "id": f"bench-{i:05d}",
                        "dimension": ["E01", "S01", "S07"][i % 3],
                        "type": "single",
                        "question": f"第{i}题：患者拒绝治疗时，医生下列哪项做法最恰当？",
                        "options": {k: f"做法{k}{i}" for k in "ABCDE"},
                        "answer": "ABCDE"[i % 5],
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )


def measure(
    url: str, concurrency: int, rounds: int, latency: float, work: Path
) -> dict[str, float]:
    n = concurrency * rounds
    items = work / f"items-{concurrency}.jsonl"
    write_items(items, n)
    started = time.perf_counter()
    result = evaluate(
        EvalConfig(
            model=f"openai/stub?base_url={url}&timeout=30",
            benchmark=str(items),
            method="generate",
            concurrency=concurrency,
            cache=False,
            progress=False,
            output_dir=work / f"run-{concurrency}",
            db_url=f"sqlite:///{work / f'db-{concurrency}.sqlite'}",
        )
    )
    wall = time.perf_counter() - started
    items_per_s = n / result.summary.elapsed_s
    limit = concurrency / latency
    return {
        "concurrency": concurrency,
        "items": n,
        "latency_s": latency,
        "items_per_s": items_per_s,
        "limit_items_per_s": limit,
        "ratio": items_per_s / limit,
        "wall_s_incl_setup_and_reports": wall,
        "errors": result.summary.outcomes["error"],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--latency", type=float, default=0.5)
    parser.add_argument("--rounds", type=int, default=8, help="items = concurrency × rounds")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[32, 128])
    args = parser.parse_args()
    proc, url = start_stub_server("--latency", str(args.latency), "--policy", "hash")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            rows = [measure(url, c, args.rounds, args.latency, Path(tmp)) for c in args.concurrency]
    finally:
        stop_stub_server(proc)
    print(f"stub latency {args.latency} s, {os.cpu_count()} CPU cores")
    print(
        f"{'concurrency':>11} {'items':>6} {'items/s':>9} {'limit':>7} {'ratio':>6} {'errors':>6}"
    )
    for r in rows:
        print(
            f"{r['concurrency']:>11} {r['items']:>6} {r['items_per_s']:>9.1f} "
            f"{r['limit_items_per_s']:>7.1f} {r['ratio']:>6.3f} {r['errors']:>6}"
        )


if __name__ == "__main__":
    main()
