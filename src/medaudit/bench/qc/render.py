"""Show a QC report: a rich table for the terminal, Markdown for the datasheet, JSON for tools."""

from __future__ import annotations

import json
from typing import Any

from medaudit.bench.qc.base import CheckResult
from medaudit.bench.qc.runner import QCReport

MAX_OFFENDERS = 5


def show_value(result: CheckResult) -> str:
    if result.value is None:
        return "—"
    if isinstance(result.value, float):
        return f"{result.value:.3f}"
    return str(result.value)


def detail_text(result: CheckResult, max_offenders: int = MAX_OFFENDERS) -> str:
    parts = [result.detail] if result.detail else []
    if result.offenders:
        shown = "; ".join(result.offenders[:max_offenders])
        more = len(result.offenders) - max_offenders
        parts.append(shown + (f"; … {more} more" if more > 0 else ""))
    return " | ".join(parts)


def to_json(report: QCReport) -> str:
    return json.dumps(report.to_dict(), ensure_ascii=False, indent=2)


def print_table(report: QCReport, console: Any) -> None:
    from rich.table import Table

    styles = {"pass": "green", "fail": "bold red", "skipped": "yellow"}
    table = Table(title=f"QC of {report.source} ({report.n_items} items)")
    for col in ("check", "status", "value", "threshold", "detail"):
        table.add_column(col, overflow="fold")
    for r in report.results:
        table.add_row(r.name, f"[{styles[r.status]}]{r.status}[/]", show_value(r), r.threshold,
                      detail_text(r))
    console.print(table)
    c = report.counts()
    verdict = "[green]PASS[/]" if report.ok else "[bold red]FAIL[/]"
    console.print(f"{verdict}: {c['pass']} passed, {c['fail']} failed, {c['skipped']} skipped "
                  f"({report.elapsed_s:.1f} s)")


def _md(text: str) -> str:
    return (text.replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")
            .replace("\n", " "))


def to_markdown(report: QCReport, max_offenders: int = 3) -> str:
    lines = ["| check | status | value | threshold | detail |", "|---|---|---|---|---|"]
    for r in report.results:
        lines.append(f"| {r.name} | {r.status} | {_md(show_value(r))} | {_md(r.threshold)} | "
                     f"{_md(detail_text(r, max_offenders))} |")
    c = report.counts()
    lines.append("")
    lines.append(f"{'PASS' if report.ok else 'FAIL'}: {c['pass']} passed, {c['fail']} failed, "
                 f"{c['skipped']} skipped.")
    return "\n".join(lines)
