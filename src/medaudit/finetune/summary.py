"""The few lineage fields a person reads first, as (label, value) rows.

Why one function: the `lineage show` table, the run report's header and the comparison report
all show the same rows, so a reviewer sees the same hashes everywhere.
"""

from __future__ import annotations

from typing import Any


def _get(data: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(data, dict):
            return None
        data = data.get(key)
    return data


def lineage_rows(data: dict[str, Any]) -> list[tuple[str, str]]:
    """Base, data, adapter hashes, settings and timing of a lineage record."""
    lora = _get(data, "hyperparameters", "lora") or {}
    train_cfg = _get(data, "hyperparameters", "training") or {}
    rows = [
        ("base model", str(_get(data, "base", "spec"))),
        ("base sha256", str(_get(data, "base", "sha256"))),
        ("train data", f"{_get(data, 'train', 'spec')} ({_get(data, 'train', 'n_items')} items)"),
        ("train file sha256", str(_get(data, "train", "file_sha256"))),
        ("train item ids sha256", str(_get(data, "train", "item_ids_sha256"))),
        ("adapter sha256", str(_get(data, "adapter", "sha256"))),
        ("LoRA", f"r={lora.get('r')} alpha={lora.get('alpha')} dropout={lora.get('dropout')} "
                 f"modules={','.join(lora.get('target_modules') or [])}"),
        ("training", f"lr={train_cfg.get('learning_rate')} batch={train_cfg.get('batch_size')} "
                     f"epochs={train_cfg.get('epochs')} max_steps={train_cfg.get('max_steps')}"),
        ("seed", str(data.get("seed"))),
        ("steps", f"{_get(data, 'training', 'steps')} ({_get(data, 'training', 'stopped')}); "
                  f"best step {_get(data, 'training', 'best_step')}"),
        ("wall time", f"{data.get('wall_time_s')} s"),
    ]
    dev = data.get("dev")
    if isinstance(dev, dict):
        rows.insert(5, ("dev data", f"{dev.get('spec')} ({dev.get('n_items')} items)"))
    packages = data.get("packages") or {}
    if packages:
        rows.append(("packages", ", ".join(f"{k} {v}" for k, v in sorted(packages.items()))))
    return rows
