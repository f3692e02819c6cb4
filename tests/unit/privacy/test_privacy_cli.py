"""`medaudit privacy` commands through typer's CliRunner on the group's own app."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medaudit.cli.privacy import app
from medaudit.errors import MedauditError

runner = CliRunner()
DOC = {"id": "d1", "note": {"body": "患者张三，手机13812345678，2023年3月5日入院。"}}
CLEAN = {"id": "d2", "note": {"body": "阿司匹林100mg qd，血糖6.5mmol/L。"}}


@pytest.fixture()
def jsonl(tmp_path: Path) -> Path:
    p = tmp_path / "in.jsonl"
    p.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in (DOC, CLEAN)) + "\n",
                 encoding="utf-8")
    return p


def test_scan_json_lines(jsonl: Path) -> None:
    res = runner.invoke(app, ["scan", str(jsonl), "--text-field", "note.body", "--json"])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in res.stdout.splitlines() if line.startswith("{")]
    assert [r["type"] for r in rows] == ["PERSON", "PHONE", "DATE"]
    body = DOC["note"]["body"]
    assert body[rows[1]["start"]:rows[1]["end"]] == "13812345678"
    assert rows[0]["id"] == "d1" and rows[0]["line"] == 1 and rows[0]["field"] == "note.body"
    assert "13812345678" not in res.stdout.replace(json.dumps(rows[1]), "")


def test_scan_text_output_is_masked(jsonl: Path) -> None:
    res = runner.invoke(app, ["scan", str(jsonl), "--text-field", "note.body"])
    assert res.exit_code == 0
    assert "张三" not in res.output and "13812345678" not in res.output
    assert "[PHONE]" in res.output and "PERSON 1" in res.output


def test_fail_on(jsonl: Path, tmp_path: Path) -> None:
    res = runner.invoke(app, ["scan", str(jsonl), "--text-field", "note.body",
                              "--fail-on", "PHONE"])
    assert res.exit_code == 1
    res = runner.invoke(app, ["scan", str(jsonl), "--text-field", "note.body",
                              "--fail-on", "EMAIL"])
    assert res.exit_code == 0
    clean = tmp_path / "clean.txt"
    clean.write_text("阿司匹林100mg qd\n", encoding="utf-8")
    assert runner.invoke(app, ["scan", str(clean), "--fail-on", "ALL"]).exit_code == 0


def test_deid_writes_file_and_private_mapping(jsonl: Path, tmp_path: Path) -> None:
    out, mp = tmp_path / "out.jsonl", tmp_path / "map.jsonl"
    res = runner.invoke(app, ["deid", str(jsonl), "-o", str(out), "--text-field", "note.body",
                              "--strategy", "tag", "--mapping", str(mp)])
    assert res.exit_code == 0, res.output
    first = json.loads(out.read_text(encoding="utf-8").splitlines()[0])
    assert first["note"]["body"] == "患者[PERSON_1]，手机[PHONE_1]，[DATE_1]入院。"
    assert first["id"] == "d1"
    assert os.stat(mp).st_mode & 0o777 == 0o600
    assert "张三" not in res.output


def test_deid_csv_surrogate(tmp_path: Path) -> None:
    src = tmp_path / "a.csv"
    src.write_text("id,note\n1,患者张三电话13812345678\n", encoding="utf-8")
    out = tmp_path / "b.csv"
    res = runner.invoke(app, ["deid", str(src), "-o", str(out), "--columns", "note",
                              "--strategy", "surrogate", "--seed", "1"])
    assert res.exit_code == 0, res.output
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "id,note" and "张三" not in lines[1] and "13812345678" not in lines[1]


def test_deid_refuses_same_output(jsonl: Path) -> None:
    res = runner.invoke(app, ["deid", str(jsonl), "-o", str(jsonl), "--text-field", "note.body"])
    assert isinstance(res.exception, MedauditError)


def test_bad_input_leaves_no_output(tmp_path: Path) -> None:
    src = tmp_path / "a.jsonl"
    src.write_text('{"text": "患者张三"}\n{"body": "x"}\n', encoding="utf-8")
    out = tmp_path / "out.jsonl"
    res = runner.invoke(app, ["deid", str(src), "-o", str(out)])
    assert isinstance(res.exception, MedauditError)
    assert "a.jsonl:2" in str(res.exception)
    assert not out.exists() and list(tmp_path.iterdir()) == [src]


def test_report_html_is_self_contained_and_masked(jsonl: Path, tmp_path: Path) -> None:
    out = tmp_path / "r.html"
    res = runner.invoke(app, ["report", str(jsonl), "-o", str(out), "--text-field", "note.body"])
    assert res.exit_code == 0, res.output
    html = out.read_text(encoding="utf-8")
    assert "PHONE" in html and "13812345678" not in html and "张三" not in html
    assert "<link" not in html and "<script" not in html and "http" not in html


def test_evaluate_on_small_corpus(tmp_path: Path) -> None:
    text = "患者张三，手机13812345678。"
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "c1", "kind": "note", "text": text, "spans": [
        {"start": 2, "end": 4, "type": "PERSON"}, {"start": 7, "end": 18, "type": "PHONE"}]},
        ensure_ascii=False) + "\n", encoding="utf-8")
    res = runner.invoke(app, ["evaluate", "--corpus", str(corpus), "--json-out",
                              str(tmp_path / "m.json")])
    assert res.exit_code == 0, res.output
    metrics = json.loads((tmp_path / "m.json").read_text(encoding="utf-8"))
    assert metrics["modes"]["strict"]["PHONE"]["recall"] == 1.0
    assert metrics["modes"]["strict"]["ALL (micro)"]["precision"] == 1.0
