"""`medaudit finetune`: export training data, train a LoRA adapter, check leakage, show lineage."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from medaudit.errors import MedauditError

app = typer.Typer(help="Fine-tune on the train split with full lineage: export data for "
                       "LLaMA-Factory / OpenAI / TRL, train LoRA, check train/test leakage.",
                  no_args_is_help=True)
lineage_app = typer.Typer(help="Read and verify lineage.json files.", no_args_is_help=True)
app.add_typer(lineage_app, name="lineage")


@app.command("export")
def export_command(
    split: str = typer.Option("train", help="Split to export: train, dev or test."),
    data: str = typer.Option("cmes", "--data", "-d",
                             help="Benchmark name (cmes, cmes-sample) or JSONL item file."),
    fmt: str = typer.Option(..., "--format", "-f", help="llamafactory, openai, trl or alpaca."),
    output: Path = typer.Option(..., "--output", "-o", help="Output directory."),
    with_rationale: bool = typer.Option(False, help="Reply with the item explanation, then "
                                                    "答案：X (chain-of-thought template)."),
    method: str = typer.Option("generate", help="generate: the reply is 答案：X (chat trainers); "
                                                "logprob: the prompt ends in 答案： and the reply "
                                                "is the letter."),
    template: str = typer.Option("zh-mcq-v1", help="Evaluation prompt template to train on."),
    allow_pii: bool = typer.Option(False, help="Export items even if the PII scan flags them."),
) -> None:
    """Write the split as fine-tuning data in the evaluation prompt's exact shape."""
    from medaudit.finetune.data import SPLITS, load_dataset
    from medaudit.finetune.export import export_dataset

    if split not in SPLITS:
        raise MedauditError(f"--split must be one of {', '.join(SPLITS)}, got '{split}'")
    if split == "test":
        Console(stderr=True).print("[yellow]exporting the test split: do not train on it if you "
                                   "will evaluate on it[/yellow]")
    dataset = load_dataset(f"{data}:{split}")
    result = export_dataset(dataset, fmt, output, template=template, method=method,
                            with_rationale=with_rationale, allow_pii=allow_pii)
    console = Console()
    for warning in result.warnings:
        console.print(f"[yellow]{warning}[/yellow]")
    console.print(f"{result.n_examples} examples from {dataset.spec} ({dataset.path})")
    for path in result.files:
        console.print(f"written: {path}")


