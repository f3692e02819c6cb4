"""Self-contained HTML reports: one file with inline CSS, SVG and a small script, no network.

Model output is untrusted text: Jinja autoescaping is on for every template, charts escape their
text, and a Content-Security-Policy allows only the report's own script (by its sha256) and no
network fetches at all, so a response containing `<script>` is shown as text and a report opened
from an audit file cannot call home.
"""

from __future__ import annotations

import base64
import hashlib
from collections import Counter
from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from medaudit.report import charts
from medaudit.report.compare_view import build_comparison, pp, pval
from medaudit.report.load import RunData, load_run
from medaudit.report.view import build_view, ci_text, labels, pct


def _duration(seconds: float) -> str:
    seconds = max(0.0, float(seconds))
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, sec = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes}m {sec:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h {minutes:02d}m"


@lru_cache(maxsize=1)
def _env() -> Environment:
    env = Environment(loader=PackageLoader("medaudit.report", "templates"), autoescape=True,
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["pct"] = pct
    env.filters["ci"] = ci_text
    env.filters["duration"] = _duration
    env.filters["pp"] = pp
    env.filters["pval"] = pval
    return env


def _asset(name: str) -> str:
    return resources.files("medaudit.report").joinpath("templates", name).read_text("utf-8")


def _version() -> str:
    try:
        from medaudit import __version__
    except ImportError:  # pragma: no cover - the package always defines it
        return "unknown"
    return str(__version__)


def _page_context() -> dict[str, Any]:
    """CSS, script and the CSP that allows exactly that script and nothing from the network."""
    script = _asset("report.js")
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    csp = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
           f"script-src 'sha256-{digest}'; base-uri 'none'; form-action 'none'")
    return {"css": Markup(_asset("report.css")), "script": Markup(script), "csp": csp,
            "version": _version(),
            "generated": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def render_run_html(run: RunData) -> str:
    """The HTML report of an already loaded run."""
    view = build_view(run)
    lab = labels()
    return _env().get_template("report.html.j2").render(
        v=view, charts=charts, families=lab["families"], outcome_labels=lab["outcomes"],
        example_outcomes=lab["example_outcomes"], limit=lab["max_examples_html"],
        example_dims=Counter(e.dimension for e in view.examples), **_page_context())


def render_html(run_dir: Path) -> str:
    """The self-contained HTML report of the run in `run_dir`."""
    return render_run_html(load_run(run_dir))


def render_comparison_html(a_dir: Path, b_dir: Path, comparison: dict[str, Any]) -> str:
    """Paired comparison of two runs: a table and a dumbbell per dimension, from the dict that
    `medaudit.eval.compare.compare_runs` returns."""
    view = build_comparison(load_run(a_dir), load_run(b_dir), comparison)
    context = _page_context()
    context["script"] = ""
    context["csp"] = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                      "base-uri 'none'; form-action 'none'")
    colors = {"A": charts.A_COLOR, "B": charts.B_COLOR}
    return _env().get_template("compare.html.j2").render(c=view, charts=charts, colors=colors,
                                                         **context)
