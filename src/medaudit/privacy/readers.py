"""Read the text fields of txt, JSONL, CSV and XLSX files, one record at a time.

Files are streamed (a 200 MB JSONL never sits in memory) and decoded strictly: a GBK file, a
binary file, an empty file or a runaway line stops the command with one line that names the file,
the line and the fix.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medaudit.errors import InputError, MedauditError
from medaudit.fsutil import BOM, guess_encoding, json_object_line

MAX_LINE_BYTES = 4 << 20
FORMATS = ("txt", "jsonl", "csv", "xlsx")
_SUFFIX = {".txt": "txt", ".md": "txt", ".text": "txt", ".jsonl": "jsonl", ".ndjson": "jsonl",
           ".json": "jsonl", ".csv": "csv", ".tsv": "csv", ".xlsx": "xlsx"}


@dataclass
class Record:
    """One document: its line (1-based; a spreadsheet row), id, and text fields by path."""

    line: int
    id: str | None
    fields: dict[str, str]
    raw: Any = None
    extra: dict[str, Any] = field(default_factory=dict)


def detect_format(path: Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise MedauditError(f"unknown format '{fmt}'; use one of {', '.join(FORMATS)}")
        return fmt
    return _SUFFIX.get(path.suffix.lower(), "txt")


def _check_file(path: Path) -> None:
    if not path.exists():
        raise InputError(path, None, None, "no such file")
    if path.is_dir():
        raise InputError(path, None, None, "is a directory, expected a file")
    if path.stat().st_size == 0:
        raise InputError(path, None, None, "is empty; there is nothing to read")


def _decode(raw: bytes, path: Path, line: int, encoding: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        guess = guess_encoding(raw)
        hint = (f"it looks like {guess}; convert it to UTF-8 or pass --encoding gb18030"
                if guess else "pass the right --encoding or convert the file to UTF-8")
        raise InputError(path, line, None, f"is not valid {encoding} text: {hint}") from None
    except LookupError:
        raise MedauditError(f"unknown encoding '{encoding}' given to --encoding") from None


def iter_lines(path: Path, encoding: str = "utf-8") -> Iterator[tuple[int, str]]:
    """Yield (line number, text without newline), refusing binary data and lines over 4 MiB."""
    _check_file(path)
    utf8 = encoding.lower().replace("-", "").replace("_", "") in ("utf8", "utf8sig")
    with path.open("rb") as handle:
        head = handle.read(8192)
        if utf8 and b"\x00" in head:
            raise InputError(path, None, None, "looks like a binary file (NUL bytes), not text")
        handle.seek(0)
        line_no = 0
        while True:
            raw = handle.readline(MAX_LINE_BYTES + 1)
            if not raw:
                break
            line_no += 1
            if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
                raise InputError(path, line_no, None, f"line is over {MAX_LINE_BYTES >> 20} MiB; "
                                 "split the document or check for a missing newline")
            if line_no == 1 and utf8 and raw.startswith(BOM):
                raw = raw[len(BOM):]
            yield line_no, _decode(raw, path, line_no, encoding).rstrip("\r\n")


def get_paths(obj: Any, dotted: str) -> list[tuple[str, Any]]:
    """Resolve `a.b.0.c` or `messages.*.content` in nested JSON; returns (concrete path, value)."""
    found: list[tuple[str, Any]] = [("", obj)]
    for part in dotted.split("."):
        nxt: list[tuple[str, Any]] = []
        for prefix, cur in found:
            def join(p: str, prefix: str = prefix) -> str:
                return f"{prefix}.{p}" if prefix else p

            if part == "*" and isinstance(cur, list):
                nxt.extend((join(str(i)), v) for i, v in enumerate(cur))
            elif isinstance(cur, dict) and part in cur:
                nxt.append((join(part), cur[part]))
            elif isinstance(cur, list) and part.isdigit() and int(part) < len(cur):
                nxt.append((join(part), cur[int(part)]))
        found = nxt
    return found


def set_path(obj: Any, dotted: str, value: str) -> None:
    """Set the value at a concrete dotted path (as returned by `get_paths`)."""
    parts = dotted.split(".")
    cur = obj
    for part in parts[:-1]:
        cur = cur[int(part)] if isinstance(cur, list) else cur[part]
    last = parts[-1]
    if isinstance(cur, list):
        cur[int(last)] = value
    else:
        cur[last] = value


def _record_id(obj: dict[str, Any]) -> str | None:
    for key in ("id", "_id", "uuid", "doc_id"):
        if key in obj and isinstance(obj[key], str | int):
            return str(obj[key])
    return None


def iter_jsonl(path: Path, text_fields: list[str] | None, encoding: str) -> Iterator[Record]:
    any_record = False
    for line_no, line in iter_lines(path, encoding):
        if not line.strip():
            continue
        obj = json_object_line(line, path, line_no)
        wanted = text_fields or (["text"] if "text" in obj else None)
        if wanted is None:
            keys = ", ".join(list(obj)[:12])
            raise InputError(path, line_no, None, "no 'text' field; pass --text-field with the "
                             f"field that holds the text (this record has: {keys})")
        fields: dict[str, str] = {}
        for spec in wanted:
            hits = get_paths(obj, spec)
            if not hits:
                keys = ", ".join(list(obj)[:12])
                raise InputError(path, line_no, spec, f"missing; check --text-field (this record "
                                 f"has: {keys})")
            for concrete, value in hits:
                if value is None:
                    continue
                if not isinstance(value, str):
                    raise InputError(path, line_no, concrete, f"is {type(value).__name__}, not "
                                     "text; point --text-field at a string field")
                fields[concrete] = value
        any_record = True
        yield Record(line_no, _record_id(obj), fields, raw=obj)
    if not any_record:
        raise InputError(path, None, None, "has no JSON records (only blank lines)")


def _check_columns(path: Path, header: list[str], columns: list[str] | None) -> list[str]:
    if not header or not any(h.strip() for h in header):
        raise InputError(path, 1, None, "has no header row; the first row must name the columns")
    if columns is None:
        return [h for h in header if h.lower() not in ("id", "_id", "uuid")]
    for col in columns:
        if col not in header:
            raise InputError(path, 1, col, f"no such column; --columns must name header columns "
                             f"(found: {', '.join(header[:20])})")
    return columns


def iter_csv(path: Path, columns: list[str] | None, encoding: str) -> Iterator[Record]:
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","

    def text_lines() -> Iterator[str]:
        for _, line in iter_lines(path, encoding):
            yield line + "\n"

    reader = csv.reader(text_lines(), delimiter=delimiter)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(path, None, None, "is empty; there is nothing to read") from None
    except csv.Error as err:
        raise InputError(path, 1, None, f"is not valid CSV ({err})") from None
    cols = _check_columns(path, header, columns)
    idx = {h: i for i, h in enumerate(header)}
    id_col = next((idx[k] for k in ("id", "_id", "uuid") if k in idx), None)
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise InputError(path, reader.line_num, None, f"is not valid CSV ({err})") from None
        if not row:
            continue
        fields = {c: row[idx[c]] for c in cols if idx[c] < len(row) and row[idx[c]]}
        rid = row[id_col] if id_col is not None and id_col < len(row) else None
        yield Record(reader.line_num, rid, fields, raw=row, extra={"header": header})


def iter_xlsx(path: Path, columns: list[str] | None) -> Iterator[Record]:
    _check_file(path)
    import zipfile

    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as err:
        raise InputError(path, None, None, f"is not a readable .xlsx workbook ({err})") from None
    try:
        ws = wb.worksheets[0]
        rows = ws.iter_rows(values_only=True)
        first = next(rows, None)
        if first is None:
            raise InputError(path, None, None, "is empty; there is nothing to read")
        header = ["" if v is None else str(v) for v in first]
        cols = _check_columns(path, header, columns)
        idx = {h: i for i, h in enumerate(header)}
        id_col = next((idx[k] for k in ("id", "_id", "uuid") if k in idx), None)
        for n, row in enumerate(rows, start=2):
            vals = ["" if v is None else str(v) for v in row]
            fields = {c: vals[idx[c]] for c in cols if idx[c] < len(vals) and vals[idx[c]]}
            rid = vals[id_col] if id_col is not None and id_col < len(vals) else None
            yield Record(n, rid or None, fields, raw=list(row), extra={"header": header})
    finally:
        wb.close()


def iter_txt(path: Path, encoding: str) -> Iterator[Record]:
    for line_no, line in iter_lines(path, encoding):
        yield Record(line_no, None, {"text": line} if line else {}, raw=line)


def iter_records(path: str | os.PathLike[str], *, fmt: str | None = None,
                 text_fields: list[str] | None = None, columns: list[str] | None = None,
                 encoding: str = "utf-8") -> Iterator[Record]:
    """Yield the records of `path` with the text fields to scan or de-identify."""
    p = Path(path)
    kind = detect_format(p, fmt)
    if kind == "jsonl":
        return iter_jsonl(p, text_fields, encoding)
    if kind == "csv":
        return iter_csv(p, columns, encoding)
    if kind == "xlsx":
        return iter_xlsx(p, columns)
    return iter_txt(p, encoding)


def csv_row_text(row: list[str], delimiter: str = ",") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerow(row)
    return buf.getvalue()
