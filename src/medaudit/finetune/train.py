"""LoRA fine-tuning on CPU (transformers + peft): seeded, resumable, early-stopped on dev accuracy.

Why a small loop instead of `transformers.Trainer`: the target is one answer position, the dev
metric is the evaluation engine's own logprob scoring, and a resume must replay the exact same
batch order. Each example is the engine's evaluation prompt (ending in "答案："); the loss is
cross-entropy at that position only, against the key letter's token. A multi-answer key ("ABD")
gets a uniform target over its letters, which is what the engine's logprob rule reads (every
letter at or above 1/k is chosen). Forward passes keep only the last position's logits, so a
262k-token vocabulary costs one row per example, not one per token.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medaudit.bench.schema import Item
from medaudit.errors import MedauditError
from medaudit.eval.prompts import ItemView, PromptBuilder
from medaudit.eval.records import Outcome
from medaudit.eval.score import letters_from_probs, score_letters
from medaudit.finetune.checkpoint import (
    TrainState,
    latest_checkpoint,
    load_checkpoint,
    rng_snapshot,
    save_checkpoint,
)
from medaudit.finetune.config import FinetuneConfig
from medaudit.finetune.data import DataSet, load_dataset
from medaudit.finetune.lineage import build_lineage, write_lineage


@dataclass
class TrainResult:
    output_dir: Path
    adapter_dir: Path
    lineage_path: Path
    lineage: dict[str, Any]
    state: TrainState
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Encoded:
    id: str
    input_ids: list[int]
    target_ids: list[int]


def seed_everything(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def encode_items(items: list[Item], builder: PromptBuilder, tokenizer: Any,
                 max_len: int) -> list[Encoded]:
    """Prompt token ids and the key letters' token ids, refusing prompts over max_len."""
    from medaudit.models.hf import letter_token_ids

    out = []
    for item in items:
        prompt = builder.build(ItemView.of(item)).text
        ids = tokenizer(prompt, add_special_tokens=True).input_ids
        if len(ids) > max_len:
            raise MedauditError(f"item {item.id}: prompt has {len(ids)} tokens, over "
                                f"training.max_len={max_len}; raise it in the config")
        # The bare letter is the form Gemma and Qwen emit after "答案：" (DESIGN.md).
        targets = [letter_token_ids(tokenizer, ch)[0] if len(letter_token_ids(tokenizer, ch)) == 1
                   else tokenizer(ch, add_special_tokens=False).input_ids[0] for ch in item.answer]
        out.append(Encoded(item.id, list(ids), targets))
    return out


def batch_loss(model: Any, batch: list[Encoded], pad_id: int) -> Any:
    """Mean cross-entropy at the answer position against the (uniform over keys) target."""
    import torch

    from medaudit.models.hf import left_pad

    ids, mask, positions = left_pad([e.input_ids for e in batch], pad_id)
    logits = model(input_ids=ids, attention_mask=mask, position_ids=positions,
                   logits_to_keep=1).logits[:, -1, :].float()
    logp = torch.log_softmax(logits, dim=-1)
    losses = [-logp[row, e.target_ids].mean() for row, e in enumerate(batch)]
    return torch.stack(losses).mean()


def dev_accuracy(model: Any, tokenizer: Any, builder: PromptBuilder, items: list[Item],
                 batch_size: int) -> float:
    """Accuracy on dev items with the hf backend's scoring and the engine's letter rules."""
    from medaudit.models.hf import score_prompts

    was_training = model.training
    model.eval()
    correct = 0
    for start in range(0, len(items), batch_size):
        chunk = items[start:start + batch_size]
        prompts = [builder.build(ItemView.of(it)) for it in chunk]
        scores = score_prompts(model, tokenizer, [p.text for p in prompts],
                               [list(p.letters) for p in prompts])
        for item, score in zip(chunk, scores, strict=True):
            chosen, rule = letters_from_probs(score.probs(), item.type)
            outcome = score_letters(chosen, item.answer, item.type, rule).outcome
            correct += outcome is Outcome.CORRECT
    if was_training:
        model.train()
    return correct / len(items)


