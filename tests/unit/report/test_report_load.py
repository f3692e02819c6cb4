"""Reading run directories: typed objects, one-line errors, run-id resolution."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from medaudit.errors import InputError, MedauditError
from medaudit.report.load import load_run, resolve_run

Read = Callable[[Path], list[dict[str, Any]]]
Write = Callable[[Path, list[dict[str, Any]]], None]


def test_example_run_loads_with_all_outcomes(example_run: Path) -> None:
    run = load_run(example_run)
    assert run.summary.n_items == len(run.samples) == 60
    assert {s.outcome.value for s in run.samples} == {"correct", "wrong", "unparsed", "refused",
                                                      "error"}
    assert len(run.summary.by_dimension) == 20
    assert run.manifest is not None and run.manifest.seed == 0


def test_missing_directory_is_a_user_error(tmp_path: Path) -> None:
    with pytest.raises(MedauditError, match="not a run directory"):
        load_run(tmp_path / "nope")


def test_missing_summary_says_to_resume(run_copy: Path) -> None:
    (run_copy / "summary.json").unlink()
    with pytest.raises(InputError, match=r"summary\.json: missing.*rerun"):
        load_run(run_copy)


def test_truncated_summary_names_file_and_line(run_copy: Path) -> None:
    text = (run_copy / "summary.json").read_text(encoding="utf-8")
    (run_copy / "summary.json").write_text(text[: len(text) // 2], encoding="utf-8")
    with pytest.raises(InputError) as err:
        load_run(run_copy)
    assert str(err.value).startswith(f"{run_copy / 'summary.json'}:")
    assert "invalid JSON" in str(err.value)


def test_summary_field_of_wrong_type_names_field(run_copy: Path) -> None:
    data = json.loads((run_copy / "summary.json").read_text(encoding="utf-8"))
    data["n_items"] = "sixty"
    (run_copy / "summary.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(InputError, match="field 'n_items'"):
        load_run(run_copy)


def test_bad_sample_line_names_line_and_field(run_copy: Path, read_samples: Read,
                                              write_samples: Write) -> None:
    samples = read_samples(run_copy)
    samples[4]["outcome"] = "maybe"
    write_samples(run_copy, samples)
    with pytest.raises(InputError) as err:
        load_run(run_copy)
    assert "samples.jsonl:5: field 'outcome'" in str(err.value)


def test_truncated_last_sample_line_is_reported(run_copy: Path) -> None:
    path = run_copy / "samples.jsonl"
    path.write_text(path.read_text(encoding="utf-8")[:-40], encoding="utf-8")
    with pytest.raises(InputError, match=r"samples\.jsonl:60: invalid JSON"):
        load_run(run_copy)


def test_retried_item_counts_once_with_last_line_winning(run_copy: Path, read_samples: Read,
                                                         write_samples: Write) -> None:
    samples = read_samples(run_copy)
    retry = dict(samples[0], outcome="wrong", extracted="A")
    write_samples(run_copy, [*samples, retry])
    run = load_run(run_copy)
    assert len(run.samples) == 60
    assert next(s for s in run.samples if s.id == retry["id"]).outcome.value == "wrong"


def test_missing_manifest_and_samples_still_load(run_copy: Path) -> None:
    (run_copy / "manifest.json").unlink()
    (run_copy / "samples.jsonl").unlink()
    run = load_run(run_copy)
    assert run.manifest is None and run.samples == []


def test_questions_are_looked_up_in_the_benchmark_when_samples_lack_them(
        run_copy: Path, read_samples: Read, write_samples: Write) -> None:
    samples = read_samples(run_copy)
    bench = run_copy / "bench.jsonl"
    bench.write_text("".join(json.dumps({"id": s["id"], "question": s["question"],
                                         "options": s["options"]}, ensure_ascii=False) + "\n"
                             for s in samples), encoding="utf-8")
    write_samples(run_copy, [{k: v for k, v in s.items() if k not in ("question", "options")}
                             for s in samples])
    manifest = json.loads((run_copy / "manifest.json").read_text(encoding="utf-8"))
    manifest["benchmark"]["path"] = str(bench)
    (run_copy / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    run = load_run(run_copy)
    wrong = next(s for s in samples if s["outcome"] == "wrong")
    assert run.items[wrong["id"]]["question"] == wrong["question"]
    assert all(s.id not in run.items for s in run.samples if s.outcome.value == "correct")


def test_resolve_accepts_path_id_and_unique_prefix(tmp_path: Path, run_copy: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    runs = tmp_path / "runs"
    (runs / "gemma-cmes-0123").mkdir(parents=True)
    run_copy.rename(runs / "gemma-cmes-0123")
    monkeypatch.chdir(tmp_path)
    assert resolve_run(str(runs / "gemma-cmes-0123")) == runs / "gemma-cmes-0123"
    assert resolve_run("gemma-cmes-0123") == Path("runs") / "gemma-cmes-0123"
    assert resolve_run("gemma-cmes").name == "gemma-cmes-0123"


def test_resolve_rejects_ambiguous_prefix(tmp_path: Path, example_run: Path) -> None:
    import shutil

    for name in ("qwen-a", "qwen-b"):
        shutil.copytree(example_run, tmp_path / name)
    with pytest.raises(MedauditError, match="matches 2 runs"):
        resolve_run("qwen", runs_root=tmp_path)


def test_resolve_unknown_run_says_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(MedauditError, match=r"not found.*medaudit runs list"):
        resolve_run("no-such-run", runs_root=tmp_path)


def test_resolve_unfinished_run_dir_says_to_resume(tmp_path: Path) -> None:
    (tmp_path / "half").mkdir()
    with pytest.raises(InputError, match="rerun the same eval command"):
        resolve_run(str(tmp_path / "half"), runs_root=tmp_path / "runs")
