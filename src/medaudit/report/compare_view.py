"""View model of a paired comparison (run A vs run B) for the Markdown and HTML renderers.

The statistics (differences, intervals, exact McNemar p, Holm adjustment) are computed by
`medaudit.eval.compare`; this module only orders, labels and formats them. `b01` counts items
A got wrong and B right, `b10` items A got right and B wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from medaudit.bench.taxonomy import Taxonomy, default_taxonomy
from medaudit.report.load import RunData
from medaudit.report.view import _ci, _num, dimension_order, labels


def pp(diff: float | None) -> str:
    """A difference of proportions in percentage points, signed."""
    return "—" if diff is None else f"{100 * diff:+.1f} pp"


def pval(p: float | None) -> str:
    if p is None:
        return "—"
    return "<0.001" if p < 0.001 else f"{p:.3f}"


@dataclass(frozen=True)
class CompareRow:
    dimension: str
    label: str
    n: int
    acc_a: float | None
    acc_b: float | None
    diff: float | None
    diff_ci95: tuple[float, float] | None
    b01: int
    b10: int
    p: float | None
    p_holm: float | None
    significant: bool


@dataclass(frozen=True)
class Side:
    name: str
    run_id: str
    model: str
    method: str
    benchmark: str
    split: str
    accuracy: float | None
    ci95: tuple[float, float] | None
    n_items: int
    created: str


@dataclass(frozen=True)
class ComparisonView:
    a: Side
    b: Side
    rows: list[CompareRow]
    overall: CompareRow | None
    notes: list[str]
    alpha: float


def _side(name: str, run: RunData) -> Side:
    s = run.summary
    created = run.manifest.created_at if run.manifest else "—"
    return Side(name, s.run_id, s.model, s.method, s.benchmark, s.split or "all", s.accuracy,
                _ci(s.ci95), s.n_items, created)


def _row(raw: dict[str, Any], taxonomy: Taxonomy, alpha: float, *, overall: bool = False
         ) -> CompareRow:
    dim = str(raw.get("dimension", "overall"))
    p, p_holm = _num(raw.get("p")), _num(raw.get("p_holm"))
    decisive = p if overall else p_holm
    return CompareRow(
        dimension=dim, label="总体 overall" if overall else taxonomy.label(dim),
        n=int(raw.get("n", 0)), acc_a=_num(raw.get("acc_a")), acc_b=_num(raw.get("acc_b")),
        diff=_num(raw.get("diff")), diff_ci95=_ci(raw.get("diff_ci95")),
        b01=int(raw.get("b01", 0)), b10=int(raw.get("b10", 0)), p=p, p_holm=p_holm,
        significant=decisive is not None and decisive < alpha)


def build_comparison(a: RunData, b: RunData, comparison: dict[str, Any],
                     taxonomy: Taxonomy | None = None) -> ComparisonView:
    tax = taxonomy or default_taxonomy()
    alpha = float(labels()["alpha"])
    raw_rows = {str(r.get("dimension")): r for r in comparison.get("rows", [])}
    rows = [_row(raw_rows[d], tax, alpha) for d in dimension_order(list(raw_rows), tax)]
    overall_raw = comparison.get("overall")
    overall = _row(overall_raw, tax, alpha, overall=True) if overall_raw else None
    notes = []
    if "n_shared" in comparison:
        notes.append(f"共同题目 shared items: {comparison['n_shared']}")
    if comparison.get("excluded_errors"):
        notes.append(f"任一方调用失败而排除 excluded for errors: {comparison['excluded_errors']}")
    if comparison.get("only_a") or comparison.get("only_b"):
        notes.append(f"仅在 A 中 only in A: {comparison.get('only_a', 0)}, "
                     f"仅在 B 中 only in B: {comparison.get('only_b', 0)}")
    return ComparisonView(_side("A", a), _side("B", b), rows, overall, notes, alpha)
