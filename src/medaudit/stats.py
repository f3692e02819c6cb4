"""Statistics behind every figure: Wilson intervals, exact McNemar, Holm, ECE, paired differences.

Pure Python (math only) so `import medaudit` stays light and results do not depend on SciPy's
version. An empty group has accuracy `None`, never 0.0.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

Z95 = 1.959963984540054


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float] | None:
    """Wilson score interval for a binomial proportion; None when n == 0."""
    if n <= 0:
        return None
    if not 0 <= successes <= n:
        raise ValueError(f"successes={successes} outside 0..{n}")
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if successes == 0 else max(0.0, centre - half)
    hi = 1.0 if successes == n else min(1.0, centre + half)
    return lo, hi


def proportion(successes: int, n: int) -> float | None:
    return successes / n if n else None


def mcnemar_exact(b01: int, b10: int) -> float:
    """Two-sided exact McNemar p-value from the discordant counts.

    b01: items wrong under A and right under B; b10: right under A and wrong under B.
    Under H0 the discordant pairs split Binomial(b01 + b10, 1/2).
    """
    n = b01 + b10
    if n == 0:
        return 1.0
    k = min(b01, b10)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2**n
    return min(1.0, 2 * tail)


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values, in the input order."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [0.0] * m
    running = 0.0
    for rank, idx in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[idx]))
        adjusted[idx] = running
    return adjusted


@dataclass(frozen=True)
class PairedDifference:
    n: int
    acc_a: float | None
    acc_b: float | None
    diff: float | None
    diff_ci95: tuple[float, float] | None
    b01: int
    b10: int
    p: float


def paired_difference(a: Sequence[bool], b: Sequence[bool], z: float = Z95) -> PairedDifference:
    """Difference in accuracy (B − A) on the same items, with a Wald interval for paired
    proportions (Agresti–Min adjusted by adding 0.5 to each cell) and the exact McNemar p."""
    if len(a) != len(b):
        raise ValueError("paired samples must have the same length")
    n = len(a)
    b01 = sum(1 for x, y in zip(a, b, strict=True) if not x and y)
    b10 = sum(1 for x, y in zip(a, b, strict=True) if x and not y)
    p = mcnemar_exact(b01, b10)
    if n == 0:
        return PairedDifference(0, None, None, None, None, 0, 0, 1.0)
    acc_a = sum(a) / n
    acc_b = sum(b) / n
    diff = acc_b - acc_a
    n_adj = n + 2
    p01 = (b01 + 0.5) / n_adj
    p10 = (b10 + 0.5) / n_adj
    d_adj = p01 - p10
    se = math.sqrt(max(0.0, (p01 + p10 - d_adj**2) / n_adj))
    ci = (max(-1.0, d_adj - z * se), min(1.0, d_adj + z * se))
    return PairedDifference(n, acc_a, acc_b, diff, ci, b01, b10, p)


def expected_calibration_error(
    confidences: Sequence[float], correct: Sequence[bool], bins: int = 10
) -> dict[str, object] | None:
    """ECE with equal-width bins over the top-choice confidence; returns the reliability table."""
    if not confidences:
        return None
    table = []
    total = len(confidences)
    ece = 0.0
    for b in range(bins):
        lo, hi = b / bins, (b + 1) / bins
        idx = [
            i for i, c in enumerate(confidences) if (lo <= c < hi) or (b == bins - 1 and c == 1.0)
        ]
        if not idx:
            continue
        conf = sum(confidences[i] for i in idx) / len(idx)
        acc = sum(1 for i in idx if correct[i]) / len(idx)
        ece += len(idx) / total * abs(conf - acc)
        table.append({"bin": [lo, hi], "n": len(idx), "confidence": conf, "accuracy": acc})
    return {"ece": ece, "bins": bins, "reliability": table}
