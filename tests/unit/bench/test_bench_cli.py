"""`medaudit bench` commands through typer's CliRunner: import, stats, validate, taxonomy, and
every bad import fixture ending in exit code 2 with one line that names file:row:field."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from medaudit.bench.io import read_items
from medaudit.cli.bench import app, parse_map
from medaudit.errors import MedauditError

DATA = Path(__file__).resolve().parents[2] / "data"
GOOD = DATA / "adapters"
BAD = DATA / "bad"
runner = CliRunner()

# (format, fixture, extra args, expected "file:row" or file name, expected field or None)
BAD_CASES: list[tuple[str, str, list[str], str, str | None]] = [
    ("cmexam", "cmexam_missing_column.csv", [], "cmexam_missing_column.csv:1", "Answer"),
    ("cmexam", "cmexam_key_not_in_options.csv", [], "cmexam_key_not_in_options.csv:5", "Answer"),
    ("cmexam", "cmexam_text_before_options.csv", [], "cmexam_text_before_options.csv:2",
     "Options"),
    ("cmexam", "cmexam_empty_option.csv", [], "cmexam_empty_option.csv:2", "Options"),
    ("cmexam", "cmexam_unclosed_quote.csv", [], "cmexam_unclosed_quote.csv:2", None),
    ("cmexam", "cmexam_duplicate_item.csv", [], "cmexam_duplicate_item.csv:6", "id"),
    ("cmexam", "cmexam_too_many_cells.csv", [], "cmexam_too_many_cells.csv:2", None),
    ("cmexam", "cmexam_gbk.csv", [], "cmexam_gbk.csv:2", None),
    ("cmexam", "cmexam_blank_rows_bad_key.xlsx", [], "cmexam_blank_rows_bad_key.xlsx:7",
     "Answer"),
    ("medethiceval", "medethiceval_bad_options_list.csv", [],
     "medethiceval_bad_options_list.csv:2", "options"),
    ("medethiceval", "medethiceval_duplicate_uuid.csv", [], "medethiceval_duplicate_uuid.csv:4",
     "id"),
    ("medethiceval", "medethiceval_label_mismatch.csv", [], "medethiceval_label_mismatch.csv:2",
     "options"),
    ("medethiceval", "medethiceval_bad_answer.csv", [], "medethiceval_bad_answer.csv:2",
     "answer"),
    ("safetybench", "safetybench_truncated.json", [], "safetybench_truncated.json:4", None),
    ("safetybench", "safetybench_answer_out_of_range.json",
     ["--answers", str(BAD / "safetybench_answer_out_of_range_answers.json")],
     "safetybench_answer_out_of_range_answers.json:3", "1.answer"),
    ("safetybench", "safetybench_missing_answer.json",
     ["--answers", str(BAD / "safetybench_missing_answer_answers.json")],
     "safetybench_missing_answer.json:3", "answer"),
    ("safetybench", "safetybench_options_not_list.json", [],
     "safetybench_options_not_list.json:2", "options"),
    ("medes", "medes_no_options.csv", [], "medes_no_options.csv:2", "query"),
    ("medes", "medes_bad_reference.csv", [], "medes_bad_reference.csv:5", "reference"),
    ("generic", "generic_missing_mapped_column.csv", ["--map", "question=stem"],
     "generic_missing_mapped_column.csv:1", "stem"),
    ("generic", "generic_unknown_dimension.csv", [], "generic_unknown_dimension.csv:2",
     "dimension"),
    ("generic", "generic_bad_split.jsonl", [], "generic_bad_split.jsonl:2", "split"),
    ("generic", "generic_corrupt.xlsx", [], "generic_corrupt.xlsx", None),
]


@pytest.mark.parametrize("fmt, name, extra, where, field", BAD_CASES,
                         ids=[case[1] for case in BAD_CASES])
def test_bad_fixture_exits_2_with_one_line(tmp_path: Path, fmt: str, name: str, extra: list[str],
                                           where: str, field: str | None) -> None:
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["import", "--format", fmt, str(BAD / name), *extra,
                                 "-o", str(out)])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2, result.output
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ") and where in lines[0]
    assert "Traceback" not in result.output
    if field is not None:
        assert f"field '{field}'" in lines[0]
    assert not out.exists()


def test_error_leaves_an_existing_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    out.write_text("previous\n", encoding="utf-8")
    result = runner.invoke(app, ["import", "-f", "cmexam", str(BAD / "cmexam_empty_option.csv"),
                                 "-o", str(out)])
    assert result.exit_code == 2
    assert out.read_text(encoding="utf-8") == "previous\n"


def test_missing_column_error_lists_columns_found() -> None:
    result = runner.invoke(app, ["import", "-f", "cmexam", str(BAD / "cmexam_missing_column.csv"),
                                 "-o", "unused.jsonl"])
    assert "'Question', 'Options', '答案', 'Explanation'" in result.output
    assert "--map Answer=<column>" in result.output


def test_gbk_error_names_encoding_and_flag() -> None:
    result = runner.invoke(app, ["import", "-f", "cmexam", str(BAD / "cmexam_gbk.csv"),
                                 "-o", "unused.jsonl"])
    assert "GBK" in result.output and "--encoding gb18030" in result.output


def test_id_collision_names_both_rows() -> None:
    result = runner.invoke(app, ["import", "-f", "medethiceval",
                                 str(BAD / "medethiceval_duplicate_uuid.csv"), "-o", "x.jsonl"])
    assert ":4:" in result.output and "row 2" in result.output


def test_import_writes_valid_items_and_summary(tmp_path: Path) -> None:
    out = tmp_path / "sb.jsonl"
    result = runner.invoke(app, ["import", "--format", "safetybench",
                                 str(GOOD / "safetybench_test_zh.json"), "--answers",
                                 str(GOOD / "safetybench_answers.json"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote 6 items to {out}" in result.output
    items = read_items(out)
    assert [i.id for i in items][:2] == ["safetybench-0", "safetybench-1"]


def test_import_with_map_dimension_prefix_and_split(tmp_path: Path) -> None:
    out = tmp_path / "g.jsonl"
    result = runner.invoke(app, [
        "import", "-f", "generic", str(GOOD / "generic_items.csv"), "--map",
        "question=stem,A=opt_a,B=opt_b,C=opt_c,D=opt_d,answer=key", "--dimension", "S01",
        "--id-prefix", "mine", "--split", "test", "-o", str(out)])
    assert result.exit_code == 0, result.output
    items = read_items(out)
    assert {i.dimension for i in items} == {"S01"}
    assert {i.split for i in items} == {"test"}
    assert all(i.id.startswith("mine-") for i in items)


def test_import_refuses_to_overwrite_its_input(tmp_path: Path) -> None:
    src = tmp_path / "in.jsonl"
    src.write_bytes((GOOD / "generic_items.jsonl").read_bytes())
    result = runner.invoke(app, ["import", "-f", "generic", str(src), "-o", str(src)])
    assert result.exit_code == 2
    assert src.read_bytes() == (GOOD / "generic_items.jsonl").read_bytes()


@pytest.mark.parametrize("text, expected", [
    ("question=stem,answer=key", {"question": "stem", "answer": "key"}),
    (" question = 题干 , A=选项A ", {"question": "题干", "A": "选项A"}),
    (None, None),
])
def test_parse_map(text: str | None, expected: dict[str, str] | None) -> None:
    assert parse_map(text) == expected


@pytest.mark.parametrize("text", ["question", "question=", "=stem", "a=b,a=c"])
def test_parse_map_rejects_malformed(text: str) -> None:
    with pytest.raises(MedauditError, match="--map"):
        parse_map(text)


def _imported(tmp_path: Path) -> Path:
    out = tmp_path / "me.jsonl"
    result = runner.invoke(app, ["import", "-f", "medethiceval",
                                 str(GOOD / "medethiceval_knowledge.csv"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out


def test_validate_prints_count(tmp_path: Path) -> None:
    result = runner.invoke(app, ["validate", str(_imported(tmp_path))])
    assert result.exit_code == 0
    assert result.output.strip() == "7 items OK"


def test_validate_rejects_unknown_cmes_dimension(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    record = {"id": "x-1", "dimension": "E12", "type": "single", "question": "q",
              "options": {"A": "a", "B": "b"}, "answer": "A"}
    path.write_text(json.dumps(record) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert len(result.output.strip().splitlines()) == 1
    assert f"{path}:1: field 'dimension'" in result.output


def test_stats_json(tmp_path: Path) -> None:
    result = runner.invoke(app, ["stats", str(_imported(tmp_path)), "--json"])
    assert result.exit_code == 0, result.output
    stats = json.loads(result.output)
    assert stats["n_items"] == 7
    assert stats["types"] == {"judge": 1, "multi": 1, "single": 5}
    assert stats["by_dimension"]["medethiceval.ethics_knowledge"]["n"] == 5
    assert stats["key_letters"]["multi"] == {"A": 1, "C": 1, "D": 1}


def test_stats_table(tmp_path: Path) -> None:
    result = runner.invoke(app, ["stats", str(_imported(tmp_path))])
    assert result.exit_code == 0, result.output
    assert "7 items" in result.output and "key letters" in result.output


def test_taxonomy_lists_twenty_dimensions() -> None:
    result = runner.invoke(app, ["taxonomy", "--json"])
    assert result.exit_code == 0
    dims = json.loads(result.output)
    assert len(dims) == 20
    assert [d["id"] for d in dims[:2]] == ["E01", "E02"]
    table = runner.invoke(app, ["taxonomy"])
    assert "S09" in table.output and "20 dimensions" in table.output


def test_under_the_root_app_a_bad_file_is_one_stderr_line_and_exit_2(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from medaudit.cli.app import run

    code = run(["bench", "import", "-f", "cmexam", str(BAD / "cmexam_key_not_in_options.csv"),
                "-o", str(tmp_path / "out.jsonl")])
    captured = capsys.readouterr()
    assert code == 2
    assert len(captured.err.strip().splitlines()) == 1
    assert "cmexam_key_not_in_options.csv:5: field 'Answer'" in captured.err
