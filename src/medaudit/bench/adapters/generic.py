"""Any CSV/XLSX/JSONL/JSON item table, read through a column mapping (`--map field=column`).

Fields: question and answer (required); options as one cell (list, {label: text}, or an
"A xxx\\nB yyy" block) or as one column per option A…J; optional id, explanation, dimension,
split, family, difficulty. Without `--map`, a column named like the field is used.
"""

from __future__ import annotations

import re
from pathlib import Path

from medaudit.bench.adapters.common import (
    Fields,
    ImportOptions,
    ItemBuilder,
    adapter_data,
    slug,
)
from medaudit.bench.adapters.letters import options_from_cell
from medaudit.bench.adapters.tables import cell_text, read_table
from medaudit.bench.schema import LETTERS, Item
from medaudit.bench.taxonomy import default_taxonomy
from medaudit.errors import InputError

FORMAT = "generic"
REQUIRED = ["question", "answer"]
OPTIONAL = ["options", *LETTERS, "id", "explanation", "dimension", "split", "family",
            "difficulty", "category"]
_DIMENSION_OK = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")


def _row_options(record: dict[str, object], cols: dict[str, str], path: Path,
                 row: int) -> dict[str, str]:
    if "options" in cols:
        try:
            return options_from_cell(record.get(cols["options"]))
        except ValueError as err:
            raise InputError(path, row, cols["options"], str(err)) from None
    options: dict[str, str] = {}
    for letter in LETTERS:
        text = cell_text(record.get(cols[letter])).strip() if letter in cols else ""
        if not text:
            break
        options[letter] = text
    after = [x for x in LETTERS[len(options):] if x in cols
             and cell_text(record.get(cols[x])).strip()]
    if after:
        raise InputError(path, row, cols[after[0]], f"option {after[0]} is filled but option "
                         f"{LETTERS[len(options)]} is empty; options must be A, B, C… without gaps")
    return options


def _key(value: object) -> str:
    """A key cell as text; JSONL may give a list of letters (["A", "C"])."""
    if isinstance(value, list | tuple):
        return "".join(cell_text(v) for v in value)
    return cell_text(value)


def _extra(record: dict[str, object], cols: dict[str, str], path: Path,
           row: int) -> dict[str, object]:
    extra: dict[str, object] = {}
    if "split" in cols and cell_text(record.get(cols["split"])).strip():
        raw = cell_text(record.get(cols["split"])).strip()
        split = adapter_data()["split_aliases"].get(raw.lower())
        if split is None:
            raise InputError(path, row, cols["split"], f"split '{raw}' is not train, dev or test")
        extra["split"] = split
    if "family" in cols and cell_text(record.get(cols["family"])).strip():
        extra["family"] = cell_text(record.get(cols["family"])).strip()
    if "difficulty" in cols and cell_text(record.get(cols["difficulty"])).strip():
        raw = cell_text(record.get(cols["difficulty"])).strip()
        if not raw.isdigit() or not 1 <= int(raw) <= 5:
            raise InputError(path, row, cols["difficulty"], f"difficulty '{raw}' is not 1–5")
        extra["difficulty"] = int(raw)
    return extra


def load(path: Path, opts: ImportOptions) -> list[Item]:
    table = read_table(path, encoding=opts.encoding)
    cols = table.resolve(REQUIRED, OPTIONAL, opts.mapping)
    if "options" not in cols and not ("A" in cols and "B" in cols):
        table.resolve(["options"], [], opts.mapping)  # raises, naming the columns found
    fields = Fields(cols["question"], cols.get("options", cols.get("A", "A")), cols["answer"])
    builder = ItemBuilder(FORMAT, path, opts, fields)

    def get(record: dict[str, object], name: str) -> str:
        return cell_text(record.get(cols[name])).strip() if name in cols else ""

    for row, record in table.rows:
        dimension_raw = get(record, "dimension")
        dimension = category = None
        if dimension_raw and _DIMENSION_OK.match(dimension_raw):
            if re.fullmatch(r"[ES]\d\d", dimension_raw) and \
                    dimension_raw not in default_taxonomy().ids:
                raise InputError(path, row, cols["dimension"], f"unknown dimension "
                                 f"'{dimension_raw}'; use a taxonomy id (medaudit bench taxonomy)")
            dimension = dimension_raw
        elif dimension_raw:
            category = dimension_raw
            dimension = f"{FORMAT}.{slug(dimension_raw)}"
        category = get(record, "category") or category
        builder.add(row, question=get(record, "question"),
                    options=_row_options(record, cols, path, row),
                    key=_key(record.get(cols["answer"])), source_id=get(record, "id") or None,
                    category=category, dimension=dimension,
                    explanation=get(record, "explanation"), extra=_extra(record, cols, path, row))
    return builder.items
