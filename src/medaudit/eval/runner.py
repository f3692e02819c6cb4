"""Run an evaluation: resumable, concurrent, committed item by item.

The run id is derived from everything that changes a result (model, items, prompt, method,
seed...), so re-running the same command finds the same run in the store and only evaluates
what is missing. Results are upserted by (run_id, item_id) in small batches (at most ~0.2 s of
work is lost to a kill -9), so no item is ever counted twice. Outputs are written atomically at
the end from the store, in item order.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.text import Text

from medaudit.bench.registry import Benchmark, load_benchmark
from medaudit.bench.schema import Item
from medaudit.errors import MedauditError
from medaudit.eval.manifest import build_manifest
from medaudit.eval.prompts import ItemView, PromptBuilder, pick_shots
from medaudit.eval.records import Outcome, SampleRecord, Summary
from medaudit.eval.solve import MultiMode, Solver
from medaudit.eval.summary import summarise
from medaudit.fsutil import atomic_writer
from medaudit.models.base import ModelBackend
from medaudit.models.registry import load_model
from medaudit.models.spec import parse_spec
from medaudit.store.db import Store

FLUSH_EVERY_S = 0.2
FLUSH_BATCH = 64


@dataclass
class EvalConfig:
    """Everything `medaudit eval` accepts; fields that change results feed the run id."""

    model: str = "llamacpp/gemma3-270m"
    benchmark: str = "cmes"
    split: str | None = None
    dimensions: list[str] | None = None
    limit: int | None = None
    method: Literal["logprob", "generate"] | None = None
    template: str | None = None
    shots: int = 0
    multi_mode: MultiMode = "threshold"
    circular: bool = False
    seed: int = 0
    temperature: float = 0.0
    max_tokens: int = 512
    concurrency: int | None = None
    output_dir: Path | None = None
    retry_errors: bool = False
    cache: bool = True
    redact: bool = False
    run_id: str | None = None
    db_url: str | None = None
    progress: bool = True
    lineage: Path | None = None

    def result_key(self, benchmark_sha: str, method: str, template: str) -> dict[str, Any]:
        return {
            "model": parse_spec(self.model).text,
            "benchmark_sha256": benchmark_sha,
            "split": self.split,
            "dimensions": sorted(self.dimensions or []),
            "limit": self.limit,
            "method": method,
            "template": template,
            "shots": self.shots,
            "multi_mode": self.multi_mode,
            "circular": self.circular,
            "seed": self.seed,
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "redact": self.redact,
        }


@dataclass
class RunResult:
    run_id: str
    output_dir: Path
    summary: Summary
    records: list[SampleRecord]
    evaluated_now: int
    reports: dict[str, Path] = field(default_factory=dict)


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9.]+", "-", text).strip("-")[:40]


def make_run_id(config: EvalConfig, key: dict[str, Any], bench_name: str) -> str:
    digest = hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:10]
    return f"{_slug(parse_spec(config.model).name.split('/')[-1])}-{_slug(bench_name)}-{digest}"


def _redactor(enabled: bool) -> Any:
    """`--redact`: stored prompts and responses get PHI replaced by type tags ([PERSON_1])."""
    if not enabled:
        return None
    try:
        from medaudit.privacy import deidentify_text
    except ImportError as err:
        raise MedauditError(
            "--redact needs the privacy extra: pip install 'medaudit[privacy]'"
        ) from err

    def redact(text: str) -> str:
        redacted, _mapping = deidentify_text(text, strategy="tag")
        return str(redacted)

    return redact


class _Writer:
    """Batches result upserts: each finished item reaches the store within FLUSH_EVERY_S."""

    def __init__(self, store: Store, run_id: str) -> None:
        self.store, self.run_id = store, run_id
        self.pending: list[tuple[int, SampleRecord]] = []
        self.last = time.monotonic()

    def add(self, seq: int, record: SampleRecord) -> None:
        self.pending.append((seq, record))
        if len(self.pending) >= FLUSH_BATCH or time.monotonic() - self.last >= FLUSH_EVERY_S:
            self.flush()

    def flush(self) -> None:
        if self.pending:
            self.store.save_results(self.run_id, self.pending)
            self.pending = []
        self.last = time.monotonic()


async def _run_items(
    solver: Solver,
    todo: list[tuple[int, Item]],
    writer: _Writer,
    concurrency: int,
    progress: Progress | None,
    redact: Any,
) -> int:
    semaphore = asyncio.Semaphore(concurrency)
    task_id = progress.add_task("evaluating", total=len(todo)) if progress else None

    async def one(seq: int, item: Item) -> None:
        async with semaphore:
            record = await solver.solve(item)
        if redact is not None:
            record = record.model_copy(
                update={
                    "prompt": redact(record.prompt) if record.prompt else None,
                    "response": redact(record.response) if record.response else None,
                    "question": redact(record.question) if record.question else None,
                    "options": {k: redact(v) for k, v in (record.options or {}).items()} or None,
                }
            )
        writer.add(seq, record)
        if progress is not None and task_id is not None:
            progress.advance(task_id)

    tasks = [asyncio.create_task(one(seq, item)) for seq, item in todo]
    try:
        await asyncio.gather(*tasks)
    finally:
        for task in tasks:
            task.cancel()
        writer.flush()
    return len(todo)


class _RateColumn(ProgressColumn):
    def render(self, task: Task) -> Text:
        speed = task.finished_speed or task.speed
        return Text(f"{speed:.2f} items/s" if speed else "… items/s", style="cyan")


def _progress(enabled: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        _RateColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        disable=not enabled,
    )


def _oracle(
    backend: ModelBackend, builder: PromptBuilder, items: list[Item], circular: bool
) -> None:
    keys: dict[str, str] = {}
    for item in items:
        base = ItemView.of(item)
        views = [base.rotated(s) for s in range(len(base.options))] if circular else [base]
        for view in views:
            keys[builder.build(view).text] = view.answer
    backend.set_oracle(keys)  # type: ignore[attr-defined]


def write_outputs(
    out_dir: Path, records: list[SampleRecord], summary: Summary, manifest: dict[str, Any]
) -> None:
    with atomic_writer(out_dir / "samples.jsonl") as handle:
        for rec in records:
            handle.write(rec.model_dump_json(exclude_none=True) + "\n")
    with atomic_writer(out_dir / "summary.json") as handle:
        handle.write(summary.model_dump_json(indent=2))
    with atomic_writer(out_dir / "manifest.json") as handle:
        json.dump(manifest, handle, ensure_ascii=False, indent=2)


def evaluate(config: EvalConfig | None = None, **kwargs: Any) -> RunResult:
    """Evaluate a model on a benchmark; the Python twin of `medaudit eval`."""
    cfg = config or EvalConfig(**kwargs)
    return asyncio.run(evaluate_async(cfg))


async def evaluate_async(cfg: EvalConfig) -> RunResult:
    bench: Benchmark = load_benchmark(cfg.benchmark)
    items = bench.select(cfg.split, cfg.dimensions, cfg.limit)
    store = Store(cfg.db_url)
    backend = load_model(cfg.model)
    try:
        widen = getattr(backend, "set_concurrency", None)
        if cfg.concurrency and widen is not None:
            widen(cfg.concurrency)  # the backend's connection pool must not throttle the run
        preflight = getattr(backend, "preflight", None)
        if preflight is not None:
            await preflight()
        method = cfg.method or backend.capabilities.default_method
        if method == "logprob" and not backend.capabilities.logprobs:
            raise MedauditError(
                f"{cfg.model} cannot return log-probabilities: use --method generate"
            )
        template = cfg.template or "zh-mcq-v1"
        shots = pick_shots(bench.dev_pool(), cfg.shots, cfg.seed)
        overlap = {s.id for s in shots} & {it.id for it in items}
        if overlap:
            raise MedauditError(
                f"few-shot items {', '.join(sorted(overlap))} are also evaluated; "
                "use --split test or fewer --shots"
            )
        builder = PromptBuilder(template, method, shots, cfg.max_tokens, cfg.temperature, cfg.seed)
        key = cfg.result_key(bench.sha256, method, template)
        run_id = cfg.run_id or make_run_id(cfg, key, bench.name)
        out_dir = Path(cfg.output_dir or Path("runs") / run_id)
        info = backend.info()
        if backend.capabilities.oracle:
            _oracle(backend, builder, items, cfg.circular)
        store.start_run(
            run_id,
            model=info.spec,
            benchmark=bench.name,
            split=cfg.split,
            method=method,
            n_items=len(items),
            output_dir=str(out_dir),
            config=key,
        )
        done = store.outcomes(run_id)
        if cfg.retry_errors:
            retry = [i for i, o in done.items() if o == Outcome.ERROR.value]
            store.delete_results(run_id, retry)
            done = {i: o for i, o in done.items() if o != Outcome.ERROR.value}
        todo = [(seq, it) for seq, it in enumerate(items) if it.id not in done]
        model_key = json.dumps({"spec": info.spec, "sha256": info.file_sha256}, sort_keys=True)
        solver = Solver(
            backend,
            builder,
            model_key,
            cfg.multi_mode,
            cfg.circular,
            cache=store if cfg.cache else None,
        )
        concurrency = cfg.concurrency or backend.capabilities.max_concurrency
        started = time.perf_counter()
        writer = _Writer(store, run_id)
        with _progress(cfg.progress and bool(todo)) as progress:
            try:
                await _run_items(solver, todo, writer, concurrency, progress, _redactor(cfg.redact))
            except (KeyboardInterrupt, asyncio.CancelledError):
                store.finish_run(run_id, "interrupted")
                raise
        elapsed = time.perf_counter() - started
        wanted = {it.id for it in items}
        records = [r for r in store.load_results(run_id) if r.id in wanted]
        summary = summarise(
            records,
            run_id=run_id,
            model=info.spec,
            benchmark=bench.name,
            split=cfg.split,
            method=method,
            circular=cfg.circular,
            elapsed_s=elapsed,
            items_this_session=len(todo),
        )
        manifest = build_manifest(run_id, info, bench, items, builder, cfg, asdict(cfg))
        write_outputs(out_dir, records, summary, manifest)
        reports = _write_reports(out_dir)
        store.finish_run(run_id, "completed")
        return RunResult(run_id, out_dir, summary, records, len(todo), reports)
    finally:
        await backend.aclose()
        store.close()


def _write_reports(out_dir: Path) -> dict[str, Path]:
    from medaudit.report import write_reports

    result: dict[str, Path] = write_reports(out_dir)
    return result
