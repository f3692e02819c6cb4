"""Fixtures for report tests: the committed example run and editable copies of it."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "data" / "runs" / "example"


@pytest.fixture
def example_run() -> Path:
    return EXAMPLE


@pytest.fixture
def run_copy(tmp_path: Path) -> Path:
    """A writable copy of the example run."""
    target = tmp_path / "run"
    shutil.copytree(EXAMPLE, target)
    return target


Samples = list[dict[str, Any]]


def _read_samples(run_dir: Path) -> Samples:
    lines = (run_dir / "samples.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _write_samples(run_dir: Path, samples: Samples) -> None:
    text = "".join(json.dumps(s, ensure_ascii=False) + "\n" for s in samples)
    (run_dir / "samples.jsonl").write_text(text, encoding="utf-8")


@pytest.fixture
def read_samples() -> Callable[[Path], Samples]:
    return _read_samples


@pytest.fixture
def write_samples() -> Callable[[Path, Samples], None]:
    return _write_samples


@pytest.fixture
def edit_json() -> Callable[[Path, Callable[[dict[str, Any]], None]], None]:
    """Apply an in-place edit to a JSON file (summary.json, manifest.json)."""

    def edit(path: Path, change: Callable[[dict[str, Any]], None]) -> None:
        data = json.loads(path.read_text(encoding="utf-8"))
        change(data)
        path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    return edit
