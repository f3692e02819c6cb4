"""`medaudit privacy` as real processes: exit codes, stderr lines, atomic outputs, encodings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

NOTE = "患者张三，男，92岁，手机13812345678，2023年3月5日入院。住院号：ZY2023001。"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2] / "src")}
    return subprocess.run([sys.executable, "-m", "medaudit.cli", "privacy", *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=300)


@pytest.fixture()
def work(tmp_path: Path) -> Path:
    rows = [{"id": "a", "rec": {"note": NOTE}}, {"id": "b", "rec": {"note": "阿司匹林100mg qd"}}]
    (tmp_path / "in.jsonl").write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return tmp_path


@pytest.mark.slow
def test_scan_fail_on_gate(work: Path) -> None:
    res = run("scan", "in.jsonl", "--text-field", "rec.note", "--fail-on", "PHONE", cwd=work)
    assert res.returncode == 1, res.stderr
    assert "13812345678" not in res.stdout + res.stderr
    res = run("scan", "in.jsonl", "--text-field", "rec.note", "--fail-on", "EMAIL", cwd=work)
    assert res.returncode == 0


@pytest.mark.slow
def test_deid_then_rescan_is_clean(work: Path) -> None:
    res = run("deid", "in.jsonl", "-o", "out.jsonl", "--text-field", "rec.note",
              "--strategy", "tag", "--mapping", "map.jsonl", cwd=work)
    assert res.returncode == 0, res.stderr
    assert "张三" not in res.stdout + res.stderr
    assert (work / "map.jsonl").stat().st_mode & 0o777 == 0o600
    res = run("scan", "out.jsonl", "--text-field", "rec.note", "--fail-on", "ALL", cwd=work)
    assert res.returncode == 0, res.stdout


@pytest.mark.slow
@pytest.mark.parametrize("setup,args,needle", [
    (lambda p: (p / "x.txt").write_bytes("患者张三\n".encode("gb18030")), ["scan", "x.txt"],
     "--encoding gb18030"),
    (lambda p: (p / "x.txt").write_bytes(b"\x00\x01\x02binary"), ["scan", "x.txt"], "binary"),
    (lambda p: (p / "x.txt").write_bytes(b""), ["scan", "x.txt"], "is empty"),
    (lambda p: (p / "x.txt").write_bytes(b"a" * (10 << 20)), ["scan", "x.txt"], "MiB"),
    (lambda p: (p / "x.jsonl").write_text('{"body": "x"}\n'), ["scan", "x.jsonl", "--text-field",
                                                               "text"], "field 'text'"),
    (lambda p: (p / "x.csv").write_text("id,body\n1,x\n"), ["scan", "x.csv", "--columns", "note"],
     "field 'note'"),
])
def test_bad_input_one_line_nonzero_and_no_output(tmp_path: Path, setup, args: list[str],
                                                  needle: str) -> None:  # type: ignore[no-untyped-def]
    setup(tmp_path)
    for cmd in (args, ["deid", *args[1:], "-o", "out.txt"]):
        res = run(*cmd, cwd=tmp_path)
        assert res.returncode == 2, (cmd, res.stdout, res.stderr)
        lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
        assert len(lines) == 1 and needle in lines[0], res.stderr
        assert not (tmp_path / "out.txt").exists()
        assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.txt")]


@pytest.mark.slow
def test_encoding_flag_works(tmp_path: Path) -> None:
    (tmp_path / "g.txt").write_bytes(f"{NOTE}\n".encode("gb18030"))
    res = run("scan", "g.txt", "--encoding", "gb18030", "--json", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    types = [json.loads(x)["type"] for x in res.stdout.splitlines()]
    assert "PHONE" in types and "PERSON" in types
