"""Readers: formats, nested fields, and every bad input named in the issue."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medaudit.errors import InputError, MedauditError
from medaudit.privacy.readers import MAX_LINE_BYTES, get_paths, iter_records


def test_jsonl_nested_and_wildcard_fields(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    rec = {"id": "r1", "note": {"body": "患者张三"},
           "messages": [{"content": "你好"}, {"content": "我叫李四"}]}
    p.write_text(json.dumps(rec, ensure_ascii=False) + "\n\n", encoding="utf-8")
    [r] = iter_records(p, text_fields=["note.body", "messages.*.content"])
    assert r.id == "r1" and r.line == 1
    assert r.fields == {"note.body": "患者张三", "messages.0.content": "你好",
                        "messages.1.content": "我叫李四"}
    assert get_paths(rec, "messages.1.content") == [("messages.1.content", "我叫李四")]


def test_missing_text_field_names_line_and_field(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_text('{"id": 1, "text": "a"}\n{"id": 2, "body": "b"}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"a.jsonl:2: field 'text': missing; check --text-field"):
        list(iter_records(p, text_fields=["text"]))


def test_jsonl_without_text_asks_for_text_field(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_text('{"body": "b"}\n', encoding="utf-8")
    with pytest.raises(InputError, match="pass --text-field"):
        list(iter_records(p))


def test_invalid_json_line(tmp_path: Path) -> None:
    p = tmp_path / "a.jsonl"
    p.write_text('{"text": "a"}\n{oops\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"a.jsonl:2: invalid JSON"):
        list(iter_records(p))


def test_gbk_file_names_encoding_and_flag(tmp_path: Path) -> None:
    p = tmp_path / "g.txt"
    p.write_bytes("患者张三，电话13812345678\n".encode("gb18030"))
    with pytest.raises(InputError, match=r"GBK/GB18030.*--encoding gb18030"):
        list(iter_records(p))
    [r] = iter_records(p, encoding="gb18030")
    assert r.fields["text"].startswith("患者张三")


def test_binary_file(tmp_path: Path) -> None:
    p = tmp_path / "b.txt"
    p.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(InputError, match="binary"):
        list(iter_records(p))


def test_empty_file(tmp_path: Path) -> None:
    p = tmp_path / "e.jsonl"
    p.write_bytes(b"")
    with pytest.raises(InputError, match="is empty"):
        list(iter_records(p))


def test_blank_jsonl(tmp_path: Path) -> None:
    p = tmp_path / "e.jsonl"
    p.write_text("\n\n", encoding="utf-8")
    with pytest.raises(InputError, match="no JSON records"):
        list(iter_records(p))


def test_huge_line_is_refused(tmp_path: Path) -> None:
    p = tmp_path / "big.txt"
    p.write_bytes(b"ok\n" + b"a" * (10 << 20) + b"\n")
    with pytest.raises(InputError, match=rf"big.txt:2: line is over {MAX_LINE_BYTES >> 20} MiB"):
        list(iter_records(p))


def test_bom_is_accepted(tmp_path: Path) -> None:
    p = tmp_path / "b.csv"
    p.write_bytes(b"\xef\xbb\xbfid,text\n1,abc\n")
    [r] = iter_records(p)
    assert r.fields == {"text": "abc"} and r.id == "1"


def test_csv_columns_and_missing_column(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text('id,note,other\n1,"患者张三\n第二行",x\n2,李四,y\n', encoding="utf-8")
    recs = list(iter_records(p, columns=["note"]))
    assert [r.fields for r in recs] == [{"note": "患者张三\n第二行"}, {"note": "李四"}]
    assert [r.line for r in recs] == [3, 4]
    with pytest.raises(InputError, match=r"c.csv:1: field 'notes': no such column"):
        list(iter_records(p, columns=["notes"]))


def test_xlsx(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "note"])
    ws.append(["a1", "患者张三"])
    p = tmp_path / "x.xlsx"
    wb.save(p)
    [r] = iter_records(p, columns=["note"])
    assert r.id == "a1" and r.fields == {"note": "患者张三"} and r.line == 2
    with pytest.raises(InputError, match="no such column"):
        list(iter_records(p, columns=["text"]))


def test_broken_xlsx(tmp_path: Path) -> None:
    p = tmp_path / "x.xlsx"
    p.write_bytes(b"not a zip at all")
    with pytest.raises(InputError, match=r"not a readable \.xlsx"):
        list(iter_records(p))


def test_unknown_encoding(tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_text("abc", encoding="utf-8")
    with pytest.raises(MedauditError, match="unknown encoding"):
        list(iter_records(p, encoding="klingon"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        list(iter_records(tmp_path / "nope.txt"))
