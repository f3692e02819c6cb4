"""Write report.md and report.html next to a run's summary.json, each atomically."""

from __future__ import annotations

from pathlib import Path

from medaudit.fsutil import atomic_writer
from medaudit.report.html import render_run_html
from medaudit.report.load import load_run
from medaudit.report.markdown import render_run_markdown

REPORT_FILES = {"md": "report.md", "html": "report.html"}


def write_reports(run_dir: Path) -> dict[str, Path]:
    """Render both reports from the files in `run_dir` and write them there.

    Both are rendered before either is written, so a rendering error leaves the previous reports
    untouched; each write goes through a temp file and a rename, so a reader never sees half a
    report. Returns {"md": path, "html": path}.
    """
    run = load_run(run_dir)
    rendered = {"md": render_run_markdown(run), "html": render_run_html(run)}
    written: dict[str, Path] = {}
    for kind, text in rendered.items():
        path = Path(run_dir) / REPORT_FILES[kind]
        with atomic_writer(path) as handle:
            handle.write(text)
        written[kind] = path
    return written
