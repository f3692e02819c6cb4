"""Export items as fine-tuning data for the trainers people already use.

Formats: `llamafactory` (alpaca and sharegpt JSON plus `dataset_info.json`), `alpaca` (alpaca
JSON alone), `openai` (chat JSONL checked against OpenAI's fine-tuning format rules) and `trl`
(a `datasets` directory with a `messages` column). The user turn is the evaluation engine's
prompt for the item (`finetune.data.example_for`), so a model tuned on an export sees the same
shape it is later tested with. Every export writes `export.json` with the hashes lineage needs.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from medaudit.bench.schema import Item
from medaudit.errors import MedauditError
from medaudit.eval.prompts import PromptBuilder
from medaudit.finetune.data import DataSet, Example, example_for
from medaudit.finetune.openai_format import check_openai_examples
from medaudit.fsutil import atomic_writer

Format = Literal["llamafactory", "alpaca", "openai", "trl"]
FORMATS: tuple[str, ...] = ("llamafactory", "alpaca", "openai", "trl")


@dataclass(frozen=True)
class ExportResult:
    files: list[Path]
    n_examples: int
    warnings: list[str]


def dataset_name(spec: str) -> str:
    """`cmes:train` -> `cmes_train`; a path keeps its stem."""
    head, _, split = spec.rpartition(":") if ":" in spec else (spec, "", "")
    stem = Path(head or spec).stem
    return re.sub(r"[^A-Za-z0-9_]+", "_", f"{stem}_{split}" if split else stem).strip("_")


def build_builder(template: str, method: str, with_rationale: bool) -> PromptBuilder:
    """generate: the user turn asks for "答案：X" and the reply is "答案：X" (chat trainers);
    logprob: the prompt ends in "答案：" and the reply is the bare letter (completion trainers).
    A rationale always uses the chain-of-thought wording of the template's version."""
    if with_rationale:
        return PromptBuilder(template.replace("zh-mcq-", "zh-mcq-cot-", 1)
                             if "cot" not in template else template, "generate")
    if method not in ("generate", "logprob"):
        raise MedauditError(f"--method must be generate or logprob, got '{method}'")
    return PromptBuilder(template, method)  # type: ignore[arg-type]


def reply(example: Example, method: str, with_rationale: bool) -> str:
    if with_rationale and example.rationale.strip():
        return f"{example.rationale.strip()}\n答案：{example.answer}"
    return example.answer if method == "logprob" else f"答案：{example.answer}"


def refuse_min_score() -> float:
    text = resources.files("medaudit.finetune").joinpath("export.yaml").read_text("utf-8")
    return float(yaml.safe_load(text)["refuse_min_score"])


def check_pii(items: Sequence[Item]) -> tuple[list[str], str | None]:
    """Items with strong PII findings, as "id: TYPE, TYPE"; and a note (scanner missing, or weak
    findings that only warn). Values are never shown, only types (export.yaml sets the bar)."""
    try:
        from medaudit.privacy import scan_text
    except ImportError:
        return [], "PII check skipped: medaudit.privacy is not importable"
    bar = refuse_min_score()
    flagged, weak = [], []
    for item in items:
        text = "\n".join([item.question, *item.options.values(), item.explanation])
        try:
            findings = scan_text(text)
        except ImportError as err:
            return [], f"PII check skipped: {err}"
        strong = sorted({f.type for f in findings if f.score >= bar})
        if strong:
            flagged.append(f"{item.id}: {', '.join(strong)}")
        elif findings:
            weak.append(f"{item.id}: {', '.join(sorted({f.type for f in findings}))}")
    note = None
    if weak:
        note = (f"{len(weak)} items have weak PII findings (score < {bar}), exported: "
                + "; ".join(weak[:5]) + (" …" if len(weak) > 5 else ""))
    return flagged, note


def _records(examples: list[tuple[Example, str]]) -> dict[str, list[dict[str, Any]]]:
    alpaca = [{"instruction": ex.user, "input": "", "output": out, "system": ex.system, "id": ex.id}
              for ex, out in examples]
    sharegpt = [{"conversations": [{"from": "human", "value": ex.user},
                                   {"from": "gpt", "value": out}],
                 "system": ex.system, "id": ex.id} for ex, out in examples]
    messages = [{"messages": [{"role": "system", "content": ex.system},
                              {"role": "user", "content": ex.user},
                              {"role": "assistant", "content": out}]} for ex, out in examples]
    return {"alpaca": alpaca, "sharegpt": sharegpt, "messages": messages}


