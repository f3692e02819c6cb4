"""Export items as JSONL, CSV, XLSX or a Hugging Face-style dataset directory.

`hf` writes one JSON Lines file per split and a README.md dataset card whose YAML front matter
maps splits to files, so `datasets.load_dataset("json", data_files=...)` (or loading the
directory itself) reads it without medaudit. Every record has the same keys in every file (absent
optional fields are null) because Arrow infers one schema across files. CSV and XLSX flatten
options into columns A, B, … and references into one readable column plus a JSON column that
keeps them exact.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from medaudit.bench.io import item_to_json
from medaudit.bench.schema import LETTERS, Item
from medaudit.bench.taxonomy import default_taxonomy
from medaudit.errors import MedauditError
from medaudit.fsutil import atomic_writer

FORMATS = ("jsonl", "csv", "xlsx", "hf")
SPLIT_ORDER = ("train", "dev", "test")
DEFAULT_LICENSE = "cc-by-4.0"


def filter_split(items: Sequence[Item], split: str | None) -> list[Item]:
    if split is None:
        return list(items)
    chosen = [it for it in items if it.split == split]
    if not chosen:
        raise MedauditError(f"no items in split '{split}'; run medaudit bench build or choose "
                            "train, dev or test")
    return chosen


def reference_text(item: Item) -> str:
    return "；".join(f"《{r.title.strip('《》')}》{r.locator or ''}".strip()
                    for r in item.references)


def flat_row(item: Item, n_letters: int) -> dict[str, Any]:
    row: dict[str, Any] = {"id": item.id, "dimension": item.dimension, "type": item.type,
                           "split": item.split or "", "family": item.family or "",
                           "subtopic": item.subtopic or "", "difficulty": item.difficulty or "",
                           "source": item.source, "question": item.question}
    for letter in LETTERS[:n_letters]:
        row[letter] = item.options.get(letter, "")
    row.update({"answer": item.answer, "explanation": item.explanation,
                "references": reference_text(item),
                "references_json": json.dumps([r.model_dump(exclude_none=True)
                                               for r in item.references], ensure_ascii=False)})
    return row


def _rows(items: Sequence[Item]) -> tuple[list[str], list[dict[str, Any]]]:
    n_letters = max(len(it.options) for it in items)
    rows = [flat_row(it, n_letters) for it in items]
    return list(rows[0]), rows


def write_jsonl(items: Sequence[Item], out: Path) -> None:
    with atomic_writer(out) as handle:
        for it in items:
            handle.write(item_to_json(it) + "\n")


def write_csv(items: Sequence[Item], out: Path) -> None:
    header, rows = _rows(items)
    with atomic_writer(out) as handle:
        writer = csv.DictWriter(handle, fieldnames=header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def write_xlsx(items: Sequence[Item], out: Path) -> None:
    from openpyxl import Workbook

    header, rows = _rows(items)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("items")
    sheet.append(header)
    for row in rows:
        sheet.append([row[h] for h in header])
    with atomic_writer(out, "wb") as handle:
        book.save(handle)


def hf_record(item: Item) -> dict[str, Any]:
    data = item.model_dump()  # None kept: every line has every key
    data["references"] = [{"title": r.title, "locator": r.locator, "url": r.url}
                          for r in item.references]
    return data


def _size_category(n: int) -> str:
    for limit, name in ((1000, "n<1K"), (10000, "1K<n<10K"), (100000, "10K<n<100K")):
        if n < limit:
            return name
    return "100K<n<1M"


def dataset_card(items: Sequence[Item], files: dict[str, str], *, name: str,
                 license_id: str) -> str:
    """README.md for the export directory: YAML front matter, composition, fields, loading."""
    import yaml

    front = {
        "language": ["zh"], "license": license_id, "pretty_name": name,
        "task_categories": ["multiple-choice", "question-answering"],
        "tags": ["medical", "ethics", "safety", "benchmark", "chinese"],
        "size_categories": [_size_category(len(items))],
        "configs": [{"config_name": "default",
                     "data_files": [{"split": s, "path": p} for s, p in files.items()]}],
    }
    tax = default_taxonomy()
    cells: Counter[tuple[str, str]] = Counter((it.dimension, str(it.split)) for it in items)
    dims = sorted({it.dimension for it in items})
    splits = list(files)
    table = ["| dimension | " + " | ".join(splits) + " | total |",
             "|---|" + "---|" * (len(splits) + 1)]
    for dim in dims:
        counts = [cells[(dim, s)] for s in splits]
        table.append(f"| {tax.label(dim)} | " + " | ".join(map(str, counts))
                     + f" | {sum(counts)} |")
    totals = [sum(cells[(d, s)] for d in dims) for s in splits]
    table.append("| **total** | " + " | ".join(map(str, totals)) + f" | {sum(totals)} |")
    types = Counter(it.type for it in items)
    data_files = ", ".join(f'"{s}": "{p}"' for s, p in files.items())
    body = f"""# {name}

