"""Read and write item files (JSON Lines), with errors that name file:line:field."""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from pathlib import Path

from pydantic import ValidationError

from medaudit.bench.schema import Item
from medaudit.errors import InputError
from medaudit.fsutil import atomic_writer, json_object_line, read_text_strict

MAX_LINE_BYTES = 1 << 20


def _first_error(err: ValidationError) -> tuple[str | None, str]:
    first = err.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or None
    message = first["msg"].removeprefix("Value error, ")
    return field, message


def parse_item(record: object, path: object, line: int) -> Item:
    """Validate one decoded record into an Item, or raise InputError at path:line."""
    if not isinstance(record, dict):
        raise InputError(path, line, None, "each line must be a JSON object")
    try:
        return Item.model_validate(record)
    except ValidationError as err:
        field, message = _first_error(err)
        if field is None and "id" in record:
            field = "id"
        raise InputError(path, line, field, message) from None


def read_items(
    path: str | os.PathLike[str], *, known_dimensions: Iterable[str] | None = None
) -> list[Item]:
    """Read and validate a JSONL item file.

    `known_dimensions` (normally the taxonomy's ids) rejects CMES-shaped ids such as "E12" that
    the taxonomy lacks, so a typo cannot silently create a new dimension; dimensions of imported
    benchmarks ("safetybench.privacy") are free-form.
    """
    p = Path(path)
    text = read_text_strict(p)
    known = set(known_dimensions) if known_dimensions is not None else None
    items: list[Item] = []
    seen: dict[str, int] = {}
    for line_no, line in enumerate(text.split("\n"), start=1):
        if len(line.encode("utf-8")) > MAX_LINE_BYTES:
            raise InputError(
                p,
                line_no,
                None,
                f"line is over {MAX_LINE_BYTES // 1024} KiB; one "
                "item per line, check for a missing newline",
            )
        if not line.strip():
            continue
        item = parse_item(json_object_line(line, p, line_no), p, line_no)
        if item.id in seen:
            raise InputError(
                p,
                line_no,
                "id",
                f"duplicate id '{item.id}' (first on line {seen[item.id]}); ids must be unique",
            )
        if known is not None and item.is_cmes_dimension and item.dimension not in known:
            raise InputError(
                p,
                line_no,
                "dimension",
                f"unknown dimension '{item.dimension}'; "
                "use one of the taxonomy ids (medaudit bench taxonomy)",
            )
        seen[item.id] = line_no
        items.append(item)
    if not items:
        raise InputError(p, None, None, "contains no items")
    return items


def item_to_json(item: Item) -> str:
    return json.dumps(item.model_dump(exclude_none=True), ensure_ascii=False)


def write_items(path: str | os.PathLike[str], items: Iterable[Item]) -> int:
    """Write items atomically as JSONL; returns the count."""
    count = 0
    with atomic_writer(path) as handle:
        for item in items:
            handle.write(item_to_json(item) + "\n")
            count += 1
    return count
