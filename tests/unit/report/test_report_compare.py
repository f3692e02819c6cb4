"""Comparison reports, rendered from the dict that medaudit.eval.compare computes."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from medaudit.eval.compare import compare_runs
from medaudit.report import render_comparison_html, render_comparison_markdown

Read = Callable[[Path], list[dict[str, Any]]]
Write = Callable[[Path, list[dict[str, Any]]], None]
Edit = Callable[[Path, Callable[[dict[str, Any]], None]], None]


@pytest.fixture
def pair(tmp_path: Path, example_run: Path, read_samples: Read, write_samples: Write,
         edit_json: Edit) -> tuple[Path, Path, dict[str, Any]]:
    """Run B = run A with every non-error item correct, so B wins in every dimension."""
    a, b = tmp_path / "a", tmp_path / "b"
    shutil.copytree(example_run, a)
    shutil.copytree(example_run, b)
    samples = read_samples(b)
    for s in samples:
        if s["outcome"] != "error":
            s.update(outcome="correct", extracted=s["answer"])
    write_samples(b, samples)
    edit_json(b / "summary.json", lambda d: d.update(model="llamacpp/tuned", run_id="tuned-1"))
    return a, b, compare_runs(a, b)


def test_comparison_html_has_a_dumbbell_per_dimension_and_overall(
        pair: tuple[Path, Path, dict[str, Any]]) -> None:
    a, b, comparison = pair
    html = render_comparison_html(a, b, comparison)
    rows = re.findall(r'<tr class="cmp-row[^"]*" data-dim="([^"]+)"', html)
    assert rows[:2] == ["E01", "E02"] and rows[-1] == "overall" and len(rows) == 21
    assert html.count('<svg class="dumbbell"') == 21
    assert "llamacpp/tuned" in html and "tuned-1" in html
    assert '<html lang="zh-CN">' in html and "<script" not in html


def test_significant_rows_are_marked(pair: tuple[Path, Path, dict[str, Any]]) -> None:
    a, b, comparison = pair
    comparison["rows"][0]["p_holm"] = 0.001
    html = render_comparison_html(a, b, comparison)
    first = re.search(r'<tr class="cmp-row([^"]*)" data-dim="E01"', html)
    assert first is not None and "sig" in first.group(1)
    md = render_comparison_markdown(a, b, comparison)
    assert "| **E01 知情同意与患者自主** |" in md


def test_comparison_markdown_rows_carry_the_statistics(
        pair: tuple[Path, Path, dict[str, Any]]) -> None:
    a, b, comparison = pair
    md = render_comparison_markdown(a, b, comparison)
    overall = comparison["overall"]
    line = next(ln for ln in md.splitlines() if "总体 overall" in ln)
    assert f"| {overall['n']} |" in line
    assert f"+{100 * overall['diff']:.1f} pp" in line
    assert f"| {overall['b01']} | {overall['b10']} |" in line
    assert "共同题目 shared items: 60" in md


def test_comparison_escapes_model_names(pair: tuple[Path, Path, dict[str, Any]],
                                        edit_json: Edit) -> None:
    a, b, comparison = pair
    edit_json(b / "summary.json", lambda d: d.update(model="<script>alert(1)</script>"))
    html = render_comparison_html(a, b, comparison)
    assert "<script>" not in html and "&lt;script&gt;" in html
