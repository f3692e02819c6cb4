"""Option-length ratios: is the key longer (or shorter) than the distractors it sits among?

Item writers tend to qualify the right answer and leave distractors short, which the
always-longest baseline exploits; the ratio key length / mean distractor length shows the whole
distribution, not just the argmax. Single items: median ratio near 1 and few extreme items;
multi items: mean key-option length over mean non-key length. Judge items have fixed options.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence

from medaudit.bench.qc.base import CheckResult, Thresholds, judged, pct, skipped
from medaudit.bench.schema import Item


def single_ratio(item: Item) -> float | None:
    key = len(item.options[item.answer].strip())
    others = [len(v.strip()) for k, v in item.options.items() if k != item.answer]
    mean = statistics.fmean(others) if others else 0.0
    return key / mean if mean else None


def multi_ratio(item: Item) -> float | None:
    keys = [len(v.strip()) for k, v in item.options.items() if k in item.answer]
    rest = [len(v.strip()) for k, v in item.options.items() if k not in item.answer]
    if not keys or not rest or not statistics.fmean(rest):
        return None  # every option is a key: no contrast to measure
    return statistics.fmean(keys) / statistics.fmean(rest)


def distribution(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)

    def q(p: float) -> float:
        return round(ordered[min(len(ordered) - 1, round(p * (len(ordered) - 1)))], 3)

    return {"n": len(ordered), "mean": round(statistics.fmean(ordered), 3), "p10": q(0.10),
            "p25": q(0.25), "median": q(0.5), "p75": q(0.75), "p90": q(0.90),
            "min": round(ordered[0], 3), "max": round(ordered[-1], 3)}


def run(items: Sequence[Item], th: Thresholds) -> list[CheckResult]:
    conf = th["lengths"]
    lo, hi = (float(x) for x in conf["median_ratio"])
    ext_lo, ext_hi = (float(x) for x in conf["extreme_ratio"])
    max_ext = float(conf["max_extreme_share"])
    results: list[CheckResult] = []
    pairs = [(it.id, single_ratio(it)) for it in items if it.type == "single"]
    ratios = [(i, r) for i, r in pairs if r is not None]
    t_med = f"median in [{lo}, {hi}]"
    t_ext = f"<= {pct(max_ext)} of items outside [{ext_lo}, {ext_hi}]"
    if not ratios:
        results += [skipped("lengths.single_median_ratio", t_med, "no single items"),
                    skipped("lengths.single_extreme_share", t_ext, "no single items")]
    else:
        dist = distribution([r for _, r in ratios])
        results.append(judged("lengths.single_median_ratio", dist["median"],
                              lo <= dist["median"] <= hi, t_med,
                              detail=f"p10={dist['p10']} p90={dist['p90']} n={dist['n']}",
                              data={"distribution": dist}))
        extreme = [f"{i} ({r:.2f})" for i, r in ratios if not ext_lo <= r <= ext_hi]
        share = len(extreme) / len(ratios)
        results.append(judged("lengths.single_extreme_share", share, share <= max_ext, t_ext,
                              detail=f"{len(extreme)} of {len(ratios)}",
                              offenders=extreme))
    m_lo, m_hi = (float(x) for x in conf["multi_median_ratio"])
    t_multi = f"median in [{m_lo}, {m_hi}]"
    multi = [r for r in (multi_ratio(it) for it in items if it.type == "multi") if r is not None]
    if not multi:
        results.append(skipped("lengths.multi_median_ratio", t_multi,
                               "no multi items with both keys and non-keys"))
    else:
        dist = distribution(multi)
        results.append(judged("lengths.multi_median_ratio", dist["median"],
                              m_lo <= dist["median"] <= m_hi, t_multi,
                              detail=f"p10={dist['p10']} p90={dist['p90']} n={dist['n']}",
                              data={"distribution": dist}))
    return results
