"""Checkpoints restore adapter, optimizer, scheduler and RNG, and refuse other settings."""

from __future__ import annotations

from pathlib import Path

import pytest

torch = pytest.importorskip("torch")
peft = pytest.importorskip("peft")


def _tiny_model():
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=32, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2)
    model = LlamaForCausalLM(config)
    lora = peft.LoraConfig(task_type="CAUSAL_LM", r=2, lora_alpha=4, target_modules=["q_proj"])
    return peft.get_peft_model(model, lora)


def test_round_trip_and_key_check(tmp_path: Path) -> None:
    from medaudit.errors import MedauditError
    from medaudit.finetune.checkpoint import (
        TrainState,
        latest_checkpoint,
        load_checkpoint,
        save_checkpoint,
    )

    model = _tiny_model()
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=0.1)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: 1.0)
    loss = model(input_ids=torch.tensor([[1, 2, 3]]), labels=torch.tensor([[1, 2, 3]])).loss
    loss.backward()
    opt.step()
    sched.step()
    state = TrainState(config_key="k1", total_steps=4, step=1, position=4, losses=[1.0])
    for step in (1, 2, 3):
        state.step = step
        save_checkpoint(tmp_path, state, model, opt, sched)
    assert [p.name for p in sorted((tmp_path / "checkpoints").iterdir())] == ["step-2", "step-3"]
    expected = torch.rand(3)  # the RNG right after saving step 3 ...
    other = _tiny_model()
    other_opt = torch.optim.AdamW([p for p in other.parameters() if p.requires_grad], lr=0.1)
    other_sched = torch.optim.lr_scheduler.LambdaLR(other_opt, lambda s: 1.0)
    path = latest_checkpoint(tmp_path)
    assert path is not None
    restored = load_checkpoint(path, other, other_opt, other_sched, "k1")
    assert restored.step == 3 and restored.losses == [1.0]
    assert torch.equal(torch.rand(3), expected)  # ... is restored with it
    mine = peft.get_peft_model_state_dict(model)
    theirs = peft.get_peft_model_state_dict(other)
    assert all(torch.equal(mine[k], theirs[k]) for k in mine)
    assert other_opt.state_dict()["state"].keys() == opt.state_dict()["state"].keys()
    with pytest.raises(MedauditError, match="other settings"):
        load_checkpoint(path, other, other_opt, other_sched, "k2")
