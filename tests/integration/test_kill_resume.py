"""kill -9 in the middle of a run, then the same command again: every item exactly once and
the same summary as an uninterrupted run. Real processes, real SQLite store."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from medaudit.store.db import Store

N_ITEMS = 80


def _items_file(path: Path) -> Path:
    dims = ["E01", "E05", "S01", "S07"]
    lines = []
    for i in range(N_ITEMS):
        lines.append(
            json.dumps(
                {
                    "id": f"k-{i:03d}",
                    "dimension": dims[i % 4],
                    "type": "single",
                    "question": f"第{i}题：下列哪一项是正确的做法？",
                    "options": {k: f"做法{k}{i}" for k in "ABCDE"},
                    "answer": "ABCDE"[i % 5],
                },
                ensure_ascii=False,
            )
        )
    path.write_text("\n".join(lines) + "\n", "utf-8")
    return path


def _cmd(items: Path, out: Path) -> list[str]:
    return [
        sys.executable,
        "-m",
        "medaudit.cli",
        "eval",
        "--model",
        "mock/slow?delay=0.2",
        "--benchmark",
        str(items),
        "--output-dir",
        str(out),
        "--concurrency",
        "2",
        "--no-progress",
    ]


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "MEDAUDIT_HOME": str(home), "PYTHONUNBUFFERED": "1"}


@pytest.mark.slow
def test_kill_minus_nine_then_resume_matches_uninterrupted(tmp_path: Path) -> None:
    items = _items_file(tmp_path / "items.jsonl")
    home = tmp_path / "home"
    proc = subprocess.Popen(
        _cmd(items, tmp_path / "killed"),
        env=_env(home),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    store = None
    # Generous deadline: a fresh virtualenv on a loaded CI machine can take a while to import.
    deadline = time.time() + 300
    done = 0
    while time.time() < deadline and proc.poll() is None:
        time.sleep(0.1)
        if (home / "medaudit.db").exists():
            store = store or Store(f"sqlite:///{home / 'medaudit.db'}")
            runs = store.list_runs()
            done = len(store.outcomes(runs[0]["run_id"])) if runs else 0
            if done >= N_ITEMS // 4:
                break
    assert proc.poll() is None, "the run ended before it could be killed"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    assert 0 < done < N_ITEMS, "the kill must land mid-run"

    resumed = subprocess.run(
        _cmd(items, tmp_path / "killed"),
        env=_env(home),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert resumed.returncode == 0, resumed.stderr
    assert "already done" in resumed.stdout

    clean = subprocess.run(
        _cmd(items, tmp_path / "clean"),
        env=_env(tmp_path / "home2"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert clean.returncode == 0, clean.stderr

    ids = [
        json.loads(line)["id"]
        for line in (tmp_path / "killed" / "samples.jsonl").read_text().splitlines()
    ]
    assert sorted(ids) == [f"k-{i:03d}" for i in range(N_ITEMS)]
    a = json.loads((tmp_path / "killed" / "summary.json").read_text())
    b = json.loads((tmp_path / "clean" / "summary.json").read_text())
    for key in ("n_items", "accuracy", "ci95", "outcomes", "by_dimension", "run_id"):
        assert a[key] == b[key], key
