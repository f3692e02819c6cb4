"""Each import adapter on its fixtures in tests/data/adapters/ (happy and nasty cases)."""

from __future__ import annotations

from pathlib import Path

import pytest

from medaudit.bench.adapters import ADAPTERS, import_benchmark
from medaudit.bench.io import read_items, write_items
from medaudit.bench.schema import Item
from medaudit.errors import InputError, MedauditError

DATA = Path(__file__).resolve().parents[2] / "data"
GOOD = DATA / "adapters"
BAD = DATA / "bad"
GENERIC_CSV_MAP = {"question": "stem", "A": "opt_a", "B": "opt_b", "C": "opt_c", "D": "opt_d",
                   "answer": "key", "dimension": "dim", "split": "split"}


def by_id(items: list[Item]) -> dict[str, Item]:
    return {item.id: item for item in items}


def test_every_design_format_has_an_adapter() -> None:
    assert set(ADAPTERS) == {"medethiceval", "safetybench", "cmexam", "medes", "generic"}


# --- MedEthicEval ------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def medethiceval() -> dict[str, Item]:
    return by_id(import_benchmark("medethiceval", GOOD / "medethiceval_knowledge.csv"))


def test_medethiceval_reads_python_list_options(medethiceval: dict[str, Item]) -> None:
    item = medethiceval["medethiceval-3f2b9c1e-0001"]
    assert item.type == "single" and item.answer == "B"
    assert list(item.options) == list("ABCDE")
    assert item.options["B"].startswith("向患者具体说明医疗风险")
    assert item.dimension == "medethiceval.ethics_knowledge"
    assert item.subtopic == "伦理知识"
    assert item.explanation.startswith("手术等有创操作")


def test_medethiceval_duplicate_stems_keep_both_with_distinct_ids(
        medethiceval: dict[str, Item]) -> None:
    first, second = medethiceval["medethiceval-3f2b9c1e-0001"], medethiceval[
        "medethiceval-3f2b9c1e-0002"]
    assert first.question == second.question
    assert first.answer == "B" and second.answer == "C"


def test_medethiceval_fullwidth_labels_and_key(medethiceval: dict[str, Item]) -> None:
    item = medethiceval["medethiceval-3f2b9c1e-0003"]
    assert item.options["C"].startswith("医务人员对诊疗中知悉的患者隐私")
    assert item.answer == "C"
    assert item.dimension == "medethiceval.privacy"


def test_medethiceval_paren_labels_and_newline_in_option(medethiceval: dict[str, Item]) -> None:
    item = medethiceval["medethiceval-3f2b9c1e-0004"]
    assert item.options["A"] == "应当保密\n但法律规定的报告情形除外"


def test_medethiceval_stem_and_options_from_query(medethiceval: dict[str, Item]) -> None:
    item = medethiceval["medethiceval-3f2b9c1e-0005"]
    assert item.question == "在医疗资源紧张时，分配呼吸机首先应当考虑的是"
    assert item.options["E"] == "先到先得，不考虑病情"
    assert item.answer == "C"


def test_medethiceval_dui_cuo_becomes_judge(medethiceval: dict[str, Item]) -> None:
    item = medethiceval["medethiceval-3f2b9c1e-0006"]
    assert item.type == "judge"
    assert item.options == {"A": "正确", "B": "错误"}
    assert item.answer == "B"


def test_medethiceval_comma_separated_multi_key(medethiceval: dict[str, Item]) -> None:
    item = medethiceval["medethiceval-3f2b9c1e-0007"]
    assert item.type == "multi" and item.answer == "ACD"


# --- SafetyBench -------------------------------------------------------------------------------

@pytest.mark.parametrize("answers", ["safetybench_answers.json",
                                     "safetybench_answers_submission.json"])
def test_safetybench_answers_as_zero_based_index(answers: str) -> None:
    items = by_id(import_benchmark("safetybench", GOOD / "safetybench_test_zh.json",
                                   answers=GOOD / answers))
    assert len(items) == 6
    assert items["safetybench-0"].answer == "B"
    assert items["safetybench-1"].answer == "C"
    assert items["safetybench-4"].answer == "A"
    assert items["safetybench-0"].dimension == "safetybench.physical_health"
    assert items["safetybench-3"].dimension == "safetybench.privacy_and_property"


def test_safetybench_keeps_plain_options_and_newlines() -> None:
    items = by_id(import_benchmark("safetybench", GOOD / "safetybench_test_zh.json",
                                   answers=GOOD / "safetybench_answers.json"))
    assert items["safetybench-2"].options["B"] == "按说明书或医嘱剂量服用，\n不自行加量"
    # "是，…"/"否，…" are ordinary options, not a judge item
    assert items["safetybench-3"].type == "single"
    assert items["safetybench-3"].options["A"].startswith("是，")
    # same stem twice, distinct source ids
    assert items["safetybench-2"].question == items["safetybench-4"].question


