"""The Markdown report: pasteable tables with the same figures as the HTML report."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medaudit.bench.taxonomy import default_taxonomy
from medaudit.report import render_markdown
from medaudit.report.markdown import cell, fenced, table

Read = Callable[[Path], list[dict[str, Any]]]
Write = Callable[[Path, list[dict[str, Any]]], None]


def test_essentials_are_present(example_run: Path) -> None:
    md = render_markdown(example_run)
    for text in ("llamacpp/qwen2.5-coder-1.5b", "qwen2.5-coder-1.5b-cmes-5e0c7a91d2",
                 "| 总体准确率 accuracy (95% Wilson CI) | 61.4% [48.4, 72.9] |",
                 "| 宏平均 macro average | 61.7% (20 dimensions) |",
                 "| 题目 items / 计分 scored | 60 / 57 |", "| 正确 correct | 35 | 58.3% |",
                 "| 调用失败 error | 3 | 5.0% |",
                 "| 完全匹配 exact match (n=9) | 55.6% | [26.7, 81.1] |",
                 "zh-mcq-v1 · "):
        assert text in md, text


def test_manifest_hashes_are_given_in_full(example_run: Path) -> None:
    md = render_markdown(example_run)
    assert re.search(r"\| 模型文件 sha256 \| [0-9a-f]{64} \|", md)


def test_one_row_per_dimension_in_taxonomy_order(example_run: Path) -> None:
    md = render_markdown(example_run)
    labels = [default_taxonomy().label(d) for d in default_taxonomy().ids]
    rows = [line.split(" | ")[0].removeprefix("| ") for line in md.splitlines()
            if re.match(r"\| [ES]\d\d ", line)]
    assert rows == labels
    assert "| E05 临床诊疗伦理 | 3 (2) | 50.0% | [9.4, 90.5] | 1 | 1 | 0 | 0 | 1 |" in md


def test_every_table_row_has_the_header_column_count(example_run: Path) -> None:
    md = render_markdown(example_run)
    blocks = re.findall(r"(?:^\|.*\|\n)+", md, re.M)
    assert len(blocks) >= 6
    for block in blocks:
        widths = {len(re.split(r"(?<!\\)\|", line)) for line in block.strip().splitlines()}
        assert len(widths) == 1, block


def test_examples_are_limited_per_outcome(example_run: Path) -> None:
    md = render_markdown(example_run)
    assert "### 错误 wrong (5 / 14)" in md
    assert "### 调用失败 error (3 / 3)" in md
    assert md.count("#### `cmes-") == 5 + 4 + 4 + 3


def test_hostile_response_cannot_escape_its_fence(run_copy: Path, read_samples: Read,
                                                  write_samples: Write) -> None:
    samples = read_samples(run_copy)
    first_wrong = next(s for s in samples if s["outcome"] == "wrong")
    first_wrong["response"] = "```\n<script>alert(1)</script>\n```"
    first_wrong["question"] = "题干 <img src=x onerror=alert(1)> | 管道"
    write_samples(run_copy, samples)
    md = render_markdown(run_copy)
    assert "````text\n```\n<script>alert(1)</script>\n```\n````" in md
    assert "<img" not in md and "&lt;img src=x onerror=alert(1)&gt;" in md


def test_cell_folds_newlines_and_escapes_pipes_and_html() -> None:
    assert cell("a|b\n  c <b>") == "a\\|b c &lt;b&gt;"
    assert cell(None) == "—"


def test_fence_is_longer_than_any_backtick_run() -> None:
    assert fenced("x ````` y").startswith("``````text\n")
    assert fenced("plain") == "```text\nplain\n```"


def test_table_alignment_row() -> None:
    assert table(("a", "b"), [(1, 2)], "lr").splitlines()[1] == "|---|---:|"