Chinese multiple-choice items on medical ethics and safety, exported by `medaudit bench export
--format hf`. Types: {", ".join(f"{t} {n}" for t, n in sorted(types.items()))}
(`single`: one key among A–E; `multi`: 不定项, the key is a sorted letter string such as
`ABD`; `judge`: 判断题 with options 正确/错误).

## Composition (items per dimension and split)

{chr(10).join(table)}

## Fields

`id`, `dimension` (taxonomy id), `type`, `question`, `options` (letter → text), `answer`,
`explanation` (why the key is right and each distractor wrong), `references` (title, locator,
url of the norm that backs the key), `family` (items sharing a vignette or generator template;
splits never cut a family), `split`, `difficulty` (1–5 or null), `source` (`authored` or
`generated:<generator>@<fact-id>`), `subtopic`.

## Loading

```python
from datasets import load_dataset
ds = load_dataset("json", data_files={{{data_files}}})
```

See docs/benchmark/datasheet.md in the medaudit repository for collection, review, quality
checks and limitations.
"""
    return "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n" + body


def write_hf(items: Sequence[Item], out: Path, *, name: str, license_id: str) -> dict[str, str]:
    if out.exists() and not out.is_dir():
        raise MedauditError(f"{out} is a file; --format hf writes a directory")
    if any(it.split is None for it in items):
        raise MedauditError("some items have no split; run medaudit bench build first (the hf "
                            "format writes one file per split)")
    files: dict[str, str] = {}
    for split in SPLIT_ORDER:
        chosen = [it for it in items if it.split == split]
        if not chosen:
            continue
        files[split] = f"{split}.jsonl"
        with atomic_writer(out / files[split]) as handle:
            for it in chosen:
                handle.write(json.dumps(hf_record(it), ensure_ascii=False) + "\n")
    with atomic_writer(out / "README.md") as handle:
        handle.write(dataset_card(items, files, name=name, license_id=license_id))
    return files


def export(items: Sequence[Item], fmt: str, out: Path, *, split: str | None = None,
           name: str = "CMES", license_id: str = DEFAULT_LICENSE) -> list[Path]:
    """Write `items` in `fmt` to `out`; returns the paths written."""
    if fmt not in FORMATS:
        raise MedauditError(f"unknown export format '{fmt}'; choose {', '.join(FORMATS)}")
    chosen = filter_split(items, split)
    if fmt == "hf":
        files = write_hf(chosen, out, name=name, license_id=license_id)
        return [out / p for p in files.values()] + [out / "README.md"]
    if out.is_dir():
        raise MedauditError(f"{out} is a directory; give a file name like cmes.{fmt}")
    {"jsonl": write_jsonl, "csv": write_csv, "xlsx": write_xlsx}[fmt](chosen, out)
    return [out]
