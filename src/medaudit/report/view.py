"""The report's view model: what both the Markdown and the HTML report show, computed once.

Figures come from summary.json as written by the run; the report never recomputes an accuracy
or an interval, so the report and the summary cannot disagree. Counts that the summary does not
carry (per-dimension outcomes of older runs, extraction-rule counts) are counted from samples.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

from medaudit.bench.taxonomy import Taxonomy, default_taxonomy
from medaudit.eval.records import OUTCOMES, SampleRecord
from medaudit.report.load import RunData


@lru_cache(maxsize=1)
def labels() -> dict[str, Any]:
    """Display names, colours and limits from report/labels.yaml."""
    text = resources.files("medaudit.report").joinpath("labels.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def pct(value: float | None, digits: int = 1) -> str:
    return "—" if value is None else f"{100 * value:.{digits}f}%"


def ci_text(ci: tuple[float, float] | None, digits: int = 1) -> str:
    return "—" if ci is None else f"[{100 * ci[0]:.{digits}f}, {100 * ci[1]:.{digits}f}]"


def short(value: object, length: int = 12) -> str:
    return "—" if not value else str(value)[:length]


def _ci(value: object) -> tuple[float, float] | None:
    if isinstance(value, list | tuple) and len(value) == 2 and all(
            isinstance(v, int | float) for v in value):
        return float(value[0]), float(value[1])
    return None


def _num(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) and not isinstance(value, bool) else None


@dataclass(frozen=True)
class DimRow:
    id: str
    label: str
    family: str
    n: int
    n_scored: int | None
    accuracy: float | None
    ci95: tuple[float, float] | None
    outcomes: dict[str, int]


@dataclass(frozen=True)
class OutcomeRow:
    key: str
    label: str
    color: str
    count: int
    share: float | None


@dataclass(frozen=True)
class Example:
    id: str
    dimension: str
    dim_label: str
    type_label: str
    outcome: str
    answer: str
    extracted: str | None
    rule: str | None
    response: str | None
    error: str | None
    question: str | None
    options: list[tuple[str, str]]
    prompt: str | None
    latency_s: float
    attempts: int
    partial_credit: float | None
    probs: dict[str, float] | None


@dataclass(frozen=True)
class Fact:
    """A header fact: `value` is shown, `full` (e.g. a whole sha256) goes in the tooltip and in
    the Markdown report."""

    label: str
    value: str
    full: str | None = None


@dataclass(frozen=True)
class ReportView:
    run_id: str
    model: str
    benchmark: str
    split: str
    method: str
    created: str
    n_items: int
    n_scored: int | None
    accuracy: float | None
    ci95: tuple[float, float] | None
    macro: float | None
    circular: bool
    outcomes: list[OutcomeRow]
    dims: list[DimRow]
    types: list[DimRow]
    facts: list[Fact]
    multi: dict[str, Any] | None
    calibration: dict[str, Any] | None
    rules: list[tuple[str, int, dict[str, int]]]
    examples: list[Example]
    example_totals: dict[str, int]
    elapsed_s: float
    items_per_s: float


def dimension_order(ids: list[str], taxonomy: Taxonomy) -> list[str]:
    """Taxonomy order first (E01…E11, S01…S09), then any other ids sorted."""
    known = [d for d in taxonomy.ids if d in ids]
    return known + sorted(set(ids) - set(known))


def _family(dim_id: str, taxonomy: Taxonomy) -> str:
    dim = taxonomy.get(dim_id)
    return dim.family if dim is not None else "other"


def _count_outcomes(samples: list[SampleRecord], dim: str) -> dict[str, int]:
    counts = Counter(s.outcome.value for s in samples if s.dimension == dim)
    return {o: counts.get(o, 0) for o in OUTCOMES}


def _dim_rows(run: RunData, taxonomy: Taxonomy) -> list[DimRow]:
    by_dim = run.summary.by_dimension
    rows = []
    for dim in dimension_order(list(by_dim), taxonomy):
        entry = by_dim[dim]
        outcomes = entry.get("outcomes") or _count_outcomes(run.samples, dim)
        rows.append(DimRow(dim, taxonomy.label(dim), _family(dim, taxonomy), int(entry.get("n", 0)),
                           entry.get("n_scored"), _num(entry.get("accuracy")),
                           _ci(entry.get("ci95")), {o: int(outcomes.get(o, 0)) for o in OUTCOMES}))
    return rows


def _type_rows(run: RunData) -> list[DimRow]:
    by_type = getattr(run.summary, "by_type", None)
    if not isinstance(by_type, dict):
        return []
    names = labels()["types"]
    return [DimRow(t, f"{names.get(t, t)} ({t})", "other", int(e.get("n", 0)), e.get("n_scored"),
                   _num(e.get("accuracy")), _ci(e.get("ci95")),
                   {o: int((e.get("outcomes") or {}).get(o, 0)) for o in OUTCOMES})
            for t, e in by_type.items() if isinstance(e, dict)]


def _created(raw: str | None) -> str:
    if not raw:
        return "—"
    try:
        stamp = datetime.fromisoformat(raw)
    except ValueError:
        return raw
    zone = " UTC" if stamp.utcoffset() is not None and not stamp.utcoffset() else ""
    return stamp.strftime("%Y-%m-%d %H:%M") + zone


def _facts(run: RunData) -> list[Fact]:
    """The manifest essentials a reviewer needs to say which weights, prompt and items ran."""
    s, m = run.summary, run.manifest
    facts = [Fact("模型 model", s.model),
             Fact("基准 benchmark", f"{s.benchmark} · {s.split or 'all'}"),
             Fact("方法 method", s.method + (" · circular" if s.circular else ""))]
    if m is None:
        return [*facts, Fact("manifest", "manifest.json 缺失 (missing)")]
    model, prompt, bench = m.model, m.prompt, m.benchmark
    sha = model.get("file_sha256") or model.get("sha256")
    facts.append(Fact("模型文件 sha256", short(sha), str(sha) if sha else None))
    template = prompt.get("template") or prompt.get("id") or "—"
    p_hash = prompt.get("template_sha256") or prompt.get("hash") or prompt.get("sha256")
    shots = prompt.get("shots")
    n_shots = len(shots) if isinstance(shots, list) else shots
    facts.append(Fact("提示模板 prompt", f"{template} · {short(p_hash)}",
                      f"{template} · {p_hash}" if p_hash else None))
    facts.append(Fact("示例数 shots", str(n_shots if n_shots is not None else 0)))
    b_hash = bench.get("sha256")
    facts.append(Fact("题库 sha256", short(b_hash), str(b_hash) if b_hash else None))
    facts.append(Fact("随机种子 seed", str(m.seed)))
    facts.append(Fact("温度 temperature", f"{m.temperature:g}"))
    facts += _lineage_facts(m.lineage)
    version = m.packages.get("medaudit")
    if version:
        facts.append(Fact("medaudit", version + (f" · {short(m.git_revision, 10)}"
                                                 if m.git_revision else "")))
    return facts


def _lineage_facts(lineage: dict[str, Any] | None) -> list[Fact]:
    """A fine-tuned model's lineage (manifest.lineage): what it was tuned from and on."""
    if not lineage:
        return []
    from medaudit.finetune.summary import lineage_rows

    wanted = ("base sha256", "train data", "train item ids sha256", "adapter sha256", "seed")
    rows = dict(lineage_rows(lineage))
    facts = [Fact("微调谱系 lineage", short(lineage.get("path"), 60), str(lineage.get("path")))]
    for key in wanted:
        value = rows.get(key)
        if value and value != "None":
            facts.append(Fact(f"微调 {key}", short(value, 16), value))
    return facts


