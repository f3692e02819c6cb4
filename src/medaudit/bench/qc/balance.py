"""Balance checks: key letters, judge keys, type mix and generated share per dimension.

A model that always answers "C" scores above chance on a benchmark whose keys favour C, so key
letters of 5-option single items must each be 20% +/- 5 pp, overall and in every dimension with
enough such items to judge (smaller groups are listed in the detail, not silently passed). The
type-mix and generated-share rules come from issue #4: at least 15% multi and 10% judge items per
dimension, at most 30% generator items.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence

from medaudit.bench.qc.base import CheckResult, Thresholds, judged, pct, single5, skipped
from medaudit.bench.schema import LETTERS, Item


def letter_shares(items: Sequence[Item], n_options: int = 5) -> dict[str, float]:
    counts = Counter(it.answer for it in items)
    total = len(items)
    return {letter: counts[letter] / total for letter in LETTERS[:n_options]} if total else {}


def _worst(shares: dict[str, float], target: float) -> tuple[str, float]:
    letter = max(shares, key=lambda k: abs(shares[k] - target))
    return letter, shares[letter] - target


def check_letters(items: Sequence[Item], th: Thresholds) -> list[CheckResult]:
    conf = th["balance"]
    target, tol = float(conf["letter_target"]), float(conf["letter_tolerance"])
    threshold = f"each letter {pct(target)} ± {100 * tol:.0f} pp"
    pool = single5(items)
    results: list[CheckResult] = []
    if not pool:
        return [skipped("balance.key_letters.overall", threshold, "no 5-option single items")]
    shares = letter_shares(pool)
    letter, dev = _worst(shares, target)
    results.append(judged(
        "balance.key_letters.overall", abs(dev), abs(dev) <= tol + 1e-12, threshold,
        detail=f"n={len(pool)}; worst {letter} {pct(shares[letter])}; "
               + " ".join(f"{k}={pct(v)}" for k, v in shares.items()),
        data={"n": len(pool), "shares": shares}))
    by_dim: dict[str, list[Item]] = defaultdict(list)
    for it in pool:
        by_dim[it.dimension].append(it)
    min_n = int(conf["min_group_items"])
    judged_dims = {d: g for d, g in by_dim.items() if len(g) >= min_n}
    small = sorted(f"{d}(n={len(g)})" for d, g in by_dim.items() if len(g) < min_n)
    name = "balance.key_letters.per_dimension"
    if not judged_dims:
        return [*results, skipped(name, threshold,
                                  f"every dimension has fewer than {min_n} such items")]
    offenders: list[str] = []
    worst_dev = 0.0
    data: dict[str, dict[str, float]] = {}
    for dim in sorted(judged_dims):
        dim_shares = letter_shares(judged_dims[dim])
        data[dim] = dim_shares
        dim_letter, dim_dev = _worst(dim_shares, target)
        worst_dev = max(worst_dev, abs(dim_dev))
        if abs(dim_dev) > tol + 1e-12:
            offenders.append(f"{dim}: {dim_letter}={pct(dim_shares[dim_letter])} "
                             f"(n={len(judged_dims[dim])})")
    detail = f"{len(judged_dims)} dimension(s) judged"
    if small:
        detail += f"; not judged (fewer than {min_n}): {', '.join(small)}"
    results.append(judged(name, worst_dev, not offenders, threshold, detail=detail,
                          offenders=offenders, data={"shares": data}))
    return results


def check_judge(items: Sequence[Item], th: Thresholds) -> CheckResult:
    lo, hi = (float(x) for x in th["balance"]["judge_true_share"])
    threshold = f"share of 正确 keys in [{pct(lo)}, {pct(hi)}]"
    pool = [it for it in items if it.type == "judge"]
    if not pool:
        return skipped("balance.judge_keys", threshold, "no judge items")
    share = sum(1 for it in pool if it.answer == "A") / len(pool)
    return judged("balance.judge_keys", share, lo <= share <= hi, threshold,
                  detail=f"n={len(pool)}")


def check_mix(items: Sequence[Item], th: Thresholds) -> list[CheckResult]:
    conf = th["balance"]
    min_n = int(conf["min_dimension_items"])
    by_dim: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        by_dim[it.dimension].append(it)
    big = {d: g for d, g in by_dim.items() if len(g) >= min_n}
    small = sorted(f"{d}(n={len(g)})" for d, g in by_dim.items() if len(g) < min_n)
    note = f"; not judged (fewer than {min_n} items): {', '.join(small)}" if small else ""
    results: list[CheckResult] = []
    for typ, floor in conf["min_type_share"].items():
        name, threshold = f"balance.type_share.{typ}", f">= {pct(float(floor))} per dimension"
        if not big:
            results.append(skipped(name, threshold, f"no dimension has {min_n} items"))
            continue
        shares = {d: sum(1 for it in g if it.type == typ) / len(g) for d, g in big.items()}
        low = sorted(f"{d}: {pct(s)}" for d, s in shares.items() if s < float(floor))
        results.append(judged(name, min(shares.values()), not low, threshold,
                              detail=f"lowest of {len(big)} dimension(s){note}", offenders=low,
                              data={"shares": shares}))
    cap = float(conf["max_generated_share"])
    name, threshold = "balance.generated_share", f"<= {pct(cap)} per dimension"
    if not big:
        results.append(skipped(name, threshold, f"no dimension has {min_n} items"))
        return results
    gen = {d: sum(1 for it in g if it.source.startswith("generated:")) / len(g)
           for d, g in big.items()}
    high = sorted(f"{d}: {pct(s)}" for d, s in gen.items() if s > cap)
    results.append(judged(name, max(gen.values()), not high, threshold,
                          detail=f"highest of {len(big)} dimension(s){note}", offenders=high,
                          data={"shares": gen}))
    return results


def run(items: Sequence[Item], th: Thresholds) -> list[CheckResult]:
    return [*check_letters(items, th), check_judge(items, th), *check_mix(items, th)]
