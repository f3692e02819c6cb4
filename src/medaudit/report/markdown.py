"""Markdown reports: the essentials as plain tables a committee can paste into a document.

Model output is untrusted: table cells have `|`, `<` and `>` escaped and newlines folded, and raw
responses go into fenced blocks whose fence is longer than any backtick run inside them, so a
response can neither break the layout nor inject HTML into a Markdown viewer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from medaudit.report.compare_view import build_comparison, pp, pval
from medaudit.report.load import RunData, load_run
from medaudit.report.view import Example, ReportView, build_view, ci_text, labels, pct


def cell(value: object) -> str:
    """One table cell: no pipes, no HTML, no line breaks."""
    text = "—" if value is None or value == "" else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return re.sub(r"\s*\n\s*", " ", text.replace("|", "\\|")).strip()


def inline(value: object) -> str:
    """Text inside a list item: HTML escaped, line breaks folded."""
    return cell(value).replace("\\|", "|")


def fenced(text: str, info: str = "text") -> str:
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}{info}\n{text.rstrip()}\n{fence}"


def table(header: Sequence[str], rows: Iterable[Sequence[object]],
          align: Sequence[str] | None = None) -> str:
    """A pipe table; `align` holds 'l' or 'r' per column."""
    aligns = align or ["l"] * len(header)
    lines = ["| " + " | ".join(cell(h) for h in header) + " |",
             "|" + "|".join("---:" if a == "r" else "---" for a in aligns) + "|"]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


def _header(v: ReportView) -> list[str]:
    rows = [("run id", v.run_id), ("日期 date", v.created)]
    rows += [(f.label, f.full or f.value) for f in v.facts]
    return ["# 医学伦理与安全评测报告 · medaudit run report", "",
            table(("项目 item", "值 value"), rows), ""]


def _overall(v: ReportView) -> list[str]:
    scored = "—" if v.n_scored is None else v.n_scored
    rows = [("总体准确率 accuracy (95% Wilson CI)", f"{pct(v.accuracy)} {ci_text(v.ci95)}"),
            ("宏平均 macro average", f"{pct(v.macro)} ({len(v.dims)} dimensions)"),
            ("题目 items / 计分 scored", f"{v.n_items} / {scored}"),
            ("用时 elapsed", f"{v.elapsed_s:.1f} s · {v.items_per_s:.2f} items/s")]
    outcome_rows = [(f"{o.label} {o.key}", o.count, pct(o.share)) for o in v.outcomes]
    return ["## 总体结果 Overall", "", table(("指标 metric", "值 value"), rows), "",
            "调用失败 (error) 的题目不计入准确率分母。", "",
            "## 结果分布 Outcomes", "",
            table(("结果 outcome", "n", "占比 share"), outcome_rows, "lrr"), ""]


def _dims(v: ReportView) -> list[str]:
    head = ["维度 dimension", "n", "准确率", "95% CI", *(o.label for o in v.outcomes)]
    rows = [(d.label, d.n if d.n_scored in (None, d.n) else f"{d.n} ({d.n_scored})",
             pct(d.accuracy), ci_text(d.ci95), *(d.outcomes[o.key] for o in v.outcomes))
            for d in v.dims]
    out = ["## 分维度准确率 Per-dimension accuracy", "",
           table(head, rows, "lrrr" + "r" * len(v.outcomes)), ""]
    if v.types:
        out += ["## 按题型 By item type", "",
                table(("题型 type", "n", "准确率", "95% CI"),
                      [(t.label, t.n, pct(t.accuracy), ci_text(t.ci95)) for t in v.types], "lrrr"),
                ""]
    return out


def _extras(v: ReportView) -> list[str]:
    out: list[str] = []
    if v.multi:
        m = v.multi
        out += ["## 不定项题 Multi-answer items", "",
                table(("指标 metric", "值 value", "95% CI"),
                      [(f"完全匹配 exact match (n={m['n']})", pct(m["exact_match"]),
                        ci_text(m["ci95"])),
                       ("部分得分 partial credit", pct(m["partial_credit"]), "—")], "lrr"), ""]
        if m.get("rule"):
            out += [f"部分得分规则 rule: {inline(m['rule'])}", ""]
    if v.calibration:
        ece = v.calibration["ece"]
        out += ["## 校准 Calibration", "",
                f"期望校准误差 ECE = {'—' if ece is None else f'{ece:.3f}'}", ""]
        if v.calibration["bins"]:
            out += [table(("置信度区间 bin", "n", "平均置信度", "准确率"),
                          [(f"{pct(b['lo'], 0)}–{pct(b['hi'], 0)}", b["n"], pct(b["confidence"]),
                            pct(b["accuracy"])) for b in v.calibration["bins"]], "lrrr"), ""]
    if v.rules:
        out += ["## 答案抽取规则 Extraction rules", "",
                table(("规则 rule", "合计", *(o.label for o in v.outcomes)),
                      [(f"`{r}`", t, *(c[o.key] for o in v.outcomes)) for r, t, c in v.rules],
                      "lr" + "r" * len(v.outcomes)), ""]
    return out


def _example(e: Example) -> list[str]:
    out = [f"#### `{e.id}` · {inline(e.dim_label)} · {e.type_label}", ""]
    if e.question:
        out.append(f"- 题干 question: {inline(e.question)}")
    for letter, text in e.options:
        marks = (" ✓" if letter in e.answer else "") + (
            " ◀" if e.extracted and letter in e.extracted else "")
        out.append(f"  - {letter}. {inline(text)}{marks}")
    out.append(f"- 标准答案 key: **{e.answer}** · 提取 extracted: **{e.extracted or '—'}** · "
               f"规则 rule: `{e.rule or '—'}`")
    if e.error:
        out.append(f"- 错误 error: {inline(e.error)}")
    out.append("")
    if e.response is not None:
        out += ["模型原始输出 raw response:", "", fenced(e.response), ""]
    return out


def _examples(v: ReportView, per_outcome: int) -> list[str]:
    lab = labels()
    out = ["## 样例 Examples", "",
           f"每类最多 {per_outcome} 条；完整记录见 samples.jsonl 与 report.html。", ""]
    for outcome in lab["example_outcomes"]:
        pool = [e for e in v.examples if e.outcome == outcome]
        total = v.example_totals.get(outcome, 0)
        name = lab["outcomes"][outcome]["zh"]
        out += [f"### {name} {outcome} ({min(per_outcome, total)} / {total})", ""]
        if not pool:
            out += ["无 none.", ""]
        for e in pool[:per_outcome]:
            out += _example(e)
    return out


def render_run_markdown(run: RunData, *, examples_per_outcome: int | None = None) -> str:
    """The Markdown report of an already loaded run."""
    per = labels()["max_examples_md"] if examples_per_outcome is None else examples_per_outcome
    v = build_view(run, max_examples=per)
    parts = [*_header(v), *_overall(v), *_dims(v), *_extras(v), *_examples(v, per)]
    return "\n".join(parts).rstrip() + "\n"


def render_markdown(run_dir: Path) -> str:
    """The Markdown report of the run in `run_dir`."""
    return render_run_markdown(load_run(run_dir))


def render_comparison_markdown(a_dir: Path, b_dir: Path, comparison: dict[str, Any]) -> str:
    """The paired comparison as Markdown tables (see `render_comparison_html`)."""
    c = build_comparison(load_run(a_dir), load_run(b_dir), comparison)
    runs = [(s.name, s.model, s.run_id, f"{s.benchmark} / {s.split}", s.method, s.n_items,
             f"{pct(s.accuracy)} {ci_text(s.ci95)}") for s in (c.a, c.b)]
    rows = []
    for r in [*c.rows, *([c.overall] if c.overall else [])]:
        label = f"**{r.label}**" if r.significant else r.label
        rows.append((label, r.n, pct(r.acc_a), pct(r.acc_b), pp(r.diff), ci_text(r.diff_ci95),
                     r.b01, r.b10, pval(r.p), pval(r.p_holm)))
    out = ["# 配对对比报告 · paired comparison", "",
           table(("", "模型 model", "run id", "基准 benchmark", "方法 method", "题目 items",
                  "准确率 (95% CI)"), runs, "lllllrr"), ""]
    if c.notes:
        out += [" · ".join(c.notes), ""]
    out += ["## 分维度差异 B − A", "",
            table(("维度 dimension", "n", "A", "B", "B−A", "95% CI", "b01", "b10", "p",
                   "p (Holm)"), rows, "lrrrrrrrrr"), "",
            f"加粗：Holm 校正后 p < {c.alpha}（总体行用未校正 p）。"
            "b01：A 错而 B 对；b10：A 对而 B 错。精确 McNemar 检验。", ""]
    return "\n".join(out).rstrip() + "\n"