def _multi(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    if not raw:
        return None
    exact = _num(raw.get("exact_match", raw.get("accuracy")))
    return {"n": raw.get("n"), "exact_match": exact, "ci95": _ci(raw.get("ci95")),
            "partial_credit": _num(raw.get("partial_credit")),
            "rule": raw.get("partial_credit_rule")}


def _calibration(raw: dict[str, Any] | None) -> dict[str, Any] | None:
    """ECE and the reliability table; bins are {bin: [lo, hi], n, confidence, accuracy}."""
    if not raw:
        return None
    table = raw.get("reliability")
    if not isinstance(table, list):
        table = raw.get("bins")
    bins = []
    for row in table if isinstance(table, list) else []:
        if not isinstance(row, dict):
            continue
        edges = _ci(row.get("bin")) or (_num(row.get("lo")), _num(row.get("hi")))
        conf, acc = _num(row.get("confidence")), _num(row.get("accuracy"))
        if None in edges or conf is None or acc is None:
            continue
        bins.append({"lo": edges[0], "hi": edges[1], "n": int(row.get("n", 0)),
                     "confidence": conf, "accuracy": acc})
    return {"ece": _num(raw.get("ece")), "bins": bins}


def _rules(samples: list[SampleRecord]) -> list[tuple[str, int, dict[str, int]]]:
    table: dict[str, Counter[str]] = {}
    for s in samples:
        table.setdefault(s.rule or "—", Counter())[s.outcome.value] += 1
    rows = [(rule, sum(c.values()), {o: c.get(o, 0) for o in OUTCOMES})
            for rule, c in table.items()]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def _example(s: SampleRecord, run: RunData, taxonomy: Taxonomy) -> Example:
    extra = s.model_extra or {}
    looked_up = run.items.get(s.id, {})
    question = s.question or extra.get("question") or looked_up.get("question")
    options = s.options or extra.get("options") or looked_up.get("options") or {}
    return Example(
        id=s.id, dimension=s.dimension, dim_label=taxonomy.label(s.dimension),
        type_label=labels()["types"].get(s.type, s.type), outcome=s.outcome.value,
        answer=s.answer, extracted=s.extracted, rule=s.rule, response=s.response, error=s.error,
        question=str(question) if question else None,
        options=[(str(k), str(v)) for k, v in options.items()] if isinstance(options, dict) else [],
        prompt=s.prompt, latency_s=s.latency_s, attempts=s.attempts,
        partial_credit=s.partial_credit, probs=s.probs)


def build_view(run: RunData, *, max_examples: int | None = None,
               taxonomy: Taxonomy | None = None) -> ReportView:
    """Everything a report shows. `max_examples` caps the examples listed per outcome."""
    tax = taxonomy or default_taxonomy()
    lab = labels()
    s = run.summary
    limit = lab["max_examples_html"] if max_examples is None else max_examples
    total = sum(s.outcomes.values())
    outcomes = [OutcomeRow(o, lab["outcomes"][o]["zh"], lab["outcomes"][o]["color"],
                           int(s.outcomes.get(o, 0)),
                           s.outcomes.get(o, 0) / total if total else None) for o in OUTCOMES]
    order = {d: i for i, d in enumerate(dimension_order(list({x.dimension for x in run.samples}),
                                                        tax))}
    wanted = lab["example_outcomes"]
    examples: list[Example] = []
    totals: dict[str, int] = {}
    for outcome in wanted:
        pool = sorted((x for x in run.samples if x.outcome.value == outcome),
                      key=lambda x: (order.get(x.dimension, 0), x.id))
        totals[outcome] = len(pool)
        examples += [_example(x, run, tax) for x in pool[:limit]]
    created = run.manifest.created_at if run.manifest else None
    return ReportView(
        run_id=s.run_id, model=s.model, benchmark=s.benchmark, split=s.split or "all",
        method=s.method, created=_created(created), n_items=s.n_items,
        n_scored=getattr(s, "n_scored", None), accuracy=s.accuracy, ci95=_ci(s.ci95),
        macro=s.macro_accuracy, circular=s.circular, outcomes=outcomes, dims=_dim_rows(run, tax),
        types=_type_rows(run), facts=_facts(run), multi=_multi(s.multi),
        calibration=_calibration(s.calibration), rules=_rules(run.samples), examples=examples,
        example_totals=totals, elapsed_s=s.elapsed_s, items_per_s=s.items_per_s)