def _write_json(path: Path, data: Any) -> Path:
    with atomic_writer(path) as handle:
        json.dump(data, handle, ensure_ascii=False, indent=2)
        handle.write("\n")
    return path


def llamafactory_info(name: str) -> dict[str, Any]:
    """dataset_info.json entries for the alpaca and sharegpt files (LLaMA-Factory's schema)."""
    return {
        f"{name}_alpaca": {"file_name": f"{name}_alpaca.json",
                           "columns": {"prompt": "instruction", "query": "input",
                                       "response": "output", "system": "system"}},
        f"{name}_sharegpt": {"file_name": f"{name}_sharegpt.json", "formatting": "sharegpt",
                             "columns": {"messages": "conversations", "system": "system"},
                             "tags": {"role_tag": "from", "content_tag": "value",
                                      "user_tag": "human", "assistant_tag": "gpt"}},
    }


def export_dataset(data: DataSet, fmt: str, out: Path, *, template: str = "zh-mcq-v1",
                   method: str = "generate", with_rationale: bool = False,
                   allow_pii: bool = False, openai_token_limit: int | None = None) -> ExportResult:
    """Write one dataset in one format under `out`; see the module doc for the layouts."""
    if fmt not in FORMATS:
        raise MedauditError(f"--format must be one of {', '.join(FORMATS)}, got '{fmt}'")
    warnings: list[str] = []
    flagged, note = check_pii(data.items)
    if note:
        warnings.append(note)
    if flagged and not allow_pii:
        more = f"; … {len(flagged) - 5} more" if len(flagged) > 5 else ""
        shown = "; ".join(flagged[:5]) + more
        raise MedauditError(f"{len(flagged)} items contain possible PII ({shown}); de-identify "
                            "them (medaudit privacy) or pass --allow-pii")
    if flagged:
        warnings.append(f"{len(flagged)} items with possible PII exported (--allow-pii)")
    builder = build_builder(template, method, with_rationale)
    examples = [(ex, reply(ex, builder.method, with_rationale))
                for ex in (example_for(it, builder) for it in data.items)]
    if with_rationale:
        missing = sum(1 for ex, _ in examples if not ex.rationale.strip())
        if missing:
            warnings.append(f"{missing} items have no explanation: their reply is the answer only")
    records = _records(examples)
    name = dataset_name(data.spec)
    files: list[Path] = []
    if fmt == "llamafactory":
        files.append(_write_json(out / f"{name}_alpaca.json", records["alpaca"]))
        files.append(_write_json(out / f"{name}_sharegpt.json", records["sharegpt"]))
        info_path = out / "dataset_info.json"
        info = json.loads(info_path.read_text("utf-8")) if info_path.exists() else {}
        info.update(llamafactory_info(name))
        files.append(_write_json(info_path, info))
    elif fmt == "alpaca":
        files.append(_write_json(out / f"{name}_alpaca.json", records["alpaca"]))
    elif fmt == "openai":
        problems, notes = check_openai_examples(records["messages"], openai_token_limit)
        if problems:
            raise MedauditError(f"OpenAI format check failed: {problems[0]} "
                                f"({len(problems)} problems)")
        warnings += notes
        path = out / f"{name}.jsonl"
        with atomic_writer(path) as handle:
            for rec in records["messages"]:
                handle.write(json.dumps(rec, ensure_ascii=False) + "\n")
        files.append(path)
    else:
        files.append(_write_trl(out / name, records["messages"], [ex.id for ex, _ in examples]))
    files.append(_write_json(out / "export.json", {
        "format": fmt, "method": builder.method, "with_rationale": with_rationale,
        "template": builder.describe(), "data": data.describe(), "n_examples": len(examples),
        "files": [p.relative_to(out).as_posix() for p in files]}))
    return ExportResult(files, len(examples), warnings)


def _write_trl(target: Path, messages: list[dict[str, Any]], ids: list[str]) -> Path:
    """A `datasets.DatasetDict` saved to disk (split `train`); load with `load_from_disk`."""
    from datasets import Dataset, DatasetDict

    rows = [{"id": i, **m} for i, m in zip(ids, messages, strict=True)]
    DatasetDict({"train": Dataset.from_list(rows)}).save_to_disk(str(target))
    return target