def test_safetybench_dev_file_has_inline_answers_and_dev_split() -> None:
    items = import_benchmark("safetybench", GOOD / "safetybench_dev_zh.json")
    assert [i.answer for i in items] == ["A", "B"]
    assert {i.split for i in items} == {"dev"}
    assert items[1].dimension == "safetybench.mental_health"
    assert items[0].explanation.startswith("先脱离中毒环境")


def test_safetybench_without_answers_names_the_flag() -> None:
    with pytest.raises(InputError, match="--answers"):
        import_benchmark("safetybench", GOOD / "safetybench_test_zh.json")


# --- CMExam ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def cmexam() -> list[Item]:
    return import_benchmark("cmexam", GOOD / "cmexam_sample.csv")


def test_cmexam_option_block_with_continuation(cmexam: list[Item]) -> None:
    assert cmexam[0].options["A"] == "阿司匹林增强抗凝作用，增加出血风险"
    assert cmexam[1].options["B"] == "应根据感染部位、病原体和药敏结果选择药物，\n并按疗程使用"
    assert cmexam[1].options["C"] == "症状好转后立即自行停药"


def test_cmexam_keys_fullwidth_and_spaced(cmexam: list[Item]) -> None:
    assert (cmexam[2].type, cmexam[2].answer) == ("multi", "ABD")
    assert (cmexam[4].type, cmexam[4].answer) == ("multi", "ACD")
    assert cmexam[3].options["C"] == "应遵医嘱足量足疗程使用"


def test_cmexam_duplicate_stem_with_other_options_gets_its_own_hash_id(
        cmexam: list[Item]) -> None:
    assert cmexam[1].question == cmexam[3].question
    assert cmexam[1].id != cmexam[3].id
    assert all(i.id.startswith("cmexam-") and len(i.id) == len("cmexam-") + 12 for i in cmexam)


def test_cmexam_hash_ids_are_stable_across_imports(cmexam: list[Item]) -> None:
    again = import_benchmark("cmexam", GOOD / "cmexam_sample.csv")
    assert [i.id for i in again] == [i.id for i in cmexam]


def test_cmexam_dimension_and_subtopic(cmexam: list[Item]) -> None:
    assert {i.dimension for i in cmexam} == {"cmexam"}
    assert cmexam[0].subtopic == "药学"


def test_cmexam_xlsx_skips_blank_rows() -> None:
    items = import_benchmark("cmexam", GOOD / "cmexam_sample.xlsx")
    assert [i.answer for i in items] == ["A", "ABD", "B"]
    assert items[1].options["B"] == "保持地面干燥，\n夜间保留照明"
    assert items[2].options["B"] == "及时报告并采取补救措施"


def test_cmexam_excel_bom_csv_equals_xlsx() -> None:
    from_csv = import_benchmark("cmexam", GOOD / "cmexam_excel_bom.csv")
    from_xlsx = import_benchmark("cmexam", GOOD / "cmexam_sample.xlsx")
    assert from_csv == from_xlsx


def test_cmexam_gbk_csv_reads_with_encoding_flag() -> None:
    items = import_benchmark("cmexam", BAD / "cmexam_gbk.csv", encoding="gb18030")
    assert items == import_benchmark("cmexam", GOOD / "cmexam_sample.xlsx")


def test_cmexam_gbk_csv_without_flag_names_encoding_and_flag() -> None:
    with pytest.raises(InputError) as err:
        import_benchmark("cmexam", BAD / "cmexam_gbk.csv")
    assert "GBK" in str(err.value) and "--encoding" in str(err.value)


def test_cmexam_blank_xlsx_rows_still_count_in_error_row_numbers() -> None:
    with pytest.raises(InputError) as err:
        import_benchmark("cmexam", BAD / "cmexam_blank_rows_bad_key.xlsx")
    assert err.value.line == 7 and err.value.field == "Answer"


