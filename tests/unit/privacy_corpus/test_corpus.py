"""Validate the shipped PHI corpus (data/privacy/{dev,test}.jsonl) independently of its generator.

The checksum and format checks here are re-implemented rather than imported from the generator,
so a bug in the generator's own validation cannot hide a bad label.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "data" / "privacy"
GENERATOR = ROOT / "scripts" / "privacy_corpus" / "generate.py"
TYPES = {"PERSON", "CN_ID_CARD", "PHONE", "EMAIL", "ADDRESS", "MEDICAL_RECORD_NUMBER",
         "INSURANCE_ID", "BANK_CARD", "PASSPORT", "LICENSE_PLATE", "SOCIAL_HANDLE", "IP_ADDRESS",
         "URL", "DATE", "AGE_OVER_89", "ORGANIZATION"}
KINDS = {"入院记录", "病程记录", "出院小结", "门诊病历", "影像报告", "检验报告", "转诊单",
         "医患在线问诊对话", "临床研究病例报告表", "医保理赔单"}
# structured types need enough test spans for a recall figure with a usable interval
MIN_TEST_SPANS = {t: 45 for t in TYPES} | {"PERSON": 1000, "DATE": 700, "PHONE": 200,
                                           "MEDICAL_RECORD_NUMBER": 250}
HZ = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"零": 0}


def load(split: str) -> list[dict[str, Any]]:
    """Read one split; every line must be a JSON object."""
    with (CORPUS / f"{split}.jsonl").open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def splits() -> dict[str, list[dict[str, Any]]]:
    return {"dev": load("dev"), "test": load("test")}


def spans_of(docs: list[dict[str, Any]], kind: str) -> list[str]:
    """All labelled values of one type."""
    return [d["text"][s["start"]:s["end"]] for d in docs for s in d["spans"] if s["type"] == kind]


def id_check(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def luhn_ok(number: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(number)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d * 2 > 9 else d * 2
        total += d
    return total % 10 == 0


def hz_to_int(s: str) -> int:
    total, cur = 0, 0
    for ch in s:
        if ch in "百十":
            total += (cur or 1) * (100 if ch == "百" else 10)
            cur = 0
        else:
            cur = HZ[ch]
    return total + cur


def test_size_and_split_ratio(splits: dict[str, list[dict[str, Any]]]) -> None:
    n_dev, n_test = len(splits["dev"]), len(splits["test"])
    assert n_dev + n_test >= 600
    assert 0.35 <= n_dev / (n_dev + n_test) <= 0.45


def test_schema_and_ids(splits: dict[str, list[dict[str, Any]]]) -> None:
    seen: set[str] = set()
    for name, docs in splits.items():
        for doc in docs:
            assert set(doc) == {"id", "kind", "text", "spans"}, doc["id"]
            assert re.fullmatch(rf"phi-{name}-\d{{4}}", doc["id"]), doc["id"]
            assert doc["id"] not in seen
            seen.add(doc["id"])
            assert doc["kind"] in KINDS
            assert isinstance(doc["text"], str) and doc["text"].strip()


def test_every_kind_in_both_splits(splits: dict[str, list[dict[str, Any]]]) -> None:
    for docs in splits.values():
        assert {d["kind"] for d in docs} == KINDS


def test_no_duplicate_texts(splits: dict[str, list[dict[str, Any]]]) -> None:
    texts = [d["text"] for docs in splits.values() for d in docs]
    assert len(texts) == len(set(texts))


def test_offsets_are_exact_sorted_and_disjoint(splits: dict[str, list[dict[str, Any]]]) -> None:
    for docs in splits.values():
        for doc in docs:
            text, prev_end = doc["text"], 0
            for span in doc["spans"]:
                s, e = span["start"], span["end"]
                assert isinstance(s, int) and isinstance(e, int)
                assert prev_end <= s < e <= len(text), (doc["id"], span)
                value = text[s:e]
                assert value == value.strip(), (doc["id"], value)
                assert span["type"] in TYPES
                prev_end = e


def test_no_template_marks_left(splits: dict[str, list[dict[str, Any]]]) -> None:
    for docs in splits.values():
        for doc in docs:
            assert not re.search(r"<<|>>|\{\{|\}\}|\[\[|\]\]|\(\(", doc["text"]), doc["id"]


def test_every_type_in_both_splits_with_enough_test_spans(
        splits: dict[str, list[dict[str, Any]]]) -> None:
    for name, docs in splits.items():
        counts = Counter(s["type"] for d in docs for s in d["spans"])
        assert set(counts) == TYPES, (name, TYPES - set(counts))
        if name == "test":
            short = {t: counts[t] for t, n in MIN_TEST_SPANS.items() if counts[t] < n}
            assert not short, short


def test_id_cards_pass_gb11643_and_encode_a_real_date(
        splits: dict[str, list[dict[str, Any]]]) -> None:
    values = [v for docs in splits.values() for v in spans_of(docs, "CN_ID_CARD")]
    assert any(len(v) == 15 for v in values), "no first-generation 15-digit ID"
    for v in values:
        if len(v) == 18:
            assert re.fullmatch(r"\d{17}[\dX]", v) and id_check(v[:17]) == v[17], v
            dt.date(int(v[6:10]), int(v[10:12]), int(v[12:14]))
        else:
            assert re.fullmatch(r"\d{15}", v), v
            dt.date(1900 + int(v[6:8]), int(v[8:10]), int(v[10:12]))


def test_bank_cards_pass_luhn(splits: dict[str, list[dict[str, Any]]]) -> None:
    for docs in splits.values():
        for v in spans_of(docs, "BANK_CARD"):
            digits = v.replace(" ", "")
            assert digits.isdigit() and 16 <= len(digits) <= 19 and luhn_ok(digits), v


def test_ages_are_ninety_or_more(splits: dict[str, list[dict[str, Any]]]) -> None:
    values = [v for docs in splits.values() for v in spans_of(docs, "AGE_OVER_89")]
    assert any(not v.isdigit() for v in values), "no age written in Chinese numerals"
    for v in values:
        assert (int(v) if v.isdigit() else hz_to_int(v)) >= 90, v


def test_formats_of_structured_types(splits: dict[str, list[dict[str, Any]]]) -> None:
    for docs in splits.values():
        for v in spans_of(docs, "PHONE"):
            digits = re.sub(r"\D", "", re.sub(r"^\(?\+86\)?", "", v))
            assert re.fullmatch(r"1[3-9]\d{9}|0?\d{9,11}", digits), v
        for v in spans_of(docs, "EMAIL"):
            assert re.fullmatch(r"[\w.\-]+@[\w\-]+(\.[\w\-]+)+", v), v
        for v in spans_of(docs, "IP_ADDRESS"):
            ipaddress.ip_address(v)
        for v in spans_of(docs, "URL"):
            assert re.fullmatch(r"https?://\S+", v), v
        for v in spans_of(docs, "PASSPORT"):
            assert re.fullmatch(r"[A-Z]{1,2}\d{7,8}", v), v
        for v in spans_of(docs, "LICENSE_PLATE"):
            assert re.fullmatch(r"[\u4e00-\u9fff][A-Z][·\s]?[A-Z0-9]{5,6}", v), v
        for v in spans_of(docs, "DATE"):
            assert re.search(r"\d|[〇零一二三四五六七八九十]", v), v


def test_date_forms_cover_chinese_and_numeric_writing(
        splits: dict[str, list[dict[str, Any]]]) -> None:
    values = spans_of(splits["test"], "DATE")
    forms = {
        "2023年5月6日": r"^\d{4}年\d{1,2}月\d{1,2}日$", "2023-05-06": r"^\d{4}-\d{2}-\d{2}$",
        "2023/5/6": r"^\d{4}/\d{1,2}/\d{1,2}$", "2023.05.06": r"^\d{4}\.\d{1,2}\.\d{1,2}$",
        "二〇二三年五月六日": r"^[〇零一二三四五六七八九]{4}年",
        "5月6日": r"^\d{1,2}月\d{1,2}[日号]$",
        "20230506": r"^\d{8}$", "2023年5月": r"^\d{4}年\d{1,2}月$",
    }
    missing = [name for name, pattern in forms.items()
               if not any(re.match(pattern, v) for v in values)]
    assert not missing, missing


def test_hard_negatives_present_and_unlabelled(splits: dict[str, list[dict[str, Any]]]) -> None:
    needles = {"阿司匹林": 10, "mmol/L": 60, "《": 15, "钟南山": 1, "×10^9/L": 30, "mmHg": 30,
               "批号": 1, "统一社会信用代码": 1, "版本": 5}
    for name, docs in splits.items():
        for needle, minimum in needles.items():
            hits = 0
            for doc in docs:
                for m in re.finditer(re.escape(needle), doc["text"]):
                    hits += 1
                    inside = [s for s in doc["spans"]
                              if s["start"] < m.end() and m.start() < s["end"]]
                    assert not inside, (doc["id"], needle, inside)
            assert hits >= minimum, (name, needle, hits)
        icd = sum(len(re.findall(r"\b[A-Z]\d{2}\.[0-9x]", d["text"])) for d in docs)
        assert icd >= 20, (name, icd)


def test_generator_reproduces_the_shipped_files(tmp_path: Path) -> None:
    subprocess.run([sys.executable, str(GENERATOR), "--out", str(tmp_path)], check=True,
                   capture_output=True, timeout=120)
    for split in ("dev", "test"):
        assert (tmp_path / f"{split}.jsonl").read_bytes() == \
            (CORPUS / f"{split}.jsonl").read_bytes(), split


def test_datasheet_tables_match_the_generator() -> None:
    out = subprocess.run([sys.executable, str(GENERATOR), "--stats"], check=True,
                         capture_output=True, text=True, timeout=120).stdout.strip()
    assert out in (CORPUS / "README.md").read_text(encoding="utf-8")
