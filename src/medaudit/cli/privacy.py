"""`medaudit privacy`: scan files for personal health information, de-identify them, evaluate.

Commands stay thin: the work is in `medaudit.privacy.pipeline`, `.evaluate` and `.report`. User
errors are `MedauditError`s, printed by the root app as one line with exit code 2. Raw values are
never printed: findings are shown by offsets and masked snippets only.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from medaudit.errors import MedauditError

app = typer.Typer(help="Find and de-identify personal health information in Chinese text.",
                  no_args_is_help=True)

TEXT_FIELD_HELP = ("JSONL: the field(s) holding text; dotted paths for nested fields "
                   "(note.body, messages.*.content). Repeat or comma-separate. Default: text.")
COLUMNS_HELP = "CSV/XLSX: the column(s) to read, comma-separated (default: all but id)."
ENCODING_HELP = "Text encoding of the input, e.g. gb18030 (default utf-8)."
TYPES_HELP = "Only these PHI types, comma-separated (default: all)."


def _split(values: list[str] | None) -> list[str] | None:
    if not values:
        return None
    out = [p.strip() for v in values for p in v.split(",") if p.strip()]
    return out or None


def _types(values: list[str] | None) -> set[str] | None:
    from medaudit.privacy.engine import check_types

    return check_types(_split(values))


def _read_opts(fmt: str | None, text_field: list[str] | None, columns: list[str] | None,
               encoding: str):
    from medaudit.privacy.pipeline import ReadOptions

    return ReadOptions(fmt=fmt, text_fields=_split(text_field), columns=_split(columns),
                       encoding=encoding)


def _flat(examples: dict[str, list[Any]]) -> list[Any]:
    return [ff for rows in examples.values() for ff in rows]


@app.command("scan")
def scan_command(
    input_path: Path = typer.Argument(..., metavar="INPUT", help="txt, JSONL, CSV or XLSX file."),
    text_field: list[str] | None = typer.Option(None, "--text-field", help=TEXT_FIELD_HELP),
    columns: list[str] | None = typer.Option(None, "--columns", help=COLUMNS_HELP),
    fmt: str | None = typer.Option(None, "--format", help="txt, jsonl, csv or xlsx (default: "
                                   "from the file suffix)."),
    types: list[str] | None = typer.Option(None, "--types", help=TYPES_HELP),
    as_json: bool = typer.Option(False, "--json", help="Write one JSON finding per line to "
                                 "standard output (no values, offsets only)."),
    fail_on: list[str] | None = typer.Option(None, "--fail-on", help="Exit 1 when findings of "
                                             "these types exist (ALL for any type)."),
    html: Path | None = typer.Option(None, "--html", help="Also write a self-contained HTML "
                                     "report (counts and masked examples) to this file."),
    encoding: str = typer.Option("utf-8", "--encoding", help=ENCODING_HELP),
    max_shown: int = typer.Option(50, "--max-shown", help="Findings listed in the text output."),
) -> None:
    """List PHI findings: file, line, offsets, type, masked snippet; exit 1 on --fail-on."""
    from medaudit.privacy.pipeline import FileFinding, ScanStats, scan_file
    from medaudit.privacy.report import EXAMPLES_PER_TYPE

    wanted = _types(types)
    fail_types = _split(fail_on)
    fail_set: set[str] | None = None
    if fail_types is not None:
        fail_set = (set() if [t.upper() for t in fail_types] == ["ALL"] else _types(fail_types))
    stats = ScanStats()
    opts = _read_opts(fmt, text_field, columns, encoding)
    examples: dict[str, list[FileFinding]] = {}
    shown = 0
    for ff in scan_file(input_path, opts, wanted, stats):
        rows = examples.setdefault(ff.finding.type, [])
        if html is not None and len(rows) < EXAMPLES_PER_TYPE:
            rows.append(ff)
        if as_json:
            sys.stdout.write(json.dumps(ff.to_json(), ensure_ascii=False) + "\n")
        elif shown < max_shown:
            shown += 1
            rid = f" id={ff.id}" if ff.id else ""
            typer.echo(f"{ff.file}:{ff.line}{rid} [{ff.field}] {ff.finding.start}-"
                       f"{ff.finding.end} {ff.finding.type} {ff.finding.score:.2f}  {ff.snippet}")
    if html is not None:
        from medaudit.fsutil import atomic_writer
        from medaudit.privacy.report import render_scan_report

        page = render_scan_report(str(input_path), _flat(examples), records=stats.records,
                                  chars=stats.chars, counts=stats.counts)
        with atomic_writer(html) as out:
            out.write(page)
    summary = ", ".join(f"{t} {n}" for t, n in stats.counts.most_common()) or "no findings"
    total = sum(stats.counts.values())
    typer.echo(f"{stats.records} records, {total} findings: {summary}",
               err=as_json)
    if total > shown and not as_json:
        typer.echo(f"({total - shown} more findings not listed; use --json for all)")
    if fail_set is not None:
        hits = sum(n for t, n in stats.counts.items() if not fail_set or t in fail_set)
        if hits:
            # SystemExit, not typer.Exit: the root app returns typer.Exit's code from a
            # non-standalone call, and a CI gate must see the 1 whichever way it is run.
            sys.exit(1)


@app.command("deid")
def deid_command(
    input_path: Path = typer.Argument(..., metavar="INPUT", help="txt, JSONL, CSV or XLSX file."),
    output: Path = typer.Option(..., "--output", "-o", help="De-identified file to write "
                                "(same format; written atomically)."),
    strategy: str = typer.Option("tag", "--strategy", help="mask (****), tag ([PERSON_1]) or "
                                 "surrogate (realistic fake values)."),
    types: list[str] | None = typer.Option(None, "--types", help=TYPES_HELP),
    shift_dates: bool = typer.Option(False, "--shift-dates", help="Shift all dates of a "
                                     "document by one random offset (intervals survive)."),
    seed: int | None = typer.Option(None, "--seed", help="Make surrogates and shifts "
                                    "reproducible."),
    mapping: Path | None = typer.Option(None, "--mapping", help="Write the re-identification "
                                        "mapping here (JSONL, mode 0600). Keep it secret."),
    text_field: list[str] | None = typer.Option(None, "--text-field", help=TEXT_FIELD_HELP),
    columns: list[str] | None = typer.Option(None, "--columns", help=COLUMNS_HELP),
    fmt: str | None = typer.Option(None, "--format", help="txt, jsonl, csv or xlsx."),
    encoding: str = typer.Option("utf-8", "--encoding", help=ENCODING_HELP),
) -> None:
    """Replace PHI by masks, tags or surrogates; the output is complete or not written at all."""
    from medaudit.privacy.deid import STRATEGIES
    from medaudit.privacy.pipeline import DeidOptions, deid_file

    if strategy not in STRATEGIES:
        raise MedauditError(f"--strategy '{strategy}' is unknown; use mask, tag or surrogate")
    if output.resolve() == input_path.resolve():
        raise MedauditError("--output is the input file; write to a new file")
    if mapping is not None and mapping.resolve() in (output.resolve(), input_path.resolve()):
        raise MedauditError("--mapping must be a separate file from the input and the output")
    stats = deid_file(input_path, output, _read_opts(fmt, text_field, columns, encoding),
                      DeidOptions(strategy, _types(types), shift_dates, seed), mapping)
    summary = ", ".join(f"{t} {n}" for t, n in stats.counts.most_common()) or "nothing"
    typer.echo(f"{stats.records} records de-identified ({strategy}): replaced {summary}; "
               f"wrote {output}" + (f" and mapping {mapping} (0600)" if mapping else ""))


@app.command("evaluate")
def evaluate_command(
    corpus: Path = typer.Option(Path("data/privacy/test.jsonl"), "--corpus",
                                help="Labelled corpus (JSONL with text and spans)."),
    types: list[str] | None = typer.Option(None, "--types", help=TYPES_HELP),
    errors: int = typer.Option(20, "--errors", help="Misses and false alarms to list "
                               "(masked; 0 for none)."),
    show_values: bool = typer.Option(False, "--show-values", help="Show raw values in the "
                                     "error list (the shipped corpus is synthetic)."),
    json_out: Path | None = typer.Option(None, "--json-out", help="Write all metrics as JSON."),
    markdown: bool = typer.Option(False, "--markdown", help="Print the tables as Markdown."),
) -> None:
    """Precision, recall and F1 per type (strict, lenient, token) with Wilson 95% intervals."""
    from medaudit.privacy.evaluate import evaluate_corpus, format_errors, format_tables

    result = evaluate_corpus(corpus, _types(types))
    typer.echo(format_tables(result, markdown=markdown))
    if errors:
        typer.echo(format_errors(result, errors, show_values=show_values))
    if json_out is not None:
        from medaudit.fsutil import atomic_writer

        with atomic_writer(json_out) as out:
            json.dump(result.to_json(), out, ensure_ascii=False, indent=2)


@app.command("report")
def report_command(
    input_path: Path = typer.Argument(..., metavar="INPUT", help="txt, JSONL, CSV or XLSX file."),
    output: Path = typer.Option(..., "--output", "-o", help="HTML file to write."),
    text_field: list[str] | None = typer.Option(None, "--text-field", help=TEXT_FIELD_HELP),
    columns: list[str] | None = typer.Option(None, "--columns", help=COLUMNS_HELP),
    fmt: str | None = typer.Option(None, "--format", help="txt, jsonl, csv or xlsx."),
    types: list[str] | None = typer.Option(None, "--types", help=TYPES_HELP),
    encoding: str = typer.Option("utf-8", "--encoding", help=ENCODING_HELP),
) -> None:
    """Scan a file and write a self-contained HTML report: counts per type, masked examples."""
    from medaudit.fsutil import atomic_writer
    from medaudit.privacy.pipeline import FileFinding, ScanStats, scan_file
    from medaudit.privacy.report import EXAMPLES_PER_TYPE, render_scan_report

    stats = ScanStats()
    examples: dict[str, list[FileFinding]] = {}
    for ff in scan_file(input_path, _read_opts(fmt, text_field, columns, encoding),
                        _types(types), stats):
        rows = examples.setdefault(ff.finding.type, [])
        if len(rows) < EXAMPLES_PER_TYPE:
            rows.append(ff)
    page = render_scan_report(str(input_path), _flat(examples), records=stats.records,
                              chars=stats.chars,
                              counts=stats.counts)
    with atomic_writer(output) as out:
        out.write(page)
    typer.echo(f"{stats.records} records, {sum(stats.counts.values())} findings; wrote {output}")
