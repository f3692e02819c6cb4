"""CMES maintenance commands: qc, build, export, datasheet and the blind `review` workflow.

The lead mounts these under `medaudit bench`. Commands stay thin; the work is in
`medaudit.bench.qc`, `bench.build`, `bench.export`, `bench.review` and `bench.datasheet`.
Exit codes: 0 ok, 1 a check failed (qc, build --check, review apply-log), 2 a user error
(one line on stderr).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from medaudit.cli.groups import UserErrorGroup
from medaudit.errors import MedauditError

if TYPE_CHECKING:
    from medaudit.bench.schema import Item

app = typer.Typer(help="Check, build, export and document the CMES benchmark.",
                  no_args_is_help=True, cls=UserErrorGroup)
review_app = typer.Typer(help="Blind key review: export, compare, apply the review log.",
                         no_args_is_help=True, cls=UserErrorGroup)
app.add_typer(review_app, name="review")

ROOT_HELP = "Benchmark directory (default: the package's data/cmes)."
ROUND_HELP = ("Review round: 1 is the first blind read of every item; 2, 3 … re-read items "
              "rewritten after an earlier round, in their own files.")


def _root(root: Path | None) -> Path:
    from medaudit.bench.build import default_root

    return root if root is not None else default_root()


def _console() -> Any:
    from rich.console import Console

    return Console(width=160)


@app.command("qc")
def qc_command(
    path: Path = typer.Argument(..., help="Item file (JSONL) or a directory of *.jsonl files."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
    thresholds: Path | None = typer.Option(None, "--thresholds",
                                           help="YAML overriding qc/thresholds.yaml."),
    only: str | None = typer.Option(None, "--only", help="Comma-separated check families: "
                                    "schema,dedup,leakage,balance,shortcuts,lengths,pii."),
    strict: bool = typer.Option(False, "--strict", help="Count skipped checks as failures."),
) -> None:
    """Run the quality checks; exit 1 when any check fails."""
    from medaudit.bench.qc import load_items, load_thresholds, run_qc
    from medaudit.bench.qc.render import print_table, to_json

    items = load_items(path)
    families = [f.strip() for f in only.split(",") if f.strip()] if only else None
    report = run_qc(items, load_thresholds(thresholds), families=families, source=str(path))
    if as_json:
        typer.echo(to_json(report))
    else:
        print_table(report, _console())
    failed = not report.ok or (strict and report.counts()["skipped"] > 0)
    raise typer.Exit(1 if failed else 0)


def _parse_ratios(text: str) -> dict[str, float]:
    parts = [p.strip() for p in text.split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) != 3:
        raise MedauditError(f"--ratios '{text}' must be three numbers train,dev,test like 60,10,30")
    return dict(zip(("train", "dev", "test"), values, strict=True))


@app.command("build")
def build_command(
    root: Path | None = typer.Option(None, "--root", help=ROOT_HELP),
    seed: int | None = typer.Option(None, "--seed", help="Split seed (default 20240601)."),
    ratios: str = typer.Option("60,10,30", "--ratios", help="train,dev,test shares."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 if items.jsonl is "
                               "not what a build would write now."),
    reviewed_only: bool = typer.Option(False, "--reviewed-only", help="Build only items that "
                                       "have a line in review_log.jsonl."),
) -> None:
    """Merge items/<DIM>.jsonl, drop review-dropped items, assign splits, write items.jsonl."""
    from medaudit.bench import build as b

    base = _root(root)
    result = b.build(base, seed if seed is not None else b.DEFAULT_SEED, _parse_ratios(ratios),
                     reviewed_only=reviewed_only)
    counts = result.splits["counts"]
    summary = (f"{len(result.items)} items, {result.splits['n_families']} families: "
               + ", ".join(f"{s} {n} ({100 * n / len(result.items):.1f}%)"
                           for s, n in counts.items())
               + (f"; {len(result.dropped)} dropped by review" if result.dropped else "")
               + (f"; {result.splits['left_out_unreviewed']} not yet reviewed, left out"
                  if reviewed_only else ""))
    if check:
        current = b.is_current(base, result)
        typer.echo(("up to date: " if current else "out of date: ") + summary)
        raise typer.Exit(0 if current else 1)
    if result.overridden:
        typer.echo(f"note: {result.overridden} item(s) carried a split in their authoring file; "
                   "it was replaced", err=True)
    out = b.write(base, result)
    typer.echo(f"wrote {out} and splits.json: {summary}")
    _echo_currency(base, result.items)


def _echo_currency(base: Path, items: list[Item]) -> None:
    """Say how many built items their latest review saw in exactly this form."""
    from medaudit.bench.review_log import review_currency

    cur = review_currency(base, items)
    typer.echo(f"review: {cur.verified} items signed off in their current form, "
               f"{cur.unrecorded} last read before hashes were recorded, {len(cur.stale)} changed "
               f"since their last review, {len(cur.unreviewed)} never reviewed")
    if cur.stale:
        typer.echo("warning: changed since their last review (re-read them blind in a new round "
                   "with `bench review export-blind --round N --ids`): "
                   + ", ".join(cur.stale[:20]) + (" …" if len(cur.stale) > 20 else ""), err=True)


@app.command("export")
def export_command(
    fmt: str = typer.Option(..., "--format", "-f", help="jsonl, csv, xlsx or hf."),
    output: Path = typer.Option(..., "--output", "-o", help="File (jsonl/csv/xlsx) or "
                                "directory (hf)."),
    input_path: Path | None = typer.Option(None, "--input", "-i",
                                           help="Item file (default: <root>/items.jsonl)."),
    root: Path | None = typer.Option(None, "--root", help=ROOT_HELP),
    split: str | None = typer.Option(None, "--split", help="Only this split."),
    license_id: str = typer.Option("cc-by-4.0", "--license", help="License id for the card."),
    name: str = typer.Option("CMES", "--name", help="Dataset name for the card."),
) -> None:
    """Export the benchmark as JSONL, CSV, XLSX or a Hugging Face dataset directory."""
    from medaudit.bench.export import export
    from medaudit.bench.qc import load_items

    items = load_items(input_path or _root(root) / "items.jsonl")
    written = export(items, fmt, output, split=split, name=name, license_id=license_id)
    typer.echo(f"wrote {len(written)} file(s): " + ", ".join(str(p) for p in written))


@app.command("datasheet")
def datasheet_command(
    path: Path | None = typer.Argument(None, help="Item file (default: <root>/items.jsonl)."),
    root: Path | None = typer.Option(None, "--root", help=ROOT_HELP),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write Markdown here."),
    thresholds: Path | None = typer.Option(None, "--thresholds",
                                           help="YAML overriding qc/thresholds.yaml."),
) -> None:
    """Print the datasheet's composition, review and QC tables as Markdown."""
    from medaudit.bench.datasheet import render
    from medaudit.bench.qc import load_items, load_thresholds, run_qc
    from medaudit.bench.review_log import review_currency, round_logs
    from medaudit.fsutil import atomic_writer

    base = _root(root)
    items_path = path or base / "items.jsonl"
    items = load_items(items_path)
    report = run_qc(items, load_thresholds(thresholds), source=str(items_path))
    shown = str(path) if path else str(items_path) if root else "data/cmes/items.jsonl"
    text = render(items, report, items_arg=shown, log_paths=round_logs(base),
                  currency=review_currency(base, items))
    if output is None:
        typer.echo(text)
        return
    with atomic_writer(output) as handle:
        handle.write(text)
    typer.echo(f"wrote {output}")


