"""lineage.json: written with the hashes lineage needs, verified against the files it names."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medaudit.cli.finetune import app
from medaudit.errors import InputError, MedauditError
from medaudit.finetune.hashing import adapter_sha256, file_sha256, ids_sha256
from medaudit.finetune.lineage import build_lineage, read_lineage, verify_lineage, write_lineage
from medaudit.finetune.summary import lineage_rows


def _fake_finetune(tmp_path: Path, mini_items: Path) -> Path:
    out = tmp_path / "ft"
    adapter = out / "adapter"
    adapter.mkdir(parents=True)
    (adapter / "adapter_config.json").write_text('{"r": 4}', "utf-8")
    (adapter / "adapter_model.safetensors").write_bytes(b"weights")
    base = tmp_path / "base.gguf"
    base.write_bytes(b"GGUF base")
    lineage = build_lineage(
        base={"spec": "x", "path": str(base), "sha256": file_sha256(base)},
        train={"spec": str(mini_items), "path": str(mini_items),
               "file_sha256": file_sha256(mini_items), "n_items": 6,
               "item_ids_sha256": ids_sha256(["b", "a"])},
        dev=None, template={"template": "zh-mcq-v1"},
        hyperparameters={"lora": {"r": 4, "alpha": 8, "dropout": 0.0, "target_modules": ["q"]},
                         "training": {"learning_rate": 0.1}},
        seed=7, adapter_dir=adapter, output_dir=out, training={"steps": 2, "stopped": "epochs"},
        wall_time_s=1.23)
    write_lineage(out / "lineage.json", lineage)
    return out


def test_lineage_fields_and_verification(tmp_path: Path, mini_items: Path) -> None:
    out = _fake_finetune(tmp_path, mini_items)
    data = read_lineage(out)
    assert data["adapter"] == {"path": "adapter", "sha256": adapter_sha256(out / "adapter")}
    assert data["train"]["item_ids_sha256"] == ids_sha256(["a", "b"])  # order-free
    assert data["seed"] == 7 and data["wall_time_s"] == 1.2
    assert "torch" in data["packages"]
    assert verify_lineage(out) == []
    rows = dict(lineage_rows(data))
    assert rows["adapter sha256"] == data["adapter"]["sha256"]


def test_swapped_adapter_is_detected(tmp_path: Path, mini_items: Path) -> None:
    out = _fake_finetune(tmp_path, mini_items)
    (out / "adapter" / "adapter_model.safetensors").write_bytes(b"other weights")
    assert any("adapter" in p for p in verify_lineage(out))
    result = CliRunner().invoke(app, ["lineage", "show", str(out)])
    assert result.exit_code == 1
    assert "recorded sha256" in result.output


def test_cli_show_verifies(tmp_path: Path, mini_items: Path) -> None:
    out = _fake_finetune(tmp_path, mini_items)
    result = CliRunner().invoke(app, ["lineage", "show", str(out / "lineage.json")])
    assert result.exit_code == 0, result.output
    assert "hashes verified" in result.output


def test_incomplete_lineage_is_an_input_error(tmp_path: Path) -> None:
    path = tmp_path / "lineage.json"
    path.write_text(json.dumps({"base": {}}), "utf-8")
    with pytest.raises(InputError, match="train"):
        read_lineage(path)
    with pytest.raises(MedauditError, match=r"no lineage\.json"):
        read_lineage(tmp_path / "missing")


def test_adapter_hash_ignores_readme(tmp_path: Path) -> None:
    (tmp_path / "adapter_config.json").write_text("{}", "utf-8")
    before = adapter_sha256(tmp_path)
    (tmp_path / "README.md").write_text("notes", "utf-8")
    assert adapter_sha256(tmp_path) == before
