"""The measured parts of docs/benchmark/datasheet.md, generated from the files, never typed.

`medaudit bench datasheet` prints the composition table (dimension × type × split), sources,
the blind-review agreement per dimension from review_log.jsonl and the QC table, each under the
command that produced it, so the datasheet's figures can be regenerated and diffed. The prose
sections (motivation, collection process, license, limitations) are written by hand around it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from medaudit.bench.qc.runner import QCReport
from medaudit.bench.review_log import ReviewCurrency, round_of
from medaudit.bench.schema import Item
from medaudit.bench.taxonomy import default_taxonomy

TYPES = ("single", "multi", "judge")
SPLITS = ("train", "dev", "test")


def composition_table(items: Sequence[Item]) -> str:
    """Rows: dimensions; cells: train/dev/test counts per type, then totals."""
    tax = default_taxonomy()
    cells: Counter[tuple[str, str, str]] = Counter(
        (it.dimension, str(it.type), str(it.split or "none")) for it in items)
    has_none = any(it.split is None for it in items)
    splits = (*SPLITS, "none") if has_none else SPLITS
    head = "/".join(splits)
    lines = [f"| dimension | single ({head}) | multi ({head}) | judge ({head}) | total |",
             "|---|---|---|---|---|"]
    dims = sorted({it.dimension for it in items})

    def cell(dims_: Sequence[str], typ: str) -> str:
        return "/".join(str(sum(cells[(d, typ, s)] for d in dims_)) for s in splits)

    for dim in dims:
        total = sum(n for (d, _, _), n in cells.items() if d == dim)
        lines.append(f"| {tax.label(dim)} | " + " | ".join(cell([dim], t) for t in TYPES)
                     + f" | {total} |")
    lines.append("| **all** | " + " | ".join(cell(dims, t) for t in TYPES) + f" | {len(items)} |")
    split_counts: Counter[str] = Counter(str(it.split or "none") for it in items)
    lines += ["", "| split | items | share |", "|---|---|---|"]
    for s in splits:
        n = split_counts.get(s, 0)
        lines.append(f"| {s} | {n} | {100 * n / len(items):.1f}% |")
    return "\n".join(lines)


def source_table(items: Sequence[Item]) -> str:
    tax = default_taxonomy()
    lines = ["| dimension | authored | generated | generated share |", "|---|---|---|---|"]
    for dim in sorted({it.dimension for it in items}):
        group = [it for it in items if it.dimension == dim]
        gen = sum(1 for it in group if it.source.startswith("generated:"))
        lines.append(f"| {tax.label(dim)} | {len(group) - gen} | {gen} | "
                     f"{100 * gen / len(group):.1f}% |")
    return "\n".join(lines)


def review_table(log_path: Path) -> str:
    from medaudit.bench.review import agreement_by_dimension
    from medaudit.bench.review_log import read_log

    if not log_path.exists():
        return f"(no review log at {log_path})"
    stats = agreement_by_dimension(read_log(log_path))
    verdicts = ("agree", "key_fixed", "item_fixed", "dropped", "kept_after_adjudication")
    lines = ["| dimension | reviewed | blind agreement | " + " | ".join(verdicts) + " |",
             "|---|---|---|" + "---|" * len(verdicts)]
    total: Counter[str] = Counter()
    for dim, row in stats.items():
        rate = row["agreement"]
        lines.append(f"| {dim} | {row['n']} | {100 * rate:.1f}% | " if rate is not None
                     else f"| {dim} | {row['n']} | — | ")
        lines[-1] += " | ".join(str(row.get(f"verdict:{v}", 0)) for v in verdicts) + " |"
        total.update({k: int(v) for k, v in row.items() if k != "agreement" and v is not None})
    if total["n"]:
        lines.append(f"| **all** | {total['n']} | {100 * total['blind_agree'] / total['n']:.1f}% | "
                     + " | ".join(str(total.get(f"verdict:{v}", 0)) for v in verdicts) + " |")
    return "\n".join(lines)


def review_sections(log_paths: Sequence[Path]) -> list[str]:
    """One table per review round: round 1 read every item; later rounds re-read the items
    rewritten after it, so their agreement is reported separately, never pooled."""
    if not log_paths:
        return ["", "(no review log: run `medaudit bench review apply-log`)"]
    lines: list[str] = []
    for path in log_paths:
        number = round_of(path)
        if number > 1:
            lines += ["", f"Round {number}: a new blind reader answered the items rewritten "
                      "after an earlier round."]
        lines += ["", f"From `{path.name}`:", "", review_table(path)]
    return lines


def currency_line(currency: ReviewCurrency) -> str:
    return (f"Review currency (each item's hash at its latest sign-off against the item as "
            f"built): {currency.verified} items signed off in their current form, "
            f"{currency.unrecorded} last read in rounds that predate the hash (not verifiable), "
            f"{len(currency.stale)} changed since their last review, {len(currency.unreviewed)} "
            "never reviewed.")


def render(items: Sequence[Item], report: QCReport, *, items_arg: str,
           log_paths: Sequence[Path], currency: ReviewCurrency | None = None) -> str:
    """The generated datasheet sections as Markdown."""
    from medaudit.bench.qc.render import to_markdown

    cmd = f"medaudit bench datasheet {items_arg}"
    return "\n".join([
        f"<!-- generated by `{cmd}`; do not edit by hand -->",
        "", "### Composition (dimension × type × split)", "", composition_table(items),
        "", "### Sources", "", source_table(items),
        "", "### Blind key review", *review_sections(log_paths),
        *(["", currency_line(currency)] if currency else []),
        "", "### Quality checks", "", f"`medaudit bench qc {items_arg}` "
        f"({report.n_items} items):", "", to_markdown(report), "",
    ])