@review_app.command("export-blind")
def export_blind_command(
    dim: str | None = typer.Argument(None, help="Dimension id, e.g. E01."),
    all_: bool = typer.Option(False, "--all", help="Every items/<DIM>.jsonl."),
    round_: int = typer.Option(1, "--round", help=ROUND_HELP),
    ids: Path | None = typer.Option(None, "--ids", help="File of item ids, one per line: "
                                    "export only these (e.g. items rewritten after round 1)."),
    root: Path | None = typer.Option(None, "--root", help=ROOT_HELP),
) -> None:
    """Write review/blind_<DIM>[.rN].input.jsonl: items without answer, explanation, references."""
    from medaudit.bench.review import export_blind, read_ids, round_suffix

    if (dim is None) == (not all_):
        raise MedauditError("give one dimension (e.g. E01) or --all")
    sfx = round_suffix(round_)
    counts = export_blind(_root(root), None if all_ else [dim.upper()] if dim else None,
                          round_=round_, ids=read_ids(ids) if ids else None)
    for d, n in counts.items():
        typer.echo(f"{d}: {n} items -> review/blind_{d}{sfx}.input.jsonl")


@review_app.command("compare")
def compare_command(
    dim: str = typer.Argument(..., help="Dimension id, e.g. E01."),
    author: str = typer.Option(..., "--author", help="Who wrote the items."),
    reviewer: str = typer.Option(..., "--reviewer", help="Who answered blind."),
    round_: int = typer.Option(1, "--round", help=ROUND_HELP),
    root: Path | None = typer.Option(None, "--root", help=ROOT_HELP),
) -> None:
    """List disagreements between blind answers and keys; write review/draft_<DIM>.log.jsonl."""
    from medaudit.bench.review import compare, round_suffix

    sfx = round_suffix(round_)
    result = compare(_root(root), dim.upper(), author=author, reviewer=reviewer, round_=round_)
    rate = result.agreement
    typer.echo(f"{dim.upper()}: {len(result.entries)} of {result.n_items} answered blind, "
               f"agreement {'—' if rate is None else f'{100 * rate:.1f}%'}, "
               f"{len(result.disagreements)} to adjudicate")
    for e in result.disagreements:
        note = result.notes.get(e.id, "")
        typer.echo(f"  {e.id}: key {e.key}, blind {e.blind_answer or '(none)'}"
                   + (f" — {note}" if note else ""))
    if result.missing:
        typer.echo(f"  not answered: {', '.join(result.missing)}")
    typer.echo(f"draft: review/draft_{dim.upper()}{sfx}.log.jsonl (fill verdict, change, "
               "adjudicator for each disagreement, then run review apply-log on it)")


