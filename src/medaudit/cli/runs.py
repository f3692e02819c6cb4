"""`medaudit runs list`: the runs in the store."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_runs(limit: int = typer.Option(50, min=1, help="Show at most this many runs.")) -> None:
    """Runs in the store, newest first."""
    from medaudit.store.db import Store

    store = Store()
    table = Table()
    for col in (
        "run id",
        "status",
        "model",
        "benchmark",
        "split",
        "method",
        "items",
        "updated",
        "output",
    ):
        table.add_column(col)
    for run in store.list_runs()[:limit]:
        table.add_row(
            run["run_id"],
            run["status"],
            run["model"],
            run["benchmark"],
            run["split"] or "all",
            run["method"],
            str(run["n_items"]),
            run["updated_at"].strftime("%Y-%m-%d %H:%M"),
            run["output_dir"] or "",
        )
    Console().print(table)
