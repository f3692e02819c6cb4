"""Checkpoints: adapter weights plus optimizer, scheduler, RNG and loop position.

Why: a CPU fine-tune runs for many minutes and can be interrupted; rerunning the same command
must continue at the same step with the same batch order and optimizer moments, so an
interrupted and an uninterrupted run end with the same adapter. A checkpoint is written to a
temporary directory and renamed into place, so a kill mid-write never leaves a half checkpoint.
The two newest are kept.
"""

from __future__ import annotations

import json
import random
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from medaudit.errors import MedauditError

KEEP = 2


@dataclass
class TrainState:
    """Where the loop is; serialised as JSON next to the tensors."""

    config_key: str
    total_steps: int
    step: int = 0
    epoch: int = 0
    position: int = 0
    losses: list[float] = field(default_factory=list)
    dev_history: list[dict[str, float]] = field(default_factory=list)
    base_dev_accuracy: float | None = None
    best_dev_accuracy: float | None = None
    best_step: int | None = None
    bad_evals: int = 0
    stopped: str | None = None
    elapsed_s: float = 0.0


def _dirs(out: Path) -> list[Path]:
    root = out / "checkpoints"
    if not root.is_dir():
        return []
    found = [p for p in root.iterdir() if p.is_dir() and p.name.startswith("step-")
             and (p / "state.json").exists()]
    return sorted(found, key=lambda p: int(p.name.split("-")[1]))


def latest_checkpoint(out: Path) -> Path | None:
    found = _dirs(out)
    return found[-1] if found else None


def rng_snapshot() -> dict[str, Any]:
    """The three RNG states; taken at the start of a step so an interrupted step replays exactly."""
    import numpy as np
    import torch

    return {"torch_rng": torch.get_rng_state(), "numpy_rng": np.random.get_state(),
            "python_rng": random.getstate()}


def save_checkpoint(out: Path, state: TrainState, model: Any, optimizer: Any,
                    scheduler: Any, rng: dict[str, Any] | None = None) -> Path:
    import torch
    from peft import get_peft_model_state_dict

    root = out / "checkpoints"
    target = root / f"step-{state.step}"
    tmp = root / f".step-{state.step}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    torch.save({"adapter": get_peft_model_state_dict(model), "optimizer": optimizer.state_dict(),
                "scheduler": scheduler.state_dict(), **(rng or rng_snapshot())},
               tmp / "trainer.pt")
    (tmp / "state.json").write_text(json.dumps(asdict(state), indent=1), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)
    for old in _dirs(out)[:-KEEP]:
        shutil.rmtree(old, ignore_errors=True)
    return target


def load_checkpoint(path: Path, model: Any, optimizer: Any, scheduler: Any,
                    config_key: str) -> TrainState:
    """Restore a checkpoint, refusing one written under other weight-changing settings."""
    import numpy as np
    import torch
    from peft import set_peft_model_state_dict

    state = TrainState(**json.loads((path / "state.json").read_text(encoding="utf-8")))
    if state.config_key != config_key:
        raise MedauditError(f"checkpoint {path} was written with other settings (key "
                            f"{state.config_key}, now {config_key}); use another output_dir or "
                            "--no-resume to start over")
    blob = torch.load(path / "trainer.pt", weights_only=False)
    set_peft_model_state_dict(model, blob["adapter"])
    optimizer.load_state_dict(blob["optimizer"])
    scheduler.load_state_dict(blob["scheduler"])
    torch.set_rng_state(blob["torch_rng"])
    np.random.set_state(blob["numpy_rng"])
    random.setstate(blob["python_rng"])
    return state