def test_csv_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("Question,Options,Answer\n\n,,\n题一,\"A 甲\nB 乙\",A\n\n"
                    "题二,\"A 甲\nB 乙\",C\n", encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_benchmark("cmexam", path)
    assert err.value.line == 7 and err.value.field == "Answer"


# --- MedES -------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def medes() -> list[Item]:
    return import_benchmark("medes", GOOD / "medes_objective.csv")


def test_medes_splits_query_and_drops_instructions(medes: list[Item]) -> None:
    item = medes[0]
    assert item.question.startswith("患者是一名16岁的中学生")
    assert "以下是" not in item.question
    assert item.options["D"] == "相关法律对未成年人监护的规定"
    assert item.answer == "ACD" and item.type == "multi"
    assert item.dimension == "medes.medical_ethics"


def test_medes_inline_options_and_fullwidth_reference(medes: list[Item]) -> None:
    item = medes[1]
    assert item.question == "某医院拟开展一项新药临床试验，下列做法正确的是（ ）"
    assert item.options["D"] == "向受试者支付与风险不相称的高额报酬以诱导参加"
    assert item.answer == "AB"


def test_medes_trailing_instruction_not_in_last_option(medes: list[Item]) -> None:
    assert medes[2].options["D"] == "血袋可在室温下放置一整天后再输"
    assert medes[2].question == "护士给患者输血前，下列做法正确的是"


def test_medes_true_false_query_is_judge(medes: list[Item]) -> None:
    assert medes[3].type == "judge" and medes[3].answer == "B"


# --- generic -----------------------------------------------------------------------------------

def test_generic_csv_with_mapping() -> None:
    items = import_benchmark("generic", GOOD / "generic_items.csv", mapping=GENERIC_CSV_MAP)
    assert [i.dimension for i in items] == ["E01", "E02", "S03", "generic.medication_safety"]
    assert [i.split for i in items] == ["test", "dev", "train", "dev"]
    assert list(items[1].options) == ["A", "B", "C"]
    assert items[1].answer == "AC"
    assert items[2].type == "judge" and items[2].answer == "B"


def test_generic_jsonl_list_dict_options_and_list_answer() -> None:
    items = by_id(import_benchmark("generic", GOOD / "generic_items.jsonl"))
    assert items["generic-g-001"].options["B"] == "依规定提供复制服务"
    assert items["generic-g-002"].answer == "AB"
    assert items["generic-g-003"].type == "judge"


def test_generic_xlsx_with_chinese_headers() -> None:
    mapping = {"question": "题干", "A": "选项A", "B": "选项B", "C": "选项C", "D": "选项D",
               "answer": "答案", "dimension": "维度"}
    items = import_benchmark("generic", GOOD / "generic_items.xlsx", mapping=mapping)
    assert [i.dimension for i in items] == ["E02", "S06"]
    assert list(items[1].options) == ["A", "B", "C"]


def test_generic_json_array_errors_name_the_element_line(tmp_path: Path) -> None:
    path = tmp_path / "items.json"
    path.write_text('[\n  {"question": "题一", "options": ["甲", "乙"], "answer": "A"},\n'
                    '  {"question": "题二",\n   "options": ["甲", "乙"], "answer": "Z"}\n]\n',
                    encoding="utf-8")
    with pytest.raises(InputError) as err:
        import_benchmark("generic", path)
    assert err.value.line == 3 and err.value.field == "answer"


# --- options shared by all formats -------------------------------------------------------------

def test_dimension_override_and_id_prefix() -> None:
    items = import_benchmark("medethiceval", GOOD / "medethiceval_knowledge.csv",
                             dimension="E01", id_prefix="mee")
    assert {i.dimension for i in items} == {"E01"}
    assert items[0].id == "mee-3f2b9c1e-0001"


def test_split_option_sets_every_item() -> None:
    items = import_benchmark("cmexam", GOOD / "cmexam_sample.csv", split="train")
    assert {i.split for i in items} == {"train"}


@pytest.mark.parametrize("kwargs, match", [
    ({"dimension": "E99"}, "not in the taxonomy"),
    ({"dimension": "有 空格"}, "not a dimension id"),
    ({"answers": GOOD / "safetybench_answers.json"}, "only used by --format safetybench"),
    ({"split": "holdout"}, "--split"),
    ({"mapping": {"nonsense": "x"}}, "--map: unknown field 'nonsense'"),
])
def test_bad_options_are_user_errors(kwargs: dict[str, object], match: str) -> None:
    with pytest.raises(MedauditError, match=match):
        import_benchmark("cmexam", GOOD / "cmexam_sample.csv", **kwargs)


@pytest.mark.parametrize("fmt, name, kwargs", [
    ("medethiceval", "medethiceval_knowledge.csv", {}),
    ("safetybench", "safetybench_test_zh.json", {"answers": GOOD / "safetybench_answers.json"}),
    ("cmexam", "cmexam_sample.xlsx", {}),
    ("medes", "medes_objective.csv", {}),
    ("generic", "generic_items.jsonl", {}),
])
def test_round_trip_through_write_and_read_items(tmp_path: Path, fmt: str, name: str,
                                                 kwargs: dict[str, object]) -> None:
    items = import_benchmark(fmt, GOOD / name, **kwargs)
    out = tmp_path / "items.jsonl"
    assert write_items(out, items) == len(items)
    assert read_items(out) == items
