"""`medaudit report RUN --format html|md|json [-o FILE]`: render a finished run's report.

RUN is a run directory, a run id under ./runs/ (a unique prefix is enough) or a run id the store
knows. Without -o, html is written to RUN/report.html (an HTML page in a terminal helps nobody)
and md/json go to stdout; `-o -` sends any format to stdout.
"""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path

import typer


class ReportFormat(StrEnum):
    html = "html"
    md = "md"
    json = "json"


def report_command(
    run: str = typer.Argument(..., metavar="RUN", help="Run directory, or run id under ./runs/ "
                                                        "(a unique prefix works)."),
    fmt: ReportFormat = typer.Option(ReportFormat.html, "--format", "-f",
                                     help="html: self-contained offline page; md: Markdown "
                                          "tables; json: the run's summary."),
    output: str | None = typer.Option(None, "--output", "-o", metavar="FILE",
                                      help="Where to write; '-' for stdout. Default: html to "
                                           "RUN/report.html, md and json to stdout."),
) -> None:
    """Render a run's report: accuracy with 95% CIs per dimension, outcomes, radar, examples."""
    from medaudit.fsutil import atomic_writer
    from medaudit.report.html import render_run_html
    from medaudit.report.load import load_run, resolve_run
    from medaudit.report.markdown import render_run_markdown

    run_dir = resolve_run(run)
    data = load_run(run_dir)
    if fmt is ReportFormat.html:
        text = render_run_html(data)
    elif fmt is ReportFormat.md:
        text = render_run_markdown(data)
    else:
        text = json.dumps(data.summary.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    target = output if output is not None else (
        str(run_dir / "report.html") if fmt is ReportFormat.html else "-")
    if target == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    with atomic_writer(Path(target)) as handle:
        handle.write(text)
    typer.echo(f"{fmt.value} report: {target}")


app = typer.Typer(help="Render a run's report (HTML, Markdown or JSON).", no_args_is_help=True,
                  add_completion=False)
app.callback(invoke_without_command=True,
             context_settings={"allow_interspersed_args": True})(report_command)
