"""Every malformed input ends in exit code 2 and ONE line naming the file/line/field or the
spec and what to do; no traceback; the store and earlier runs are untouched."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medaudit.cli.app import run
from medaudit.store.db import Store

BAD = Path(__file__).parents[1] / "data" / "bad"
MINI = Path(__file__).parents[1] / "data" / "mini.jsonl"

# file -> text the one-line error must contain (besides the file name)
ITEM_FILES = {
    "items_truncated.jsonl": ":2: invalid JSON",
    "items_gbk.jsonl": "GBK",
    "items_bom.jsonl": "byte-order mark",
    "items_duplicate_ids.jsonl": "duplicate id",
    "items_key_not_in_options.jsonl": "not among the options",
    "items_empty_options.jsonl": "field 'options'",
    "items_empty_option_text.jsonl": "option C is empty",
    "items_unknown_dimension.jsonl": ":2: field 'dimension': unknown dimension 'E12'",
    "items_not_object.jsonl": "must be a JSON object",
    "items_missing_question.jsonl": "field 'question'",
    "items_bad_type.jsonl": "field 'type'",
    "items_judge_wrong_options.jsonl": "judge item",
    "items_single_with_two_keys.jsonl": "exactly one key",
    "items_empty.jsonl": "contains no items",
    "items_binary.jsonl": "binary file",
    "items_bad_split.jsonl": "field 'split'",
    "items_lowercase_option_keys.jsonl": "option keys must be",
    "items_repeated_key_letter.jsonl": "repeats a letter",
    "items_misspelled_field.jsonl": "field 'answer'",
    "items_difficulty_out_of_range.jsonl": "field 'difficulty'",
    "items_reference_without_title.jsonl": "field 'references.0.title'",
    "items_options_as_list.jsonl": "field 'options'",
    "items_blank_lines_only.jsonl": "contains no items",
}


@pytest.fixture
def earlier_run(tmp_path: Path) -> tuple[Store, str, dict[str, str]]:
    assert (
        run(
            [
                "eval",
                "-m",
                "mock/gold",
                "-b",
                str(MINI),
                "--output-dir",
                str(tmp_path / "ok"),
                "--no-progress",
            ]
        )
        == 0
    )
    store = Store()
    run_id = store.list_runs()[0]["run_id"]
    return store, run_id, store.outcomes(run_id)


def _one_error_line(capsys: pytest.CaptureFixture[str]) -> str:
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("error: ")
    return err


def _assert_untouched(earlier: tuple[Store, str, dict[str, str]]) -> None:
    store, run_id, outcomes = earlier
    assert [r["run_id"] for r in store.list_runs()] == [run_id]
    assert store.outcomes(run_id) == outcomes


@pytest.mark.parametrize(("name", "expected"), sorted(ITEM_FILES.items()))
def test_bad_item_file(name: str, expected: str, earlier_run, capsys, tmp_path: Path) -> None:
    capsys.readouterr()
    code = run(
        [
            "eval",
            "-m",
            "mock/gold",
            "-b",
            str(BAD / name),
            "--output-dir",
            str(tmp_path / "bad"),
            "--no-progress",
        ]
    )
    assert code == 2
    line = _one_error_line(capsys)
    assert name in line and expected in line, line
    assert not (tmp_path / "bad").exists()
    _assert_untouched(earlier_run)


def test_ten_megabyte_line(tmp_path: Path, capsys) -> None:
    path = tmp_path / "huge.jsonl"
    record = {
        "id": "h",
        "dimension": "E01",
        "type": "judge",
        "question": "长" * (10 << 20),
        "options": {"A": "正确", "B": "错误"},
        "answer": "A",
    }
    path.write_text(json.dumps(record, ensure_ascii=False) + "\n", "utf-8")
    assert run(["eval", "-m", "mock/gold", "-b", str(path), "--no-progress"]) == 2
    assert "line is over 1024 KiB" in _one_error_line(capsys)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-m", "gemma"], "has no provider"),
        (["-m", "nosuch/model"], "unknown model provider 'nosuch'"),
        (["-m", "mock/gold?tempature=0"], "unknown option tempature"),
        (["-m", "mock/oracle"], "unknown mock 'oracle'"),
        (["-m", "llamacpp/no-such-model.gguf"], "no catalog alias or .gguf file"),
        (["-m", "mock/gold", "--dimensions", "E11"], "E11 not in benchmark"),
        (["-m", "mock/gold", "--split", "validation"], "--split must be"),
        (["-m", "mock/gold", "--method", "vote"], "--method must be"),
        (["-m", "mock/gold", "--template", "nope"], "unknown prompt template"),
        (["-m", "mock/gold", "--split", "test", "--shots", "5"], "needs at least 5 dev items"),
        (["-m", "mock/gold", "-b", "no/such/file.jsonl"], "neither a shipped name"),
    ],
)
def test_bad_arguments(args: list[str], expected: str, earlier_run, capsys) -> None:
    capsys.readouterr()
    argv = ["eval", *args, "--no-progress"]
    if "-b" not in args:
        argv += ["-b", str(MINI)]
    assert run(argv) == 2
    assert expected in _one_error_line(capsys)
    _assert_untouched(earlier_run)


@pytest.mark.parametrize(
    ("server_args", "url_suffix", "expected"),
    [
        ((), "/nope", "HTML"),  # base_url without /v1
        (("--error-rate", "1", "--errors", "empty"), "", "no choices"),  # empty choices
        (("--error-rate", "1", "--errors", "html"), "", "HTML"),  # HTML instead of JSON
    ],
)
def test_broken_servers_fail_before_the_run(
    stub_server, server_args, url_suffix, expected, earlier_run, capsys
) -> None:
    url = stub_server(*server_args)
    base = url.removesuffix("/v1") + url_suffix if url_suffix else url
    capsys.readouterr()
    code = run(["eval", "-m", f"openai/stub?base_url={base}", "-b", str(MINI), "--no-progress"])
    assert code == 2
    line = _one_error_line(capsys)
    assert expected in line and "stub" in line, line
    _assert_untouched(earlier_run)


def test_unreachable_base_url(earlier_run, capsys) -> None:
    capsys.readouterr()
    code = run(
        [
            "eval",
            "-m",
            "openai/x?base_url=http://127.0.0.1:9/v1&max_retries=0",
            "-b",
            str(MINI),
            "--no-progress",
        ]
    )
    assert code == 2
    assert "127.0.0.1:9" in _one_error_line(capsys)
    _assert_untouched(earlier_run)
