"""`medaudit bench`: import external benchmarks, inspect and validate item files, show the taxonomy.

Commands stay thin: the work is in `medaudit.bench.adapters`, `bench.io` and `bench.stats`. A user
error (`MedauditError`) ends as one line on stderr and exit code 2, whether the group runs under
`medaudit` or on its own (tests); under `medaudit --debug` it propagates with its traceback.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from medaudit.cli.groups import UserErrorGroup
from medaudit.errors import MedauditError

app = typer.Typer(help="Import, inspect and validate benchmark item files.", no_args_is_help=True,
                  cls=UserErrorGroup)

FORMATS_HELP = "medethiceval, safetybench, cmexam, medes or generic"


def parse_map(text: str | None) -> dict[str, str] | None:
    """Parse `--map question=stem,answer=key` into {field: column}."""
    if text is None or not text.strip():
        return None
    mapping: dict[str, str] = {}
    for part in text.split(","):
        field, sep, column = part.partition("=")
        field, column = field.strip(), column.strip()
        if not sep or not field or not column:
            raise MedauditError(f"--map: '{part.strip()}' is not field=column; write e.g. "
                                "--map question=stem,answer=key")
        if field in mapping:
            raise MedauditError(f"--map: field '{field}' is given twice")
        mapping[field] = column
    return mapping


@app.command("import")
def import_command(
    input_path: Path = typer.Argument(..., metavar="INPUT", help="The benchmark file to import."),
    fmt: str = typer.Option(..., "--format", "-f", help=f"Input format: {FORMATS_HELP}."),
    output: Path = typer.Option(..., "--output", "-o", help="Item file to write (JSONL)."),
    answers: Path | None = typer.Option(None, "--answers",
                                        help="SafetyBench answers JSON ({id: {answer: index}})."),
    map_: str | None = typer.Option(None, "--map", help="Column mapping field=column,… e.g. "
                                    "question=stem,answer=key,options=choices."),
    dimension: str | None = typer.Option(None, "--dimension", help="Put every item in this "
                                         "dimension instead of the source's category."),
    id_prefix: str | None = typer.Option(None, "--id-prefix", help="Prefix of item ids "
                                         "(default: the format name)."),
    split: str | None = typer.Option(None, "--split", help="Set the split of every item: "
                                     "train, dev or test."),
    encoding: str = typer.Option("utf-8", "--encoding", help="Text encoding of CSV/JSON inputs, "
                                 "e.g. gb18030 (UTF-8 with or without BOM is the default)."),
) -> None:
    """Convert an external benchmark into a validated medaudit item file."""
    from rich.console import Console
    from rich.table import Table

    from medaudit.bench.adapters import import_benchmark
    from medaudit.bench.io import write_items

    if output.resolve() == input_path.resolve():
        raise MedauditError(f"-o {output} is the input file; write the items somewhere else")
    items = import_benchmark(fmt, input_path, answers, parse_map(map_), dimension,
                             id_prefix=id_prefix, split=split, encoding=encoding)
    count = write_items(output, items)
    table = Table(title=f"{count} items from {input_path.name}")
    for col in ("dimension", "source category", "single", "multi", "judge"):
        table.add_column(col, justify="right" if col in ("single", "multi", "judge") else "left")
    groups: dict[tuple[str, str], dict[str, int]] = {}
    for item in items:
        counts = groups.setdefault((item.dimension, item.subtopic or ""), {})
        counts[item.type] = counts.get(item.type, 0) + 1
    for (dim, category), counts in sorted(groups.items()):
        table.add_row(dim, category, *(str(counts.get(t, 0)) for t in ("single", "multi", "judge")))
    console = Console()
    console.print(table)
    typer.echo(f"wrote {count} items to {output}")  # plain: a wrapped path cannot be copied


@app.command("stats")
def stats_command(
    path: Path = typer.Argument(..., help="Item file (JSONL)."),
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """Counts per dimension × type × split, key-letter spread and option lengths."""
    from medaudit.bench.io import read_items
    from medaudit.bench.stats import item_stats

    stats = item_stats(read_items(path))
    if as_json:
        typer.echo(json.dumps(stats, ensure_ascii=False, indent=2))
        return
    _print_stats(path, stats)


def _print_stats(path: Path, stats: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    from medaudit.bench.taxonomy import default_taxonomy

    taxonomy = default_taxonomy()
    splits = list(stats["splits"])
    types = ("single", "multi", "judge")
    table = Table(title=f"{path}: {stats['n_items']} items")
    table.add_column("dimension")
    for col in (*types, *(f"split {s}" for s in splits), "total"):
        table.add_column(col, justify="right")
    for dim, entry in stats["by_dimension"].items():
        table.add_row(taxonomy.label(dim), *(str(entry["types"].get(t, 0)) for t in types),
                      *(str(entry["splits"].get(s, 0)) for s in splits), str(entry["n"]))
    table.add_section()
    table.add_row("[b]all[/b]", *(str(stats["types"].get(t, 0)) for t in types),
                  *(str(stats["splits"][s]) for s in splits), str(stats["n_items"]))
    keys = Table(title="key letters (multi: each letter of the key counts)")
    letters = sorted({x for c in stats["key_letters"].values() for x in c})
    keys.add_column("type")
    for letter in letters:
        keys.add_column(letter, justify="right")
    for typ, counts in stats["key_letters"].items():
        keys.add_row(typ, *(str(counts.get(x, 0)) for x in letters))
    lengths = Table(title="lengths (characters)")
    lengths.add_column("")
    for col in ("min", "mean", "median", "p95", "max"):
        lengths.add_column(col, justify="right")
    for name in ("question_length", "option_length"):
        row = stats[name]
        lengths.add_row(name.replace("_", " "), *("—" if row[c] is None else str(row[c])
                                                  for c in ("min", "mean", "median", "p95", "max")))
    console = Console()
    console.print(table)
    console.print(keys)
    console.print(lengths)
    n_opts = ", ".join(f"{n} options: {c}" for n, c in stats["n_options"].items())
    console.print(f"items by option count: {n_opts}")


@app.command("validate")
def validate_command(path: Path = typer.Argument(..., help="Item file (JSONL).")) -> None:
    """Check an item file against the schema and the taxonomy; prints "N items OK"."""
    from medaudit.bench.io import read_items
    from medaudit.bench.taxonomy import default_taxonomy

    items = read_items(path, known_dimensions=default_taxonomy().ids)
    typer.echo(f"{len(items)} items OK")


@app.command("taxonomy")
def taxonomy_command(
    as_json: bool = typer.Option(False, "--json", help="Print machine-readable JSON."),
) -> None:
    """The 20 CMES dimensions (11 ethics, 9 safety) from bench/taxonomy.yaml."""
    from rich.console import Console
    from rich.table import Table

    from medaudit.bench.taxonomy import default_taxonomy

    taxonomy = default_taxonomy()
    if as_json:
        typer.echo(json.dumps([d.model_dump() for d in taxonomy.dimensions], ensure_ascii=False,
                              indent=2))
        return
    table = Table(title=f"CMES taxonomy v{taxonomy.version}: {len(taxonomy.dimensions)} dimensions")
    for col in ("id", "family", "维度", "dimension"):
        table.add_column(col)
    for dim in taxonomy.dimensions:
        table.add_row(dim.id, dim.family, dim.zh, dim.en)
    Console().print(table)


def _mount_cmes_commands() -> None:
    """qc, build, export, datasheet and review live in cli/bench_cmes.py; merge them here."""
    from medaudit.cli.bench_cmes import app as cmes_app

    app.add_typer(cmes_app)


_mount_cmes_commands()
