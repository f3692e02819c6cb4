"""`bench qc` and `bench datasheet` through the typer app: output, --json and exit codes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from medaudit.bench.io import write_items
from medaudit.cli.bench_cmes import app

runner = CliRunner()
FAST = "schema,dedup,leakage,balance,shortcuts,lengths"


def test_qc_passes_a_clean_file_and_prints_the_table(tmp_path: Path, items: list[Any]) -> None:
    path = tmp_path / "items.jsonl"
    write_items(path, items)
    res = runner.invoke(app, ["qc", str(path), "--only", FAST])
    assert res.exit_code == 0, res.output
    assert "shortcuts.options_classifier" in res.output
    assert "PASS: 35 passed, 0 failed, 0 skipped" in res.output


def test_qc_fails_with_exit_1_and_json_names_the_failing_check(tmp_path: Path,
                                                               items: list[Any]) -> None:
    path = tmp_path / "items.jsonl"
    write_items(path, [it.model_copy(update={"answer": "A"}) if it.type == "single" else it
                       for it in items])
    res = runner.invoke(app, ["qc", str(path), "--json", "--only", "balance"])
    assert res.exit_code == 1
    report = json.loads(res.output)
    assert report["ok"] is False
    failed = {r["name"] for r in report["results"] if r["status"] == "fail"}
    assert "balance.key_letters.overall" in failed


def test_qc_strict_turns_skipped_into_failure(tmp_path: Path, make: Any) -> None:
    path = tmp_path / "items.jsonl"
    write_items(path, make(with_splits=False))
    assert runner.invoke(app, ["qc", str(path), "--only", "leakage"]).exit_code == 0
    res = runner.invoke(app, ["qc", str(path), "--only", "leakage", "--strict"])
    assert res.exit_code == 1
    assert "skipped: no splits" in res.output


def test_qc_reads_a_directory_and_reports_bad_input_in_one_line(tmp_path: Path,
                                                                 items: list[Any]) -> None:
    write_items(tmp_path / "E01.jsonl", [it for it in items if it.dimension == "E01"])
    write_items(tmp_path / "E02.jsonl", [it for it in items if it.dimension == "E02"])
    res = runner.invoke(app, ["qc", str(tmp_path), "--only", "schema"])
    assert res.exit_code == 0, res.output
    assert "(200 items)" in res.output
    (tmp_path / "E02.jsonl").write_text('{"id": 1}\n', encoding="utf-8")
    res = runner.invoke(app, ["qc", str(tmp_path)])
    assert res.exit_code == 2
    assert res.output.count("\n") == 1 and "E02.jsonl:1" in res.output
    res = runner.invoke(app, ["qc", str(tmp_path / "E01.jsonl"), "--only", "nonsense"])
    assert res.exit_code == 2 and "unknown check family" in res.output


@pytest.mark.slow  # the PII check loads the Presidio-based scanner (~15 s)
def test_datasheet_prints_composition_review_and_qc(tmp_path: Path, items: list[Any]) -> None:
    root = tmp_path / "cmes"
    write_items(root / "items.jsonl", items)
    res = runner.invoke(app, ["datasheet", "--root", str(root), "-o", str(tmp_path / "ds.md")])
    assert res.exit_code == 0, res.output
    text = (tmp_path / "ds.md").read_text("utf-8")
    assert "| E01 知情同意与患者自主 | 42/7/21 | 12/2/4 | 8/1/3 | 100 |" in text
    assert "| **all** |" in text and "(no review log: run" in text
    assert "| shortcuts.always_longest | pass |" in text
