"""CMExam CSV/XLSX: Question, Options ("A xxx\\nB xxx…" in one cell), Answer, Explanation.

CMExam has no id column, so ids hash the stem and options; the whole file is one dimension
("cmexam") and the item's `subtopic` keeps its discipline or department when the file has one.
"""

from __future__ import annotations

from pathlib import Path

from medaudit.bench.adapters.common import Fields, ImportOptions, ItemBuilder
from medaudit.bench.adapters.letters import options_from_cell
from medaudit.bench.adapters.tables import cell_text, read_table
from medaudit.bench.schema import Item
from medaudit.errors import InputError

FORMAT = "cmexam"
REQUIRED = ["Question", "Options", "Answer"]
OPTIONAL = ["Explanation", "Medical Discipline", "Clinical Department", "ID"]


def load(path: Path, opts: ImportOptions) -> list[Item]:
    table = read_table(path, encoding=opts.encoding)
    cols = table.resolve(REQUIRED, OPTIONAL, opts.mapping)
    builder = ItemBuilder(FORMAT, path, opts, Fields(cols["Question"], cols["Options"],
                                                     cols["Answer"]))

    def get(record: dict[str, object], name: str) -> str:
        return cell_text(record.get(cols[name])) if name in cols else ""

    for row, record in table.rows:
        try:
            options = options_from_cell(record.get(cols["Options"]))
        except ValueError as err:
            raise InputError(path, row, cols["Options"], str(err)) from None
        subtopic = get(record, "Medical Discipline") or get(record, "Clinical Department")
        builder.add(row, question=get(record, "Question"), options=options,
                    key=get(record, "Answer"), source_id=get(record, "ID") or None,
                    explanation=get(record, "Explanation"), dimension=FORMAT,
                    extra={"subtopic": subtopic.strip()} if subtopic.strip() else None)
    return builder.items
