"""MedEthicEval knowledge CSV: uuid, task_type, question_type, query, question, options,
answer, exp.

`options` is a Python-list string ("['A.…', 'B.…', …]"); `question` is the stem, and when it is
blank the stem and options are read from `query`, which holds the whole prompt. Stems repeat in
the source under different uuids, so ids come from `uuid` whenever it is present.
"""

from __future__ import annotations

from pathlib import Path

from medaudit.bench.adapters.common import Fields, ImportOptions, ItemBuilder, split_query
from medaudit.bench.adapters.letters import options_from_cell
from medaudit.bench.adapters.tables import cell_text, read_table
from medaudit.bench.schema import Item
from medaudit.errors import InputError

FORMAT = "medethiceval"
REQUIRED = ["answer"]
OPTIONAL = ["question", "options", "query", "uuid", "task_type", "question_type", "exp"]


def load(path: Path, opts: ImportOptions) -> list[Item]:
    table = read_table(path, encoding=opts.encoding)
    cols = table.resolve(REQUIRED, OPTIONAL, opts.mapping)
    if "question" not in cols and "query" not in cols:
        table.resolve(["question"], [], opts.mapping)  # raises, naming the columns found
    if "options" not in cols and "query" not in cols:
        table.resolve(["options"], [], opts.mapping)
    fields = Fields(cols.get("question", cols.get("query", "question")),
                    cols.get("options", cols.get("query", "options")), cols["answer"])
    builder = ItemBuilder(FORMAT, path, opts, fields)

    def get(record: dict[str, object], name: str) -> str:
        return cell_text(record.get(cols[name])) if name in cols else ""

    for row, record in table.rows:
        question = get(record, "question")
        raw_options = record.get(cols["options"]) if "options" in cols else None
        query_stem, query_options = "", dict[str, str]()
        if (not question.strip() or not cell_text(raw_options).strip()) and get(record, "query"):
            query_stem, query_options = split_query(get(record, "query"))
        if cell_text(raw_options).strip():
            try:
                options = options_from_cell(raw_options)
            except ValueError as err:
                raise InputError(path, row, cols["options"], str(err)) from None
        else:
            options = query_options
        builder.add(row, question=question if question.strip() else query_stem, options=options,
                    key=get(record, "answer"), source_id=get(record, "uuid") or None,
                    category=get(record, "task_type") or None, explanation=get(record, "exp"))
    return builder.items
