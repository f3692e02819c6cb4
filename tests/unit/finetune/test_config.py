"""Fine-tune config: YAML + dotted overrides, strict keys, and the resume key."""

from __future__ import annotations

from pathlib import Path

import pytest

from medaudit.errors import InputError
from medaudit.finetune.config import load_config
from medaudit.finetune.train import epoch_order, total_steps

ROOT = Path(__file__).resolve().parents[3]


def test_shipped_configs_load() -> None:
    for name in ("gemma3-270m-cpu.yaml", "qwen2.5-1.5b-gpu.yaml"):
        cfg = load_config(ROOT / "configs" / "finetune" / name)
        assert cfg.train == "cmes:train" and cfg.eval == "cmes:dev"


def test_overrides_and_base_prefix(tmp_path: Path) -> None:
    cfg = load_config(None, {"base": "hf/gemma3-270m?dtype=float32", "training.max_steps": 3,
                             "seed": None})
    assert cfg.base_name() == "gemma3-270m"
    assert cfg.training.max_steps == 3 and cfg.seed == 0


def test_unknown_key_is_reported_with_its_field(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("training:\n  learning_rat: 0.1\n", "utf-8")
    with pytest.raises(InputError, match="learning_rat"):
        load_config(path)


def test_weights_key_ignores_where_but_not_what() -> None:
    a = load_config(None, {"output_dir": "x", "training.save_every": 1})
    b = load_config(None, {"output_dir": "y", "training.save_every": 9})
    c = load_config(None, {"training.learning_rate": 1e-3})
    assert a.weights_key() == b.weights_key() != c.weights_key()


def test_epoch_order_is_seeded_and_total_steps_counts_updates() -> None:
    assert epoch_order(10, 0, 1) == epoch_order(10, 0, 1)
    assert epoch_order(10, 0, 1) != epoch_order(10, 0, 2)
    assert sorted(epoch_order(10, 3, 0)) == list(range(10))
    cfg = load_config(None, {"training.batch_size": 4, "training.epochs": 2})
    assert total_steps(cfg, 10) == 6
    cfg = load_config(None, {"training.batch_size": 4, "training.grad_accum": 2,
                             "training.max_steps": 1})
    assert total_steps(cfg, 10) == 1
