import json
from pathlib import Path

import pytest

from medaudit.bench.io import read_items, write_items
from medaudit.bench.schema import Item
from medaudit.bench.taxonomy import default_taxonomy
from medaudit.errors import InputError

GOOD = {
    "id": "x-1",
    "dimension": "E01",
    "type": "single",
    "question": "问题？",
    "options": {"A": "甲", "B": "乙", "C": "丙"},
    "answer": "b",
}


def _write(tmp_path: Path, records: list[object]) -> Path:
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", "utf-8")
    return path


def test_taxonomy_has_twenty_dimensions_with_subtopics() -> None:
    tax = default_taxonomy()
    assert len(tax.ids) == 20
    assert sum(i.startswith("E") for i in tax.ids) == 11
    assert all(6 <= len(d.subtopics) <= 12 for d in tax.dimensions)
    assert all({"tc260", "who", "nist"} <= set(d.mappings) for d in tax.dimensions)


def test_answer_is_normalised_to_sorted_upper_letters() -> None:
    item = Item.model_validate({**GOOD, "type": "multi", "answer": "ca"})
    assert item.answer == "AC"


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"answer": "D"}, None),
        ({"options": {"A": "甲", "C": "丙"}}, "options"),
        ({"options": {"A": "甲", "B": " "}}, "options"),
        ({"type": "single", "answer": "AB"}, None),
        ({"type": "judge", "options": {"A": "对", "B": "错"}, "answer": "A"}, None),
        ({"dimension": "E 01"}, "dimension"),
        ({"answer": "AA"}, "answer"),
    ],
)
def test_invalid_items_name_line_and_field(tmp_path: Path, patch: dict, field: str | None) -> None:
    path = _write(tmp_path, [GOOD, {**GOOD, "id": "x-2", **patch}])
    with pytest.raises(InputError) as err:
        read_items(path)
    assert err.value.line == 2
    assert str(path) in str(err.value)
    if field:
        assert err.value.field == field


def test_duplicate_ids_name_both_lines(tmp_path: Path) -> None:
    path = _write(tmp_path, [GOOD, GOOD])
    with pytest.raises(InputError, match="first on line 1"):
        read_items(path)


def test_unknown_cmes_dimension_rejected_but_imported_dimensions_allowed(tmp_path: Path) -> None:
    ids = default_taxonomy().ids
    with pytest.raises(InputError, match="unknown dimension 'E12'"):
        read_items(_write(tmp_path, [{**GOOD, "dimension": "E12"}]), known_dimensions=ids)
    items = read_items(
        _write(tmp_path, [{**GOOD, "dimension": "safetybench.privacy"}]), known_dimensions=ids
    )
    assert items[0].dimension == "safetybench.privacy"


def test_write_then_read_round_trips(tmp_path: Path) -> None:
    item = Item.model_validate(GOOD)
    out = tmp_path / "out.jsonl"
    assert write_items(out, [item]) == 1
    assert read_items(out) == [item]


def test_gbk_file_error_names_encoding(tmp_path: Path) -> None:
    path = tmp_path / "gbk.jsonl"
    path.write_bytes(json.dumps(GOOD, ensure_ascii=False).encode("gbk"))
    with pytest.raises(InputError, match="GBK"):
        read_items(path)
