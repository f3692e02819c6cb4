"""A tiny real fine-tune: 2 LoRA steps on 4 items of the embedded Gemma 3 270M GGUF.

Covers the whole chain a user runs: `finetune lora` (checkpoints, dev evaluation, lineage),
an interruption and resume that ends with the same weights as an uninterrupted run, and
`medaudit eval --model hf/...?adapter=... --lineage ...` writing the lineage into the manifest.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medaudit.bench.io import read_items, write_items

pytestmark = pytest.mark.slow

CONFIG = """\
base: gemma3-270m
seed: 3
lora: {r: 4, alpha: 8, dropout: 0.1, last_layers: 2}
training: {max_steps: 2, batch_size: 2, save_every: 1, eval_every: 1, patience: 5, threads: 2}
"""


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    pytest.importorskip("torch")
    pytest.importorskip("peft")
    from medaudit.models.catalog import catalog, status

    if status(catalog()["gemma3-270m"]) == "not installed":
        pytest.skip("gemma3-270m is not installed (medaudit models pull gemma3-270m)")
    root = tmp_path_factory.mktemp("ft")
    items = read_items(Path(__file__).resolve().parents[1] / "data" / "mini.jsonl")
    write_items(root / "train.jsonl", items[:4])
    write_items(root / "dev.jsonl", items[4:6])
    (root / "cfg.yaml").write_text(CONFIG, "utf-8")
    return {"root": root, "train": root / "train.jsonl", "dev": root / "dev.jsonl",
            "cfg": root / "cfg.yaml"}


def _checkpoint_adapter(out: Path, step: int) -> dict[str, Any]:
    import torch

    blob = torch.load(out / "checkpoints" / f"step-{step}" / "trainer.pt", weights_only=False)
    return dict(blob["adapter"])


def test_lora_cli_writes_adapter_checkpoints_and_lineage(files: dict[str, Path]) -> None:
    from medaudit.cli.finetune import app
    from medaudit.finetune.hashing import adapter_sha256, ids_sha256
    from medaudit.models.catalog import catalog

    out = files["root"] / "run-a"
    result = CliRunner().invoke(app, ["lora", "--config", str(files["cfg"]), "--train",
                                      str(files["train"]), "--eval", str(files["dev"]), "-o",
                                      str(out), "--no-progress"])
    assert result.exit_code == 0, result.output
    lineage = json.loads((out / "lineage.json").read_text("utf-8"))
    assert lineage["train"]["n_items"] == 4
    assert lineage["train"]["item_ids_sha256"] == ids_sha256(
        it.id for it in read_items(files["train"]))
    assert lineage["base"]["sha256"] == catalog()["gemma3-270m"].sha256
    assert lineage["adapter"]["sha256"] == adapter_sha256(out / "adapter")
    assert lineage["training"]["steps"] == 2 and len(lineage["training"]["loss_history"]) == 2
    assert [h["step"] for h in lineage["training"]["dev_history"]] == [0, 1, 2]
    assert lineage["seed"] == 3 and lineage["hyperparameters"]["lora"]["last_layers"] == 2
    assert (out / "checkpoints" / "step-2").is_dir()


def test_interrupted_run_resumes_to_the_same_weights(files: dict[str, Path],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import torch

    from medaudit.errors import MedauditError
    from medaudit.finetune import train as train_mod
    from medaudit.finetune.config import load_config

    reference = files["root"] / "run-a"
    if not (reference / "checkpoints" / "step-2").exists():
        pytest.skip("needs the uninterrupted run of the previous test")
    out = files["root"] / "run-b"
    cfg = load_config(files["cfg"], {"train": str(files["train"]), "eval": str(files["dev"]),
                                     "output_dir": str(out)})
    real = train_mod.batch_loss
    calls = {"n": 0}

    def interrupt_second_step(*args: Any, **kwargs: Any) -> Any:
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt
        return real(*args, **kwargs)

    monkeypatch.setattr(train_mod, "batch_loss", interrupt_second_step)
    with pytest.raises(MedauditError, match="interrupted at step 1"):
        train_mod.run_lora(cfg, progress=False)
    monkeypatch.setattr(train_mod, "batch_loss", real)
    result = train_mod.run_lora(cfg, progress=False)
    assert any("resumed from step-1" in note for note in result.notes)
    assert result.state.step == 2
    mine, theirs = _checkpoint_adapter(out, 2), _checkpoint_adapter(reference, 2)
    assert mine.keys() == theirs.keys()
    assert all(torch.allclose(mine[k], theirs[k], atol=1e-6) for k in mine)


def test_eval_with_adapter_records_lineage(files: dict[str, Path], tmp_path: Path) -> None:
    from medaudit.eval.runner import EvalConfig, evaluate

    out = files["root"] / "run-a"
    if not (out / "lineage.json").exists():
        pytest.skip("needs the fine-tune of the first test")
    cfg = EvalConfig(model=f"hf/gemma3-270m?adapter={out / 'adapter'}", benchmark=str(files["dev"]),
                     lineage=out / "lineage.json", output_dir=tmp_path / "run", progress=False,
                     db_url=f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = evaluate(cfg)
    manifest = json.loads((tmp_path / "run" / "manifest.json").read_text("utf-8"))
    lineage = manifest["lineage"]
    assert lineage["adapter"]["sha256"] == manifest["model"]["extra"]["adapter_sha256"]
    assert result.summary.n_items == 2
    report = (tmp_path / "run" / "report.md")
    if report.exists():
        assert lineage["adapter"]["sha256"] in report.read_text("utf-8")
