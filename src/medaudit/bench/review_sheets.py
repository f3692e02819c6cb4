"""Blind review by people who do not edit JSON: a stratified sample, an answer sheet, an import.

Agent readers write review/blind_<DIM>.rN.answers.jsonl directly; clinicians and ethicists on a
hospital committee answer in a spreadsheet. This module picks a reproducible sample of items for
such a panel (`sample_ids`), writes the round's blind inputs as one XLSX workbook without keys
(`write_answer_sheet`), and turns the filled-in workbook (or a CSV of it) back into the per-
dimension answer files that `bench review compare` reads (`import_answers`). Errors name the
sheet row, so a reviewer can find the cell to fix; nothing is written unless every row is valid.
"""

from __future__ import annotations

import json
import random
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

from medaudit.bench.adapters.tables import cell_text, read_table
from medaudit.bench.review import round_inputs
from medaudit.bench.review_log import (
    answer_problem,
    dimension_of,
    normalise_answer,
    round_suffix,
)
from medaudit.bench.schema import Item
from medaudit.errors import InputError, MedauditError
from medaudit.fsutil import atomic_writer

SHEET_COLUMNS = ("id", "dimension", "type", "question", "A", "B", "C", "D", "E",
                 "blind_answer", "confidence", "note")
NO_ANSWER = {"无", "none", "-"}  # the reader finds no option defensible
INSTRUCTIONS = (
    "请在不查看答案和解析的情况下独立作答。",
    "blind_answer：单选题、判断题填一个字母；不定项（multi）填全部正确字母，如 ACD；"
    "若认为没有一个选项可以成立，填“无”。",
    "confidence：high / medium / low。note：作答理由，或题目的歧义、事实错误。",
    "判断题：A = 正确，B = 错误。请勿修改 id 列和题目内容。",
)


def sample_ids(items: Sequence[Item], per_dimension: int, seed: int,
               split: str | None = None) -> list[str]:
    """`per_dimension` items of every dimension, spread over item types in proportion (largest
    remainder), drawn with a seed of (seed, dimension) so a dimension's sample does not depend on
    which other dimensions exist."""
    if per_dimension < 1:
        raise MedauditError(f"--per-dimension must be 1 or more, got {per_dimension}")
    by_dim: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        if split is None or it.split == split:
            by_dim[it.dimension].append(it)
    if not by_dim:
        raise MedauditError(f"no items{f' in split {split}' if split else ''} to sample from")
    chosen: list[str] = []
    for dim in sorted(by_dim):
        pool = sorted(by_dim[dim], key=lambda it: it.id)
        rng = random.Random(f"{seed}:{dim}")
        by_type: dict[str, list[Item]] = defaultdict(list)
        for it in pool:
            by_type[it.type].append(it)
        want = min(per_dimension, len(pool))
        quotas = {t: want * len(v) / len(pool) for t, v in by_type.items()}
        counts = {t: int(q) for t, q in quotas.items()}
        by_remainder = sorted(quotas, key=lambda t: (counts[t] - quotas[t], t))
        for t in by_remainder[:want - sum(counts.values())]:
            counts[t] += 1
        for t in sorted(by_type):
            chosen += [it.id for it in rng.sample(by_type[t], counts[t])]
    return sorted(chosen)


def _round_inputs(root: Path, round_: int) -> dict[str, dict[str, object]]:
    records = round_inputs(root, round_)
    if not records:
        raise MedauditError(f"no blind inputs for round {round_} in {root / 'review'}; run "
                            f"`medaudit bench review export-blind --round {round_}` first")
    return records


def write_answer_sheet(root: Path, round_: int, out: Path) -> int:
    """One workbook: an `answers` sheet (a row per item, no key) and an `instructions` sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    records = _round_inputs(root, round_)
    book = Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    sheet = book.create_sheet("answers")
    sheet.append(list(SHEET_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for item_id in sorted(records):
        rec = records[item_id]
        options = rec["options"] if isinstance(rec["options"], dict) else {}
        sheet.append([item_id, rec["dimension"], rec["type"], rec["question"],
                      *(options.get(k, "") for k in "ABCDE"), "", "", ""])
    widths = {"A": 16, "B": 8, "C": 8, "D": 60, "J": 12, "K": 12, "L": 40}
    for col in "EFGHI":
        widths[col] = 28
    for col, width in widths.items():
        sheet.column_dimensions[col].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "B2"
    notes = book.create_sheet("instructions")
    for line in INSTRUCTIONS:
        notes.append([line])
    notes.column_dimensions["A"].width = 100
    with atomic_writer(out, "wb") as handle:
        book.save(handle)
    return len(records)


def _check_letters(path: Path, line: int, raw: str, rec: dict[str, object]) -> str | None:
    if raw.strip().casefold() in NO_ANSWER:
        return None
    answer = normalise_answer(raw)
    if answer is None:
        raise InputError(path, line, "blind_answer", f"empty for {rec['id']}; write the "
                         "letter(s), 无 if no option is defensible, or delete the row of an "
                         "item not answered")
    options = rec["options"] if isinstance(rec["options"], dict) else {}
    problem = answer_problem(raw, answer, options, str(rec["type"]))
    if problem:
        raise InputError(path, line, "blind_answer", f"{rec['id']}: {problem}")
    return answer


def import_answers(root: Path, round_: int, path: Path, *, force: bool = False) -> dict[str, int]:
    """Write review/blind_<DIM>[.rN].answers.jsonl from a filled-in sheet (XLSX, CSV or JSONL
    with columns id, blind_answer and optionally confidence, note); returns rows per dimension."""
    records = _round_inputs(root, round_)
    table = read_table(path)
    columns = table.resolve(["id", "blind_answer"], ["confidence", "note"])
    rows: dict[str, list[dict[str, object]]] = defaultdict(list)
    seen: dict[str, int] = {}
    for line, row in table.rows:
        item_id = cell_text(row.get(columns["id"])).strip()
        if item_id not in records:
            raise InputError(path, line, "id", f"{item_id!r} is not an item of round {round_}'s "
                             "blind inputs; do not edit the id column")
        if item_id in seen:
            raise InputError(path, line, "id", f"'{item_id}' is also on row {seen[item_id]}")
        seen[item_id] = line
        raw = cell_text(row.get(columns["blind_answer"]))
        rows[str(dimension_of(item_id))].append({
            "id": item_id, "blind_answer": _check_letters(path, line, raw, records[item_id]),
            "confidence": cell_text(row.get(columns.get("confidence", ""))).strip(),
            "note": cell_text(row.get(columns.get("note", ""))).strip()})
    if not rows:
        raise InputError(path, None, None, "no answer rows; fill one row per item (id, "
                         "blind_answer) under the header")
    sfx = round_suffix(round_)
    targets = {dim: root / "review" / f"blind_{dim}{sfx}.answers.jsonl" for dim in rows}
    existing = [p for p in targets.values() if p.exists()]
    if existing and not force:
        raise MedauditError(f"{existing[0]} already exists; pass --force to replace the answers "
                            "of this round")
    for dim, target in sorted(targets.items()):
        with atomic_writer(target) as handle:
            for rec in rows[dim]:
                handle.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return {dim: len(rows[dim]) for dim in sorted(rows)}
