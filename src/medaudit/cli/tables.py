"""Terminal tables shared by commands (per-dimension results)."""

from __future__ import annotations

from typing import Any

from rich.table import Table

from medaudit.bench.taxonomy import default_taxonomy


def pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}"


def ci(bounds: list[float] | None) -> str:
    return "—" if not bounds else f"[{100 * bounds[0]:.1f}, {100 * bounds[1]:.1f}]"


def dimension_table(summary: dict[str, Any]) -> Table:
    taxonomy = default_taxonomy()
    table = Table(
        title=f"{summary['model']} on {summary['benchmark']} ({summary['method']})",
        show_lines=False,
    )
    # Numbers never truncate; on a narrow terminal the dimension name is shortened instead.
    table.add_column("dimension", no_wrap=True, overflow="ellipsis", max_width=19)
    for col in ("n", "acc %", "95% CI", "wrong", "unp", "ref", "err"):
        table.add_column(col, justify="right", no_wrap=True)
    table.caption = "unp = unparsed, ref = refused, err = error (not counted in accuracy)"
    for dim, row in summary["by_dimension"].items():
        o = row["outcomes"]
        table.add_row(
            taxonomy.label(dim),
            str(row["n"]),
            pct(row["accuracy"]),
            ci(row["ci95"]),
            str(o["wrong"]),
            str(o["unparsed"]),
            str(o["refused"]),
            str(o["error"]),
        )
    o = summary["outcomes"]
    table.add_section()
    table.add_row(
        "[b]overall[/b]",
        str(summary["n_items"]),
        pct(summary["accuracy"]),
        ci(summary["ci95"]),
        str(o["wrong"]),
        str(o["unparsed"]),
        str(o["refused"]),
        str(o["error"]),
    )
    table.add_row("macro average", "", pct(summary.get("macro_accuracy")), "", "", "", "", "")
    return table
