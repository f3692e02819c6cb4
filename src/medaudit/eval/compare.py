"""Paired comparison of two runs on the same items (e.g. base vs fine-tuned).

Items are paired by id; an item that errored in either run is left out of the pair (its outcome
says nothing about either model) and counted in `excluded_errors`. Per dimension: accuracies,
difference B − A with a 95% interval, exact McNemar p, and Holm-adjusted p over the dimensions.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from medaudit.errors import MedauditError
from medaudit.stats import holm, paired_difference


def resolve_run_dir(ref: str | Path) -> Path:
    """A run directory, or a run id looked up in the store."""
    path = Path(ref)
    if (path / "samples.jsonl").exists():
        return path
    from medaudit.store.db import Store

    run = Store().get_run(str(ref))
    if run and run.get("output_dir") and (Path(run["output_dir"]) / "samples.jsonl").exists():
        return Path(run["output_dir"])
    raise MedauditError(
        f"'{ref}' is neither a run directory with samples.jsonl nor a stored run id "
        "(medaudit runs list)"
    )


def _load(run_dir: Path) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    summary = json.loads((run_dir / "summary.json").read_text("utf-8"))
    samples = {}
    for line in (run_dir / "samples.jsonl").read_text("utf-8").splitlines():
        if line.strip():
            rec = json.loads(line)
            samples[rec["id"]] = rec
    return summary, samples


def _row(label: str, pairs: list[tuple[bool, bool]]) -> dict[str, Any]:
    diff = paired_difference([a for a, _ in pairs], [b for _, b in pairs])
    return {
        "dimension": label,
        "n": diff.n,
        "acc_a": diff.acc_a,
        "acc_b": diff.acc_b,
        "diff": diff.diff,
        "diff_ci95": list(diff.diff_ci95) if diff.diff_ci95 else None,
        "b01": diff.b01,
        "b10": diff.b10,
        "p": diff.p,
    }


def compare_runs(a: str | Path, b: str | Path) -> dict[str, Any]:
    a_dir, b_dir = resolve_run_dir(a), resolve_run_dir(b)
    sum_a, samples_a = _load(a_dir)
    sum_b, samples_b = _load(b_dir)
    shared = sorted(set(samples_a) & set(samples_b))
    if not shared:
        raise MedauditError(
            f"runs {a_dir} and {b_dir} share no item ids; compare runs on the same items"
        )
    by_dim: dict[str, list[tuple[bool, bool]]] = defaultdict(list)
    everything: list[tuple[bool, bool]] = []
    excluded = 0
    for item_id in shared:
        ra, rb = samples_a[item_id], samples_b[item_id]
        if "error" in (ra["outcome"], rb["outcome"]):
            excluded += 1
            continue
        pair = (ra["outcome"] == "correct", rb["outcome"] == "correct")
        by_dim[ra["dimension"]].append(pair)
        everything.append(pair)
    rows = [_row(dim, pairs) for dim, pairs in sorted(by_dim.items())]
    for row, adjusted in zip(rows, holm([r["p"] for r in rows]), strict=True):
        row["p_holm"] = adjusted
    return {
        "a": {"run_dir": str(a_dir), "run_id": sum_a["run_id"], "model": sum_a["model"]},
        "b": {"run_dir": str(b_dir), "run_id": sum_b["run_id"], "model": sum_b["model"]},
        "n_shared": len(shared),
        "only_a": len(set(samples_a) - set(samples_b)),
        "only_b": len(set(samples_b) - set(samples_a)),
        "excluded_errors": excluded,
        "rows": rows,
        "overall": _row("overall", everything),
    }
