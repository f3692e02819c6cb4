"""Run reports: Markdown and self-contained HTML from a run directory, and run comparisons.

    from medaudit.report import write_reports
    write_reports(Path("runs/<run_id>"))   # writes report.md and report.html
"""

from __future__ import annotations

from medaudit.report.html import render_comparison_html, render_html
from medaudit.report.load import RunData, load_run, resolve_run
from medaudit.report.markdown import render_comparison_markdown, render_markdown
from medaudit.report.write import write_reports

__all__ = ["RunData", "load_run", "render_comparison_html", "render_comparison_markdown",
           "render_html", "render_markdown", "resolve_run", "write_reports"]
