"""Export formats: LLaMA-Factory, alpaca, OpenAI chat JSONL, TRL datasets; PII refusal."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medaudit.errors import MedauditError
from medaudit.eval.prompts import ItemView, PromptBuilder
from medaudit.finetune import export as export_mod
from medaudit.finetune.data import load_dataset, parse_data_spec
from medaudit.finetune.export import dataset_name, export_dataset
from medaudit.finetune.openai_format import check_openai_examples

REAL_CHECK_PII = export_mod.check_pii


@pytest.fixture
def data(mini_items: Path):
    return load_dataset(str(mini_items))


@pytest.fixture(autouse=True)
def _no_pii_scan(monkeypatch: pytest.MonkeyPatch) -> None:
    # The real scanner loads Presidio (seconds); its effect is tested separately below.
    monkeypatch.setattr(export_mod, "check_pii", lambda items: ([], None))


def test_data_spec_parsing() -> None:
    assert parse_data_spec("cmes:train") == ("cmes", "train")
    assert parse_data_spec("data/x.jsonl:dev") == ("data/x.jsonl", "dev")
    assert parse_data_spec("data/x.jsonl") == ("data/x.jsonl", None)
    assert parse_data_spec("c:/odd:name") == ("c:/odd:name", None)
    assert dataset_name("cmes:train") == "cmes_train"


def test_llamafactory_files_and_dataset_info(data, tmp_path: Path) -> None:
    result = export_dataset(data, "llamafactory", tmp_path)
    name = dataset_name(data.spec)
    info = json.loads((tmp_path / "dataset_info.json").read_text("utf-8"))
    assert set(info) == {f"{name}_alpaca", f"{name}_sharegpt"}
    assert info[f"{name}_sharegpt"]["formatting"] == "sharegpt"
    assert info[f"{name}_alpaca"]["columns"]["response"] == "output"
    alpaca = json.loads((tmp_path / info[f"{name}_alpaca"]["file_name"]).read_text("utf-8"))
    share = json.loads((tmp_path / info[f"{name}_sharegpt"]["file_name"]).read_text("utf-8"))
    assert len(alpaca) == len(share) == len(data.items) == result.n_examples
    first = data.items[0]
    expected = PromptBuilder("zh-mcq-v1", "generate").build(ItemView.of(first))
    # The user turn is exactly the evaluation prompt (minus the system line, kept as `system`).
    assert alpaca[0]["system"] + "\n" + alpaca[0]["instruction"] == expected.text
    assert alpaca[0]["output"] == f"答案：{first.answer}"
    turns = share[0]["conversations"]
    assert [t["from"] for t in turns] == ["human", "gpt"]
    assert turns[1]["value"] == f"答案：{first.answer}"
    manifest = json.loads((tmp_path / "export.json").read_text("utf-8"))
    assert manifest["data"]["n_items"] == len(data.items)
    assert len(manifest["data"]["item_ids_sha256"]) == 64


def test_dataset_info_is_merged_not_overwritten(data, tmp_path: Path) -> None:
    (tmp_path / "dataset_info.json").write_text('{"mine": {"file_name": "mine.json"}}', "utf-8")
    export_dataset(data, "llamafactory", tmp_path)
    info = json.loads((tmp_path / "dataset_info.json").read_text("utf-8"))
    assert "mine" in info and len(info) == 3


def test_logprob_method_ends_prompt_with_answer_prefix(data, tmp_path: Path) -> None:
    export_dataset(data, "alpaca", tmp_path, method="logprob")
    rows = json.loads(next(tmp_path.glob("*_alpaca.json")).read_text("utf-8"))
    assert rows[0]["instruction"].endswith("答案：")
    assert rows[0]["output"] == data.items[0].answer
    expected = PromptBuilder("zh-mcq-v1", "logprob").build(ItemView.of(data.items[0])).text
    assert rows[0]["system"] + "\n" + rows[0]["instruction"] == expected


def test_openai_jsonl_passes_format_rules(data, tmp_path: Path) -> None:
    result = export_dataset(data, "openai", tmp_path, with_rationale=True)
    lines = next(tmp_path.glob("*.jsonl")).read_text("utf-8").splitlines()
    records = [json.loads(line) for line in lines]
    assert len(records) == len(data.items)
    problems, warnings = check_openai_examples(records)
    assert problems == []
    assert any("at least 10" in w for w in warnings + result.warnings)  # 6 items < 10
    reply = records[0]["messages"][-1]
    assert reply["role"] == "assistant"
    assert reply["content"].startswith(data.items[0].explanation.strip())
    assert reply["content"].endswith(f"答案：{data.items[0].answer}")
    assert "逐步分析" in records[0]["messages"][1]["content"]  # chain-of-thought wording


def test_trl_dataset_has_messages(data, tmp_path: Path) -> None:
    from datasets import load_from_disk

    export_dataset(data, "trl", tmp_path)
    ds = load_from_disk(str(tmp_path / dataset_name(data.spec)))
    assert ds["train"].num_rows == len(data.items)
    roles = [m["role"] for m in ds["train"][0]["messages"]]
    assert roles == ["system", "user", "assistant"]


def test_unknown_format_is_a_user_error(data, tmp_path: Path) -> None:
    with pytest.raises(MedauditError, match="--format"):
        export_dataset(data, "csv", tmp_path)


def test_pii_findings_refuse_export_unless_allowed(data, tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(export_mod, "check_pii", lambda items: (["mini-E01-001: PHONE"], None))
    with pytest.raises(MedauditError, match="--allow-pii"):
        export_dataset(data, "openai", tmp_path)
    assert not list(tmp_path.glob("*.jsonl"))
    result = export_dataset(data, "openai", tmp_path, allow_pii=True)
    assert any("PII" in w for w in result.warnings)


@pytest.mark.slow
def test_real_pii_scan_flags_a_phone_number() -> None:
    from medaudit.bench.schema import Item

    item = Item(id="x1", dimension="E02", type="judge", question="患者张伟的电话是13812345678，"
                "医生可以把它告诉保险公司。", options={"A": "正确", "B": "错误"}, answer="B")
    flagged, note = REAL_CHECK_PII([item])
    assert note is None
    assert flagged and flagged[0].startswith("x1:") and "PHONE" in flagged[0]


def test_weak_pii_findings_warn_and_strong_ones_refuse(
    data, monkeypatch: pytest.MonkeyPatch
) -> None:
    import medaudit.privacy as privacy
    from medaudit.privacy import Finding

    def fake_scan(text: str, types: object = None) -> list[Finding]:
        weak = Finding(start=0, end=2, type="PERSON", score=0.75, recognizer="r")
        strong = Finding(start=0, end=11, type="PHONE", score=1.0, recognizer="r")
        return [strong] if "拒绝" in text else [weak]

    monkeypatch.setattr(privacy, "scan_text", fake_scan)
    flagged, note = REAL_CHECK_PII(data.items)
    assert flagged and all(f.endswith("PHONE") for f in flagged)
    assert note is not None and "weak PII findings" in note and "PERSON" in note