@review_app.command("apply-log")
def apply_log_command(
    drafts: list[Path] = typer.Argument(None, help="Adjudicated draft files to merge first."),
    round_: int = typer.Option(1, "--round", help=ROUND_HELP),
    root: Path | None = typer.Option(None, "--root", help=ROOT_HELP),
) -> None:
    """Merge drafts into review_log[.rN].jsonl and check that it covers every item (a later
    round: every item it exported); exit 1 if not."""
    from medaudit.bench.review import apply_log

    check = apply_log(_root(root), drafts or [], round_=round_)
    if check.merged:
        typer.echo(f"merged {check.merged} entries")
    for dim, row in check.by_dimension.items():
        rate = row["agreement"]
        typer.echo(f"{dim}: {row['n']} logged, blind agreement "
                   f"{'—' if rate is None else f'{100 * float(rate):.1f}%'}")
    for problem in check.problems[:50]:
        typer.echo(f"problem: {problem}", err=True)
    if len(check.problems) > 50:
        typer.echo(f"… {len(check.problems) - 50} more problems", err=True)
    typer.echo(f"{check.n_entries} log entries; "
               + ("covers every item" if check.ok else f"{len(check.problems)} problem(s)"))
    raise typer.Exit(0 if check.ok else 1)


@review_app.command("sample")
def sample_command(
    output: Path = typer.Option(..., "--output", "-o", help="Ids file to write (for --ids)."),
    per_dimension: int = typer.Option(10, "--per-dimension", help="Items per dimension."),
    seed: int = typer.Option(20261126, "--seed", help="Sampling seed (recorded in the file)."),
    split: str | None = typer.Option(None, "--split", help="Only items of this split."),
    root: Path | None = typer.Option(None, "--root", help=ROOT_HELP),
) -> None:
    """Pick a stratified sample of built items (e.g. for a human expert panel) as an ids file."""
    from medaudit.bench.qc import load_items
    from medaudit.bench.review_sheets import sample_ids
    from medaudit.fsutil import atomic_writer

    ids = sample_ids(load_items(_root(root) / "items.jsonl"), per_dimension, seed, split)
    with atomic_writer(output) as handle:
        handle.write(f"# medaudit bench review sample --per-dimension {per_dimension} --seed "
                     f"{seed}" + (f" --split {split}" if split else "") + "\n")
        handle.write("".join(f"{i}\n" for i in ids))
    typer.echo(f"wrote {len(ids)} ids to {output}")


@review_app.command("sheet")
def sheet_command(
    output: Path = typer.Option(..., "--output", "-o", help="XLSX workbook to write."),
    round_: int = typer.Option(1, "--round", help=ROUND_HELP),
    root: Path | None = typer.Option(None, "--root", help=ROOT_HELP),
) -> None:
    """Write the round's blind inputs as one XLSX answer sheet (no keys) for human readers."""
    from medaudit.bench.review_sheets import write_answer_sheet

    n = write_answer_sheet(_root(root), round_, output)
    typer.echo(f"wrote {n} items to {output}; readers fill blind_answer, confidence and note")


@review_app.command("import-answers")
def import_answers_command(
    path: Path = typer.Argument(..., help="Filled-in answer sheet (XLSX, CSV or JSONL)."),
    round_: int = typer.Option(1, "--round", help=ROUND_HELP),
    force: bool = typer.Option(False, "--force", help="Replace existing answer files."),
    root: Path | None = typer.Option(None, "--root", help=ROOT_HELP),
) -> None:
    """Turn a filled-in answer sheet into review/blind_<DIM>[.rN].answers.jsonl files."""
    from medaudit.bench.review_log import round_suffix
    from medaudit.bench.review_sheets import import_answers

    counts = import_answers(_root(root), round_, path, force=force)
    for dim, n in counts.items():
        typer.echo(f"{dim}: {n} answers -> review/blind_{dim}{round_suffix(round_)}.answers.jsonl")
