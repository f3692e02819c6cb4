"""Self-contained HTML report of a scan: counts per type and masked examples, no external assets.

A data-protection officer reads it without opening the data; the template only ever receives
masked snippets, so the raw values cannot leak into the report.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from importlib import resources

from medaudit.privacy.pipeline import FileFinding

EXAMPLES_PER_TYPE = 5


def render_scan_report(source: str, findings: Iterable[FileFinding], *, records: int,
                       chars: int, counts: Counter[str] | None = None,
                       examples_per_type: int = EXAMPLES_PER_TYPE) -> str:
    """Return the report's HTML for `findings` (only their masked snippets are used)."""
    import jinja2

    examples: dict[str, list[FileFinding]] = {}
    seen: Counter[str] = Counter()
    for ff in findings:
        seen[ff.finding.type] += 1
        rows = examples.setdefault(ff.finding.type, [])
        if len(rows) < examples_per_type:
            rows.append(ff)
    counts = counts if counts is not None else seen
    ordered = counts.most_common()
    text = resources.files("medaudit.privacy").joinpath("data", "scan_report.html.j2") \
        .read_text("utf-8")
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
    try:
        from importlib.metadata import version

        ver = version("medaudit")
    except Exception:  # not installed as a distribution (PYTHONPATH=src)
        ver = "dev"
    return env.from_string(text).render(
        source=source, records=records, chars=chars, total=sum(counts.values()),
        counts=ordered, max_count=max([n for _, n in ordered] or [1]),
        examples=sorted(examples.items(), key=lambda kv: -counts[kv[0]]),
        generated=dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC"), version=ver)