@app.command("lora")
def lora_command(
    config: Path | None = typer.Option(None, "--config", "-c", help="YAML config, e.g. "
                                       "configs/finetune/gemma3-270m-cpu.yaml."),
    base: str | None = typer.Option(None, help="Base model: catalog alias, .gguf file or "
                                               "transformers directory (hf/ prefix allowed)."),
    train: str | None = typer.Option(None, help="Train data, e.g. cmes:train or items.jsonl."),
    eval_data: str | None = typer.Option(None, "--eval", help="Dev data for early stopping, "
                                                              "e.g. cmes:dev; 'none' to skip."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Output directory."),
    max_steps: int | None = typer.Option(None, min=1, help="Stop after N optimizer steps."),
    seed: int | None = typer.Option(None, help="Seed (overrides the config)."),
    merge: bool | None = typer.Option(None, help="Also write the merged model."),
    gguf: bool | None = typer.Option(None, help="Also convert the merged model to GGUF."),
    resume: bool = typer.Option(True, help="Continue from the newest checkpoint if any."),
    progress: bool = typer.Option(True, help="Show the progress bar."),
) -> None:
    """Train a LoRA adapter; rerunning the same command resumes after an interruption."""
    from medaudit.finetune.config import load_config
    from medaudit.finetune.train import run_lora

    overrides = {"base": base, "train": train, "output_dir": str(output) if output else None,
                 "training.max_steps": max_steps, "seed": seed, "merge": merge, "gguf": gguf}
    if eval_data is not None:
        overrides["eval"] = None if eval_data.lower() == "none" else eval_data
    cfg = load_config(config, overrides)
    if eval_data is not None and eval_data.lower() == "none":
        cfg.eval = None
    result = run_lora(cfg, resume=resume, progress=progress)
    console = Console()
    for note in result.notes:
        console.print(note)
    state = result.state
    console.print(f"stopped: {state.stopped} at step {state.step}/{state.total_steps}; "
                  f"best dev accuracy {_pct(state.best_dev_accuracy)} at step {state.best_step} "
                  f"(base {_pct(state.base_dev_accuracy)}); wall {state.elapsed_s:.0f} s")
    console.print(f"adapter: {result.adapter_dir}")
    console.print(f"lineage: {result.lineage_path}")
    console.print(f"evaluate: medaudit eval --model 'hf/{cfg.base_name()}?adapter="
                  f"{result.adapter_dir}' --split test --lineage {result.lineage_path}")


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{100 * value:.1f}%"


@app.command("check-leakage")
def check_leakage_command(
    train: str = typer.Option(..., help="Train data: cmes:train or a JSONL file[:split]."),
    test: str = typer.Option(..., help="Test data: cmes:test or a JSONL file[:split]."),
    jaccard: float | None = typer.Option(None, min=0.0, max=1.0, help="Near-duplicate threshold "
                                         "(character n-gram Jaccard; default from QC thresholds)."),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the report as JSON."),
) -> None:
    """Fail (exit 1) when train and test share ids, families or near-duplicate items."""
    from medaudit.finetune.data import load_dataset
    from medaudit.finetune.leakage import check_leakage
    from medaudit.fsutil import atomic_writer

    train_set, test_set = load_dataset(train), load_dataset(test)
    report = check_leakage(train_set.items, test_set.items, jaccard)
    console = Console()
    console.print(f"train {train} ({report.n_train} items) vs test {test} ({report.n_test} items); "
                  f"near-duplicate: Jaccard >= {report.jaccard_threshold} on "
                  f"{report.ngram}-grams")
    for label, found in (("shared ids", report.shared_ids),
                         ("shared families", report.shared_families),
                         ("near-duplicates", [f"{a} ~ {b} ({s:.2f})"
                                              for a, b, s in report.near_duplicates])):
        mark = "[green]ok[/green]" if not found else f"[red]{len(found)}[/red]"
        console.print(f"{label}: {mark}" + (": " + ", ".join(found[:10]) if found else "")
                      + (f" … {len(found) - 10} more" if len(found) > 10 else ""))
    if output is not None:
        with atomic_writer(output) as handle:
            json.dump(report.as_dict(), handle, ensure_ascii=False, indent=2)
    if not report.ok:
        console.print("[red]leakage found: remove these items from train[/red]")
        raise typer.Exit(1)
    console.print("[green]no leakage found[/green]")


@lineage_app.command("show")
def lineage_show(path: Path = typer.Argument(..., help="lineage.json or the fine-tune directory."),
                 verify: bool = typer.Option(True, help="Re-hash the adapter, base and train "
                                                        "file and report changes."),
                 as_json: bool = typer.Option(False, "--json", help="Print the raw JSON.")) -> None:
    """Show what a fine-tune was made from; exit 1 if a recorded hash no longer matches."""
    from medaudit.finetune.lineage import read_lineage, verify_lineage

    data = read_lineage(path)
    console = Console()
    if as_json:
        console.print_json(json.dumps(data, ensure_ascii=False))
    else:
        console.print(lineage_table(data))
    if verify:
        problems = verify_lineage(path)
        changed = [p for p in problems if "not checked" not in p]
        for problem in problems:
            console.print(("[red]" if problem in changed else "[yellow]") + problem
                          + ("[/red]" if problem in changed else "[/yellow]"))
        if changed:
            raise typer.Exit(1)
        console.print("[green]hashes verified[/green]" if not problems else "")


def lineage_table(data: dict[str, object]) -> Table:
    from medaudit.finetune.summary import lineage_rows

    table = Table(title="lineage", show_header=False)
    table.add_column("field")
    table.add_column("value")
    for key, value in lineage_rows(data):
        table.add_row(key, value)
    return table
