"""`bench review sample / sheet / import-answers`: a human panel's blind read through a workbook."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from medaudit.bench.io import read_items
from medaudit.bench.review import compare, export_blind
from medaudit.bench.review_sheets import import_answers, sample_ids, write_answer_sheet
from medaudit.cli.bench_cmes import app
from medaudit.errors import InputError, MedauditError

runner = CliRunner()


def _item(dim: str, num: int, typ: str) -> dict[str, Any]:
    options = ({"A": "正确", "B": "错误"} if typ == "judge"
               else {k: f"{dim}第{num}题选项{k}的内容" for k in "ABCDE"})
    answer = {"single": "ABCDE"[num % 5], "multi": "AC", "judge": "AB"[num % 2]}[typ]
    return {"id": f"cmes-{dim}-{num:05d}", "dimension": dim, "type": typ,
            "question": f"{dim}第{num}题：某医院医生遇到的情形，应如何处理？", "options": options,
            "answer": answer, "explanation": "依据所引规范，键正确而其余选项错误。",
            "references": [{"title": "中华人民共和国医师法", "locator": "第二十三条"}],
            "family": f"{dim}-f{num:04d}", "source": "authored"}


@pytest.fixture
def root(tmp_path: Path) -> Path:
    for dim in ("E01", "S03"):
        rows = [_item(dim, n, "single" if n <= 14 else "multi" if n <= 17 else "judge")
                for n in range(1, 21)]
        path = tmp_path / "items" / f"{dim}.jsonl"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return tmp_path


def _items(root: Path) -> list[Any]:
    return [*read_items(root / "items" / "E01.jsonl"), *read_items(root / "items" / "S03.jsonl")]


def test_sample_is_stratified_by_dimension_and_type_and_reproducible(root: Path) -> None:
    items = _items(root)
    ids = sample_ids(items, per_dimension=10, seed=7)
    assert ids == sample_ids(items, per_dimension=10, seed=7)
    assert ids != sample_ids(items, per_dimension=10, seed=8)
    by_id = {it.id: it for it in items}
    per_dim = Counter(by_id[i].dimension for i in ids)
    assert per_dim == {"E01": 10, "S03": 10}
    types = Counter(by_id[i].type for i in ids if by_id[i].dimension == "E01")
    # quotas 7 / 1.5 / 1.5 of 20 items (14/3/3): the tied remainder goes to the first type name
    assert types == {"single": 7, "judge": 2, "multi": 1}
    with pytest.raises(MedauditError, match="per-dimension"):
        sample_ids(items, per_dimension=0, seed=7)


def _fill(sheet_path: Path, answers: dict[str, str]) -> Path:
    book = load_workbook(sheet_path)
    sheet = book["answers"]
    header = [c.value for c in sheet[1]]
    for row in sheet.iter_rows(min_row=2):
        item_id = row[header.index("id")].value
        row[header.index("blind_answer")].value = answers.get(str(item_id), "")
        row[header.index("confidence")].value = "high"
    book.save(sheet_path)
    return sheet_path


def test_a_panel_answers_in_a_workbook_and_compare_reads_the_import(root: Path) -> None:
    items = {it.id: it for it in _items(root)}
    chosen = sample_ids(list(items.values()), per_dimension=4, seed=1)
    export_blind(root, round_=5, ids=set(chosen))
    sheet = root / "panel.xlsx"
    res = runner.invoke(app, ["review", "sheet", "--round", "5", "-o", str(sheet),
                              "--root", str(root)])
    assert res.exit_code == 0, res.output
    book = load_workbook(sheet)
    assert book.sheetnames == ["answers", "instructions"]
    rows = list(book["answers"].iter_rows(values_only=True))
    assert "answer" not in rows[0] and "explanation" not in rows[0]
    assert sorted(r[0] for r in rows[1:]) == chosen
    wrong = chosen[0]
    answers = {i: items[i].answer.lower() for i in chosen}
    answers[wrong] = "B" if items[wrong].answer != "B" else "A"
    _fill(sheet, answers)
    res = runner.invoke(app, ["review", "import-answers", str(sheet), "--round", "5",
                              "--root", str(root)])
    assert res.exit_code == 0, res.output
    assert "E01: 4 answers -> review/blind_E01.r5.answers.jsonl" in res.output
    cmp = compare(root, wrong.split("-")[1], author="authors", reviewer="panel", round_=5)
    assert [e.id for e in cmp.disagreements] == [wrong]
    # importing again would overwrite the panel's answers: refused without --force
    res = runner.invoke(app, ["review", "import-answers", str(sheet), "--round", "5",
                              "--root", str(root)])
    assert res.exit_code == 2 and "--force" in res.output


def _csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=["id", "blind_answer", "note"])
        writer.writeheader()
        writer.writerows(rows)
    return path


@pytest.mark.parametrize(("row", "message"), [
    ({"id": "cmes-E01-00099", "blind_answer": "A"}, "not an item of round 2"),
    ({"id": "cmes-E01-00001", "blind_answer": "F"}, "is not a set of the letters"),
    ({"id": "cmes-E01-00001", "blind_answer": "AB"}, "takes one letter"),
    ({"id": "cmes-E01-00001", "blind_answer": ""}, "empty for cmes-E01-00001"),
])
def test_bad_sheet_rows_name_the_row_and_write_nothing(root: Path, row: dict[str, str],
                                                       message: str) -> None:
    export_blind(root, round_=2, ids={"cmes-E01-00001", "cmes-E01-00015"})
    good = {"id": "cmes-E01-00015", "blind_answer": "A,C", "note": ""}
    path = _csv(root / "answers.csv", [good, {"note": "", **row}])
    with pytest.raises(InputError, match=message) as err:
        import_answers(root, 2, path)
    assert "answers.csv:3" in str(err.value)
    assert not (root / "review" / "blind_E01.r2.answers.jsonl").exists()


def test_a_sheet_with_no_answer_rows_is_refused(root: Path) -> None:
    export_blind(root, round_=2, ids={"cmes-E01-00001"})
    path = _csv(root / "answers.csv", [])
    with pytest.raises(InputError, match="no answer rows"):
        import_answers(root, 2, path)


def test_no_defensible_option_is_recorded_as_a_null_answer(root: Path) -> None:
    export_blind(root, round_=2, ids={"cmes-E01-00001"})
    path = _csv(root / "answers.csv", [{"id": "cmes-E01-00001", "blind_answer": "无",
                                        "note": "B 与 C 都成立"}])
    import_answers(root, 2, path)
    line = json.loads((root / "review" / "blind_E01.r2.answers.jsonl").read_text("utf-8"))
    assert line["blind_answer"] is None and line["note"] == "B 与 C 都成立"


def test_sheet_without_an_exported_round_says_what_to_run(root: Path) -> None:
    with pytest.raises(MedauditError, match="export-blind --round 3"):
        write_answer_sheet(root, 3, root / "x.xlsx")
