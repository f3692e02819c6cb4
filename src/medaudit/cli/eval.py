"""`medaudit eval`: evaluate a model on a benchmark."""

from __future__ import annotations

from pathlib import Path
from typing import Literal, cast

import typer
from rich.console import Console

from medaudit.errors import MedauditError


def _dims(value: str | None) -> list[str] | None:
    if not value:
        return None
    return [d.strip() for d in value.split(",") if d.strip()]


def eval_command(
    model: str = typer.Option(
        "llamacpp/gemma3-270m",
        "--model",
        "-m",
        help="Model spec provider/name?k=v, e.g. llamacpp/gemma3-270m, "
        "openai/qwen2.5-7b?base_url=http://127.0.0.1:8000/v1, mock/gold.",
    ),
    benchmark: str = typer.Option(
        "cmes", "--benchmark", "-b", help="Shipped name (cmes, cmes-sample) or a JSONL item file."
    ),
    split: str | None = typer.Option(None, help="Only items of this split: train, dev or test."),
    dimensions: str | None = typer.Option(
        None, help="Comma-separated dimension ids, e.g. E01,S03."
    ),
    limit: int | None = typer.Option(None, min=1, help="Evaluate only the first N selected items."),
    method: str | None = typer.Option(
        None,
        help="logprob (one forward pass, default for local models) or generate (default for APIs).",
    ),
    template: str | None = typer.Option(
        None, help="Prompt template id (zh-mcq-v1, zh-mcq-cot-v1)."
    ),
    shots: int = typer.Option(0, min=0, help="Few-shot examples taken from the dev split."),
    multi_mode: str = typer.Option(
        "threshold",
        help="Multi-answer items under logprob: threshold (one pass) or yesno (per option).",
    ),
    circular: bool = typer.Option(False, help="CircularEval: correct only under every rotation."),
    concurrency: int | None = typer.Option(None, min=1, help="Concurrent requests (API models)."),
    seed: int = typer.Option(0, help="Seed for shots and sampling."),
    temperature: float = typer.Option(0.0, min=0.0, help="Sampling temperature (0 = greedy)."),
    max_tokens: int = typer.Option(512, min=1, help="Generation limit for --method generate."),
    output_dir: Path | None = typer.Option(None, help="Where outputs go (default runs/<run_id>)."),
    retry_errors: bool = typer.Option(False, help="Re-run items whose earlier outcome was error."),
    cache: bool = typer.Option(True, help="Reuse cached responses for identical requests."),
    redact: bool = typer.Option(False, help="De-identify stored prompts and responses."),
    lineage: Path | None = typer.Option(None, help="lineage.json of a fine-tuned model."),
    progress: bool = typer.Option(True, help="Show the progress bar."),
) -> None:
    """Evaluate a model; re-running the same command resumes where it stopped."""
    from medaudit.cli.tables import dimension_table
    from medaudit.eval.runner import EvalConfig, evaluate

    if method not in (None, "logprob", "generate"):
        raise MedauditError(f"--method must be logprob or generate, got '{method}'")
    if multi_mode not in ("threshold", "yesno"):
        raise MedauditError(f"--multi-mode must be threshold or yesno, got '{multi_mode}'")
    if split not in (None, "train", "dev", "test"):
        raise MedauditError(f"--split must be train, dev or test, got '{split}'")
    config = EvalConfig(
        model=model,
        benchmark=benchmark,
        split=split,
        dimensions=_dims(dimensions),
        limit=limit,
        method=cast(Literal["logprob", "generate"] | None, method),
        template=template,
        shots=shots,
        multi_mode=cast(Literal["threshold", "yesno"], multi_mode),
        circular=circular,
        concurrency=concurrency,
        seed=seed,
        temperature=temperature,
        max_tokens=max_tokens,
        output_dir=output_dir,
        retry_errors=retry_errors,
        cache=cache,
        redact=redact,
        lineage=lineage,
        progress=progress,
    )
    result = evaluate(config)
    console = Console()
    console.print(dimension_table(result.summary.model_dump()))
    skipped = len(result.records) - result.evaluated_now
    if skipped:
        console.print(
            f"resumed: {skipped} items were already done, {result.evaluated_now} evaluated now"
        )
    errors = result.summary.outcomes.get("error", 0)
    if errors:
        console.print(
            f"[yellow]{errors} items ended in error (not counted as wrong); "
            "rerun with --retry-errors[/yellow]"
        )
    console.print(f"run {result.run_id}: {result.output_dir}")
    for kind, path in sorted(result.reports.items()):
        console.print(f"{kind} report: {path}")
