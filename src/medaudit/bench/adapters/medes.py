"""MedES objective CSV: scene, query (instruction + stem + options in one text), reference.

The stem and options are cut out of `query` (see `common.split_query`); `reference` holds the key
letters, often several ("A,C,D", "ＡＣ"). The scene becomes the dimension "medes.<scene>".
"""

from __future__ import annotations

from pathlib import Path

from medaudit.bench.adapters.common import Fields, ImportOptions, ItemBuilder, split_query
from medaudit.bench.adapters.tables import cell_text, read_table
from medaudit.bench.schema import Item
from medaudit.errors import InputError

FORMAT = "medes"
REQUIRED = ["query", "reference"]
OPTIONAL = ["scene", "id", "explanation"]


def load(path: Path, opts: ImportOptions) -> list[Item]:
    table = read_table(path, encoding=opts.encoding)
    cols = table.resolve(REQUIRED, OPTIONAL, opts.mapping)
    builder = ItemBuilder(FORMAT, path, opts, Fields(cols["query"], cols["query"],
                                                     cols["reference"]))

    def get(record: dict[str, object], name: str) -> str:
        return cell_text(record.get(cols[name])) if name in cols else ""

    for row, record in table.rows:
        query = get(record, "query")
        stem, options = split_query(query)
        if len(options) < 2:
            raise InputError(path, row, cols["query"], "no options found in the query; options "
                             "must be labelled A. / A、 / (A) at line starts or inline")
        if not stem:
            raise InputError(path, row, cols["query"], "the query has options but no question "
                             "before option A")
        builder.add(row, question=stem, options=options, key=get(record, "reference"),
                    source_id=get(record, "id") or None, category=get(record, "scene") or None,
                    explanation=get(record, "explanation"))
    return builder.items
