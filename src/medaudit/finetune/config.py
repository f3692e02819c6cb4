"""The LoRA fine-tune configuration: a YAML file, validated, with CLI overrides on top.

Why a typed model: the whole configuration goes into lineage.json and into the resume check, so
a typo in a key must be an error (extra keys are forbidden), not a silently ignored setting.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from medaudit.errors import InputError
from medaudit.fsutil import read_text_strict


class LoraSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    r: int = Field(8, ge=1)
    alpha: int = Field(16, ge=1)
    dropout: float = Field(0.05, ge=0.0, lt=1.0)
    target_modules: list[str] = Field(default_factory=lambda: ["q_proj", "k_proj", "v_proj",
                                                               "o_proj"])
    # Only the last N transformer layers get adapters: backward then stops at the first adapted
    # layer, which on CPU cuts a step's cost roughly in proportion.
    last_layers: int | None = Field(None, ge=1)


class TrainingSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    epochs: int = Field(3, ge=1)
    max_steps: int | None = Field(None, ge=1)
    batch_size: int = Field(4, ge=1)
    grad_accum: int = Field(1, ge=1)
    learning_rate: float = Field(2e-4, gt=0)
    weight_decay: float = Field(0.0, ge=0)
    warmup_steps: int = Field(0, ge=0)
    max_len: int = Field(1024, ge=16)
    save_every: int = Field(10, ge=1)
    eval_every: int = Field(10, ge=1)
    eval_limit: int | None = Field(None, ge=1)
    patience: int = Field(3, ge=1)
    threads: int | None = Field(None, ge=1)
    dtype: str = "float32"


class FinetuneConfig(BaseModel):
    """Everything that changes the tuned weights, plus where they go."""

    model_config = ConfigDict(extra="forbid")

    base: str = "gemma3-270m"
    train: str = "cmes:train"
    eval: str | None = "cmes:dev"
    output_dir: str = "runs/ft/lora"
    template: str = "zh-mcq-v1"
    seed: int = 0
    lora: LoraSettings = Field(default_factory=LoraSettings)  # type: ignore[arg-type]
    training: TrainingSettings = Field(default_factory=TrainingSettings)  # type: ignore[arg-type]
    merge: bool = False
    gguf: bool = False

    def base_name(self) -> str:
        """The base without a provider prefix: `hf/gemma3-270m` and `gemma3-270m` are one base."""
        for prefix in ("hf/", "llamacpp/"):
            if self.base.startswith(prefix):
                return self.base[len(prefix):].split("?", 1)[0]
        return self.base

    def weights_key(self) -> str:
        """Hash of the settings that change the weights: resuming under others is refused."""
        data = self.model_dump(exclude={"output_dir", "merge", "gguf"})
        data["training"].pop("threads", None)
        data["training"].pop("save_every", None)
        return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:16]


def load_config(path: Path | None, overrides: dict[str, Any] | None = None) -> FinetuneConfig:
    """Read a YAML config (or defaults), then apply dotted overrides ({"training.max_steps": 3})."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            loaded = yaml.safe_load(read_text_strict(path))
        except yaml.YAMLError as err:
            mark = getattr(err, "problem_mark", None)
            raise InputError(path, mark.line + 1 if mark else None, None,
                             f"invalid YAML: {getattr(err, 'problem', err)}") from None
        if loaded is not None and not isinstance(loaded, dict):
            raise InputError(path, None, None, "the config must be a YAML mapping")
        data = loaded or {}
    for dotted, value in (overrides or {}).items():
        if value is None:
            continue
        target = data
        *parents, leaf = dotted.split(".")
        for key in parents:
            target = target.setdefault(key, {})
        target[leaf] = value
    try:
        return FinetuneConfig.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        field = ".".join(str(p) for p in first["loc"])
        raise InputError(path or "<config>", None, field, str(first["msg"])) from None
