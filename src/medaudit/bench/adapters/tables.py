"""Read CSV, XLSX, JSONL and JSON inputs as rows numbered the way the user sees them.

Row numbers in errors must match what the user opens: for CSV the line where the record starts
(a quoted cell with newlines spans several lines), for XLSX the sheet's row number (blank rows are
skipped but still counted), for JSONL the line, for a JSON array the line where the element
starts. Column names are matched case- and whitespace-insensitively, and `--map` renames them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from medaudit.errors import InputError, MedauditError
from medaudit.fsutil import decode_strict, json_object_line, read_text_strict

Record = dict[str, object]
TABLE_SUFFIXES = (".csv", ".tsv", ".xlsx", ".xlsm", ".jsonl", ".json")


@dataclass
class Table:
    """Rows of one input file; `columns` are the header names as found."""

    path: Path
    columns: list[str]
    rows: list[tuple[int, Record]] = field(default_factory=list)
    header_line: int = 1

    def resolve(self, required: list[str], optional: list[str],
                mapping: dict[str, str] | None = None) -> dict[str, str]:
        """Map each wanted field to a column of this file, or raise naming what is missing.

        `mapping` (from `--map field=column`) overrides the default of a column named like the
        field. Returns {field: column} for required fields and the optional ones present.
        """
        mapping = dict(mapping or {})
        known = set(required) | set(optional)
        unknown = sorted(set(mapping) - known)
        if unknown:
            raise MedauditError(f"--map: unknown field '{unknown[0]}'; this format reads "
                                f"{', '.join(required + optional)}")
        by_key = {_key(c): c for c in self.columns}
        resolved: dict[str, str] = {}
        missing: list[str] = []
        for name in required + optional:
            wanted = mapping.get(name, name)
            column = by_key.get(_key(wanted))
            if column is not None:
                resolved[name] = column
            elif name in required or name in mapping:
                missing.append(wanted)
        if missing:
            found = ", ".join(f"'{c}'" for c in self.columns) or "none"
            hint = (f"rename the column or pass --map {_first_field(missing[0], mapping)}="
                    "<column>")
            raise InputError(self.path, self.header_line, missing[0],
                             f"missing column '{missing[0]}' (columns found: {found}); {hint}")
        return resolved


def _first_field(column: str, mapping: dict[str, str]) -> str:
    for name, col in mapping.items():
        if col == column:
            return name
    return column


def _key(name: str) -> str:
    return "".join(name.split()).casefold()


def cell_text(value: object) -> str:
    """A cell as text: None → "", 3.0 → "3", dates in ISO form."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def read_table(path: Path, *, encoding: str = "utf-8") -> Table:
    """Read a tabular input by its suffix; unsupported or unreadable files raise InputError."""
    suffix = path.suffix.lower()
    if not path.exists():
        raise InputError(path, None, None, "no such file")
    if path.is_dir():
        raise InputError(path, None, None, "is a directory, expected a file")
    if suffix in (".csv", ".tsv"):
        return _read_csv(path, encoding, "\t" if suffix == ".tsv" else ",")
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(path)
    if suffix == ".jsonl":
        return _read_jsonl(path, encoding)
    if suffix == ".json":
        return _read_json_table(path, encoding)
    if suffix == ".xls":
        raise InputError(path, None, None, "old Excel .xls files are not supported; save it as "
                         ".xlsx or CSV (UTF-8)")
    raise InputError(path, None, None, f"unsupported file type '{suffix or path.name}'; use "
                     f"{', '.join(TABLE_SUFFIXES)}")


def _read_csv(path: Path, encoding: str, delimiter: str) -> Table:
    text = decode_strict(path.read_bytes(), path, encoding=encoding, allow_bom=True)
    text = text.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    header: list[str] | None = None
    table = Table(path, [])
    prev = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise InputError(path, prev + 1, None, f"malformed CSV ({err}); check for an "
                             "unclosed or stray double quote") from None
        start, prev = prev + 1, reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if header is None:
            header = [c.strip() for c in cells]
            _check_header(path, start, header)
            table.columns, table.header_line = header, start
            continue
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            raise InputError(path, start, None, f"has {len(cells)} cells but the header has "
                             f"{len(header)}; quote cells that contain '{delimiter}'")
        record: Record = {col: (cells[i] if i < len(cells) else "") for i, col in enumerate(header)}
        table.rows.append((start, record))
    if header is None:
        raise InputError(path, None, None, "is empty; expected a header row and items")
    return table


def _check_header(path: Path, line: int, header: list[str]) -> None:
    seen: set[str] = set()
    for name in header:
        if not name:
            continue
        if _key(name) in seen:
            raise InputError(path, line, name, f"column '{name}' appears twice in the header; "
                             "rename one")
        seen.add(_key(name))


def _read_xlsx(path: Path) -> Table:
    import openpyxl  # lazy: only XLSX inputs need it

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as err:  # any failure to open is a bad input file, not a bug
        raise InputError(path, None, None, f"cannot be read as .xlsx ({type(err).__name__}); "
                         "re-save it from Excel as .xlsx or export CSV (UTF-8)") from None
    try:
        sheet = book.worksheets[0]
        header: list[str] | None = None
        table = Table(path, [])
        # min_row=1 makes openpyxl yield blank rows too, so the count equals the sheet's row number
        for row_no, values in enumerate(sheet.iter_rows(min_row=1, values_only=True), start=1):
            cells = [cell_text(v) for v in values]
            if not any(c.strip() for c in cells):
                continue
            if header is None:
                header = [c.strip() for c in cells]
                while header and not header[-1]:
                    header.pop()
                _check_header(path, row_no, header)
                table.columns, table.header_line = header, row_no
                continue
            table.rows.append((row_no, {col: (cells[i] if i < len(cells) else "")
                                        for i, col in enumerate(header) if col}))
    finally:
        book.close()
    if header is None:
        raise InputError(path, None, None, "the first sheet is empty; expected a header row")
    return table


def _read_jsonl(path: Path, encoding: str) -> Table:
    text = read_text_strict(path, encoding=encoding, allow_bom=True).removeprefix("\ufeff")
    table = Table(path, [])
    columns: dict[str, None] = {}
    for line_no, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        record = json_object_line(line, path, line_no)
        columns.update(dict.fromkeys(record))
        table.rows.append((line_no, record))
    table.columns = list(columns)
    return table


def _read_json_table(path: Path, encoding: str) -> Table:
    from medaudit.bench.adapters.jsonpos import load_json_records

    table = Table(path, [])
    columns: dict[str, None] = {}
    for line_no, _group, record in load_json_records(path, encoding=encoding):
        columns.update(dict.fromkeys(record))
        table.rows.append((line_no, record))
    table.columns = list(columns)
    return table
