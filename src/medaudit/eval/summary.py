"""Aggregate sample records into the run summary (DESIGN.md, summary.json).

Accuracy counts `correct` over scored items: `unparsed` and `refused` are in the denominator
(the model gave no usable answer), `error` items are not (a failed call says nothing about the
model) and are reported beside it. Empty groups report `None`, never 0.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from medaudit.eval.records import OUTCOMES, Outcome, SampleRecord, Summary
from medaudit.stats import expected_calibration_error, proportion, wilson_interval


def _group(records: Sequence[SampleRecord]) -> dict[str, Any]:
    counts = Counter(r.outcome.value for r in records)
    scored = len(records) - counts.get(Outcome.ERROR.value, 0)
    correct = counts.get(Outcome.CORRECT.value, 0)
    ci = wilson_interval(correct, scored)
    return {
        "n": len(records),
        "n_scored": scored,
        "accuracy": proportion(correct, scored),
        "ci95": list(ci) if ci else None,
        "outcomes": {o: counts.get(o, 0) for o in OUTCOMES},
    }


def _multi(records: Sequence[SampleRecord]) -> dict[str, Any] | None:
    multi = [r for r in records if r.type == "multi" and r.outcome is not Outcome.ERROR]
    if not multi:
        return None
    exact = _group(multi)
    credits = [r.partial_credit or 0.0 for r in multi]
    return {
        "n": len(multi),
        "exact_match": exact["accuracy"],
        "ci95": exact["ci95"],
        "partial_credit": sum(credits) / len(credits),
        "partial_credit_rule": "any wrong letter scores 0, else share of key letters chosen",
    }


def _calibration(records: Sequence[SampleRecord]) -> dict[str, Any] | None:
    pairs = [
        (max(r.probs.values()), r.outcome is Outcome.CORRECT)
        for r in records
        if r.probs and r.type != "multi" and r.outcome is not Outcome.ERROR
    ]
    if not pairs:
        return None
    return expected_calibration_error([p for p, _ in pairs], [c for _, c in pairs])


def summarise(
    records: Sequence[SampleRecord],
    *,
    run_id: str,
    model: str,
    benchmark: str,
    split: str | None,
    method: str,
    circular: bool,
    elapsed_s: float,
    items_this_session: int,
) -> Summary:
    overall = _group(records)
    by_dim: dict[str, list[SampleRecord]] = defaultdict(list)
    by_type: dict[str, list[SampleRecord]] = defaultdict(list)
    for rec in records:
        by_dim[rec.dimension].append(rec)
        by_type[rec.type].append(rec)
    dims = {dim: _group(recs) for dim, recs in sorted(by_dim.items())}
    accs = [g["accuracy"] for g in dims.values() if g["accuracy"] is not None]
    return Summary(
        run_id=run_id,
        model=model,
        benchmark=benchmark,
        split=split,
        method=method,
        n_items=len(records),
        accuracy=overall["accuracy"],
        ci95=overall["ci95"],
        n_scored=overall["n_scored"],
        macro_accuracy=sum(accs) / len(accs) if accs else None,
        outcomes=overall["outcomes"],
        by_dimension=dims,
        by_type={t: _group(recs) for t, recs in sorted(by_type.items())},
        multi=_multi(records),
        calibration=_calibration(records),
        circular=circular,
        elapsed_s=round(elapsed_s, 3),
        items_per_s=round(items_this_session / elapsed_s, 3) if elapsed_s > 0 else 0.0,
    )
