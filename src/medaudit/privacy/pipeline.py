"""File-level scan and de-identification on top of `readers`, `engine` and `deid`.

The CLI and other medaudit modules call these; they stream records, so memory stays bounded by
the largest single record, and every output goes through `atomic_writer`.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from medaudit.fsutil import atomic_writer
from medaudit.privacy.deid import DeidState, deidentify_text
from medaudit.privacy.engine import scan_text
from medaudit.privacy.finding import Finding, mask_snippet
from medaudit.privacy.readers import Record, csv_row_text, detect_format, iter_records, set_path


@dataclass(frozen=True)
class ReadOptions:
    """How to read an input: format, text fields (JSONL), columns (CSV/XLSX), encoding."""

    fmt: str | None = None
    text_fields: list[str] | None = None
    columns: list[str] | None = None
    encoding: str = "utf-8"


@dataclass(frozen=True)
class FileFinding:
    """A finding located in a file: record line, id, field, and a masked snippet."""

    file: str
    line: int
    id: str | None
    field: str
    finding: Finding
    snippet: str

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, "id": self.id, "field": self.field,
                "start": self.finding.start, "end": self.finding.end, "type": self.finding.type,
                "score": round(self.finding.score, 3)}


@dataclass
class ScanStats:
    records: int = 0
    chars: int = 0
    counts: Counter[str] = field(default_factory=Counter)


def scan_file(path: str | os.PathLike[str], opts: ReadOptions, types: set[str] | None = None,
              stats: ScanStats | None = None) -> Iterator[FileFinding]:
    """Yield every finding of every text field of every record of `path`, in file order."""
    for rec in iter_records(path, fmt=opts.fmt, text_fields=opts.text_fields,
                            columns=opts.columns, encoding=opts.encoding):
        if stats is not None:
            stats.records += 1
        for name, text in rec.fields.items():
            found = scan_text(text, types)
            if stats is not None:
                stats.chars += len(text)
                stats.counts.update(f.type for f in found)
            for f in found:
                yield FileFinding(str(path), rec.line, rec.id, name, f,
                                  mask_snippet(text, f, found))


@dataclass(frozen=True)
class DeidOptions:
    strategy: str = "tag"
    types: set[str] | None = None
    shift_dates: bool = False
    seed: int | None = None


def _deid_records(src: Path, kind: str, opts: ReadOptions, deid: DeidOptions, stats: ScanStats,
                  mappings: list[dict[str, Any]] | None) -> Iterator[Record]:
    """Yield each record of `src` with its text fields replaced in `rec.raw`."""
    file_state = DeidState.seeded(None if deid.seed is None else f"{deid.seed}:file")
    for rec in iter_records(src, fmt=opts.fmt, text_fields=opts.text_fields,
                            columns=opts.columns, encoding=opts.encoding):
        stats.records += 1
        state = file_state if kind == "txt" else DeidState.seeded(
            None if deid.seed is None else f"{deid.seed}:{rec.line}")
        header = rec.extra.get("header")
        for name, text in rec.fields.items():
            new, mapping = deidentify_text(text, deid.strategy, deid.types,
                                           shift_dates=deid.shift_dates, state=state)
            stats.chars += len(text)
            stats.counts.update(str(m["type"]) for m in mapping)
            if mappings is not None:
                mappings.extend({"line": rec.line, "id": rec.id, "field": name, **m}
                                for m in mapping)
            if kind == "jsonl":
                set_path(rec.raw, name, new)
            elif header is not None:
                rec.raw[header.index(name)] = new
            else:
                rec.raw = new
        yield rec


def deid_file(path: str | os.PathLike[str], output: str | os.PathLike[str],
              opts: ReadOptions, deid: DeidOptions,
              mapping_path: str | os.PathLike[str] | None = None) -> ScanStats:
    """De-identify `path` into `output` atomically; optionally write the mapping (mode 0600).

    A txt file is one document (one state, one date offset); a JSONL/CSV/XLSX record is one
    document. Per-record seeds derive from `deid.seed` and the record's line, so a rerun with the
    same seed gives the same output. The mapping is the re-identification key: it is written only
    when asked, readable by its owner only, and never logged.
    """
    src = Path(path)
    kind = detect_format(src, opts.fmt)
    stats = ScanStats()
    mappings: list[dict[str, Any]] | None = [] if mapping_path is not None else None
    records = _deid_records(src, kind, opts, deid, stats, mappings)
    if kind == "xlsx":
        _write_xlsx(Path(output), records)
    else:
        with atomic_writer(output) as out:
            _write_text(kind, records, out)
    if mapping_path is not None and mappings is not None:
        with atomic_writer(mapping_path, file_mode=0o600) as mout:
            for m in mappings:
                mout.write(json.dumps(m, ensure_ascii=False) + "\n")
    return stats


def _write_text(kind: str, records: Iterator[Record], out: IO[str]) -> None:
    header_written = False
    for rec in records:
        if kind == "jsonl":
            out.write(json.dumps(rec.raw, ensure_ascii=False) + "\n")
        elif kind == "csv":
            if not header_written:
                out.write(csv_row_text(rec.extra["header"]))
                header_written = True
            out.write(csv_row_text(rec.raw))
        else:
            out.write(str(rec.raw) + "\n")


def _write_xlsx(output: Path, records: Iterator[Record]) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("deidentified")
    first = True
    for rec in records:
        if first:
            ws.append(rec.extra["header"])
            first = False
        ws.append(rec.raw)
    with atomic_writer(output, "wb", encoding=None) as handle:
        wb.save(handle)