def epoch_order(n: int, seed: int, epoch: int) -> list[int]:
    """The example order of one epoch: a pure function of (seed, epoch), so resume replays it."""
    order = list(range(n))
    random.Random(seed * 1_000_003 + epoch).shuffle(order)
    return order


def _dev_subset(dev: DataSet | None, limit: int | None, seed: int) -> list[Item]:
    if dev is None:
        return []
    items = sorted(dev.items, key=lambda it: it.id)
    if limit and len(items) > limit:
        items = sorted(random.Random(seed).sample(items, limit), key=lambda it: it.id)
    return items


def total_steps(cfg: FinetuneConfig, n_train: int) -> int:
    per_epoch = math.ceil(math.ceil(n_train / cfg.training.batch_size) / cfg.training.grad_accum)
    steps = per_epoch * cfg.training.epochs
    return min(steps, cfg.training.max_steps) if cfg.training.max_steps else steps


def run_lora(cfg: FinetuneConfig, *, resume: bool = True, progress: bool = True) -> TrainResult:
    """Train, checkpoint, early-stop, save the best adapter and lineage.json; see module doc."""
    import torch
    from peft import LoraConfig, get_peft_model

    from medaudit.finetune.progress import TrainProgress
    from medaudit.models.hf import base_sha256, base_source, load_causal_lm

    t = cfg.training
    out = Path(cfg.output_dir)
    if t.threads:
        torch.set_num_threads(t.threads)
    seed_everything(cfg.seed)
    train = load_dataset(cfg.train, default_split=None)
    dev = load_dataset(cfg.eval) if cfg.eval else None
    dev_items = _dev_subset(dev, t.eval_limit, cfg.seed)
    builder = PromptBuilder(cfg.template, "logprob")
    source = base_source(cfg.base_name())
    model, tokenizer = load_causal_lm(source, t.dtype)
    encoded = encode_items(sorted(train.items, key=lambda it: it.id), builder, tokenizer, t.max_len)
    layers = None
    if cfg.lora.last_layers:
        n_layers = int(model.config.num_hidden_layers)
        layers = list(range(max(0, n_layers - cfg.lora.last_layers), n_layers))
    lora = LoraConfig(task_type="CAUSAL_LM", r=cfg.lora.r, lora_alpha=cfg.lora.alpha,
                      lora_dropout=cfg.lora.dropout, target_modules=list(cfg.lora.target_modules),
                      layers_to_transform=layers)
    model = get_peft_model(model, lora)
    model.train()
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=t.learning_rate, weight_decay=t.weight_decay)
    steps = total_steps(cfg, len(encoded))

    def lr_factor(step: int) -> float:
        if t.warmup_steps and step < t.warmup_steps:
            return (step + 1) / t.warmup_steps
        return max(0.0, (steps - step) / max(1, steps - t.warmup_steps))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    state = TrainState(config_key=cfg.weights_key(), total_steps=steps)
    notes: list[str] = []
    checkpoint = latest_checkpoint(out) if resume else None
    if checkpoint is not None:
        state = load_checkpoint(checkpoint, model, optimizer, scheduler, cfg.weights_key())
        notes.append(f"resumed from {checkpoint.name} (step {state.step} of {steps})")
    session_start = time.perf_counter()
    pad_id = int(tokenizer.pad_token_id)
    step_rng = rng_snapshot()
    adapter_dir = out / "adapter"
    with TrainProgress(steps, enabled=progress) as bar:
        bar.update(state)
        if dev_items and state.step == 0 and state.base_dev_accuracy is None:
            state.base_dev_accuracy = dev_accuracy(model, tokenizer, builder, dev_items,
                                                   t.batch_size * 2)
            # The base's dev accuracy is a reference, not a candidate: as in transformers'
            # load_best_model_at_end, only trained checkpoints compete for "best".
            state.dev_history.append({"step": 0, "accuracy": state.base_dev_accuracy})
            bar.update(state)
        try:
            while state.step < steps and not state.stopped:
                order = epoch_order(len(encoded), cfg.seed, state.epoch)
                per_update = t.batch_size * t.grad_accum
                while state.position < len(order) and state.step < steps:
                    chunk = order[state.position:state.position + per_update]
                    step_rng = rng_snapshot()  # an interrupted step restarts from here
                    optimizer.zero_grad(set_to_none=True)
                    total = 0.0
                    for k in range(0, len(chunk), t.batch_size):
                        micro = [encoded[i] for i in chunk[k:k + t.batch_size]]
                        loss = batch_loss(model, micro, pad_id) * (len(micro) / len(chunk))
                        loss.backward()
                        total += float(loss.detach())
                    torch.nn.utils.clip_grad_norm_(params, 1.0)
                    optimizer.step()
                    scheduler.step()
                    state.position += len(chunk)
                    state.step += 1
                    state.losses.append(round(total, 5))
                    step_rng = rng_snapshot()  # the step is done: an interrupt now keeps it
                    if dev_items and (state.step % t.eval_every == 0 or state.step == steps):
                        acc = dev_accuracy(model, tokenizer, builder, dev_items, t.batch_size * 2)
                        state.dev_history.append({"step": state.step, "accuracy": acc})
                        if state.best_dev_accuracy is None or acc > state.best_dev_accuracy:
                            state.best_dev_accuracy, state.best_step, state.bad_evals = \
                                acc, state.step, 0
                            model.save_pretrained(str(adapter_dir))
                        else:
                            state.bad_evals += 1
                            if state.bad_evals >= t.patience:
                                state.stopped = "early"
                    bar.update(state)
                    if state.step % t.save_every == 0 or state.stopped or state.step == steps:
                        state.elapsed_s += time.perf_counter() - session_start
                        session_start = time.perf_counter()
                        save_checkpoint(out, state, model, optimizer, scheduler)
                    if state.stopped:
                        break
                if state.position >= len(order):
                    state.epoch, state.position = state.epoch + 1, 0
        except KeyboardInterrupt:
            # Parameters change only in optimizer.step(), right before the step counter moves,
            # so the weights match `state.step`; the RNG is rewound to the step's start.
            state.elapsed_s += time.perf_counter() - session_start
            save_checkpoint(out, state, model, optimizer, scheduler, step_rng)
            raise MedauditError(f"interrupted at step {state.step} of {steps}; checkpoint saved "
                                f"in {out}/checkpoints: rerun the same command to resume") from None
    state.elapsed_s += time.perf_counter() - session_start
    if not state.stopped:
        state.stopped = "max_steps" if t.max_steps and state.step >= t.max_steps else "epochs"
    if not dev_items:
        model.save_pretrained(str(adapter_dir))  # no dev set: the last weights are the result
    lineage_file = out / "lineage.json"
    extra: dict[str, Any] = {}
    if cfg.merge or cfg.gguf:
        from medaudit.finetune.merge import merge_and_convert

        extra, merge_notes = merge_and_convert(source, adapter_dir, out, cfg.gguf, t.dtype)
        notes += merge_notes
    lineage = build_lineage(
        base={"spec": cfg.base, "path": source.display, "sha256": base_sha256(source)},
        train=train.describe(), dev=dev.describe() if dev else None,
        template=builder.describe(),
        hyperparameters={"lora": cfg.lora.model_dump(), "training": t.model_dump(),
                         "loss": "cross-entropy at the answer position (uniform over key letters)",
                         "optimizer": "AdamW", "schedule": "linear warmup then linear decay",
                         "trainable_parameters": sum(p.numel() for p in params)},
        seed=cfg.seed, adapter_dir=adapter_dir, output_dir=out,
        training={"steps": state.step, "total_steps": steps, "epochs_started": state.epoch + 1,
                  "stopped": state.stopped, "best_step": state.best_step,
                  "base_dev_accuracy": state.base_dev_accuracy,
                  "best_dev_accuracy": state.best_dev_accuracy, "dev_items": len(dev_items),
                  "dev_history": state.dev_history, "loss_history": state.losses,
                  "config_key": cfg.weights_key()},
        wall_time_s=state.elapsed_s, extra=extra)
    write_lineage(lineage_file, lineage)
    return TrainResult(out, adapter_dir, lineage_file, lineage, state, notes)
