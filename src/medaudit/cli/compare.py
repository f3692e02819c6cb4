"""`medaudit compare RUN_A RUN_B`: paired per-dimension differences with McNemar tests."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table


def _fmt(value: float | None, scale: float = 100, digits: int = 1) -> str:
    return "—" if value is None else f"{scale * value:.{digits}f}"


def compare_command(
    run_a: str = typer.Argument(..., help="Baseline run: a run directory or a run id."),
    run_b: str = typer.Argument(..., help="Candidate run: a run directory or a run id."),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Directory for compare.json, compare.md, compare.html."
    ),
    guard_a: str | None = typer.Option(
        None, help="Fine-tunes: run A on the general guard set (data/general/medknowledge.jsonl)."
    ),
    guard_b: str | None = typer.Option(None, help="Fine-tunes: run B on the general guard set."),
) -> None:
    """Per-dimension accuracy of B minus A, 95% CI, exact McNemar p and Holm-adjusted p."""
    from medaudit.bench.taxonomy import default_taxonomy
    from medaudit.eval.compare import compare_runs
    from medaudit.finetune.report import finetune_html, finetune_markdown, finetune_section
    from medaudit.fsutil import atomic_writer

    result = compare_runs(run_a, run_b)
    section = finetune_section(
        Path(result["a"]["run_dir"]), Path(result["b"]["run_dir"]), guard_a, guard_b
    )
    if section is not None:
        result["finetune"] = section
    taxonomy = default_taxonomy()
    table = Table(title=f"A = {result['a']['model']}   B = {result['b']['model']}")
    for col in (
        "dimension",
        "n",
        "A %",
        "B %",
        "B−A pp",
        "95% CI",
        "B only",
        "A only",
        "p",
        "p (Holm)",
    ):
        table.add_column(col, justify="left" if col == "dimension" else "right")
    for row in [*result["rows"], result["overall"]]:
        ci = row["diff_ci95"]
        label = "overall" if row is result["overall"] else taxonomy.label(row["dimension"])
        if row is result["overall"]:
            table.add_section()
        table.add_row(
            label,
            str(row["n"]),
            _fmt(row["acc_a"]),
            _fmt(row["acc_b"]),
            _fmt(row["diff"]),
            "—" if not ci else f"[{100 * ci[0]:.1f}, {100 * ci[1]:.1f}]",
            str(row["b01"]),
            str(row["b10"]),
            f"{row['p']:.3g}",
            f"{row['p_holm']:.3g}" if "p_holm" in row else "",
        )
    console = Console()
    console.print(table)
    console.print(
        f"{result['n_shared']} shared items; {result['excluded_errors']} left out for errors; "
        f"{result['only_a']} only in A, {result['only_b']} only in B"
    )
    guard = (section or {}).get("guard")
    if guard:
        overall = guard["overall"]
        console.print(
            f"general-ability guard: A {_fmt(overall['acc_a'])}% -> B {_fmt(overall['acc_b'])}% "
            f"({guard['verdict']}: {guard['reason']})"
        )
    if output is not None:
        with atomic_writer(output / "compare.json") as handle:
            json.dump(result, handle, ensure_ascii=False, indent=2)
        from medaudit.report import render_comparison_html, render_comparison_markdown

        a_dir, b_dir = Path(result["a"]["run_dir"]), Path(result["b"]["run_dir"])
        markdown = render_comparison_markdown(a_dir, b_dir, result)
        page = render_comparison_html(a_dir, b_dir, result)
        if section is not None:
            from medaudit.finetune.report import inject_html

            markdown += finetune_markdown(section)
            page = inject_html(page, finetune_html(section))
        with atomic_writer(output / "compare.md") as handle:
            handle.write(markdown)
        with atomic_writer(output / "compare.html") as handle:
            handle.write(page)
        console.print(f"written: {output}/compare.json, compare.md, compare.html")
