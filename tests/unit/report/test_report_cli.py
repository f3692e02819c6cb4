"""`medaudit report` through its own typer app."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medaudit.cli.report import app
from medaudit.errors import MedauditError

runner = CliRunner()


def test_markdown_goes_to_stdout(example_run: Path) -> None:
    result = runner.invoke(app, [str(example_run), "--format", "md"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# 医学伦理与安全评测报告")


def test_json_is_the_summary(example_run: Path) -> None:
    result = runner.invoke(app, [str(example_run), "-f", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    expected = json.loads((example_run / "summary.json").read_text(encoding="utf-8"))
    assert data["accuracy"] == expected["accuracy"]
    assert data["by_dimension"] == expected["by_dimension"]


def test_html_defaults_to_the_run_directory(run_copy: Path) -> None:
    result = runner.invoke(app, [str(run_copy)])
    assert result.exit_code == 0, result.output
    assert (run_copy / "report.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert str(run_copy / "report.html") in result.stdout


def test_output_option_writes_the_file(example_run: Path, tmp_path: Path) -> None:
    target = tmp_path / "out" / "r.md"
    result = runner.invoke(app, [str(example_run), "-f", "md", "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert "61.4%" in target.read_text(encoding="utf-8")


def test_run_id_is_found_under_runs(tmp_path: Path, example_run: Path,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(example_run, tmp_path / "runs" / "qwen-cmes-abc")
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["qwen-cmes-abc", "-f", "md"])
    assert result.exit_code == 0, result.output
    assert "qwen2.5-coder-1.5b" in result.stdout


def test_unknown_run_raises_a_user_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["missing-run"])
    assert isinstance(result.exception, MedauditError)
    assert "medaudit runs list" in str(result.exception)


def test_bad_format_is_rejected(example_run: Path) -> None:
    result = runner.invoke(app, [str(example_run), "-f", "pdf"])
    assert result.exit_code == 2


def test_root_cli_runs_the_report_command(example_run: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    from medaudit.cli.app import run

    assert run(["report", str(example_run), "--format", "md"]) == 0
    assert "| 总体准确率 accuracy (95% Wilson CI) | 61.4% [48.4, 72.9] |" in capsys.readouterr().out
    assert run(["report", "no-such-run-anywhere"]) == 2
