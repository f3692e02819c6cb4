"""Run every check family over an item set and collect one report.

The order of families is the order of the table: form first (schema), then what makes scores
meaningless (duplicates, leakage), then what makes them misleading (balance, shortcuts,
lengths), then what makes the file unshippable (PII).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medaudit.bench.io import read_items
from medaudit.bench.qc import balance, dedup, leakage, lengths, pii, schema, shortcuts
from medaudit.bench.qc.base import CheckResult, Thresholds, load_thresholds
from medaudit.bench.schema import Item
from medaudit.bench.taxonomy import default_taxonomy
from medaudit.errors import InputError

Family = Callable[[Sequence[Item], Thresholds], list[CheckResult]]
FAMILIES: dict[str, Family] = {
    "schema": schema.run, "dedup": dedup.run, "leakage": leakage.run, "balance": balance.run,
    "shortcuts": shortcuts.run, "lengths": lengths.run, "pii": pii.run,
}


@dataclass
class QCReport:
    """All results for one item set; `ok` is False when any check failed."""

    source: str
    n_items: int
    results: list[CheckResult]
    elapsed_s: float = 0.0
    meta: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not any(r.status == "fail" for r in self.results)

    def counts(self) -> dict[str, int]:
        out = {"pass": 0, "fail": 0, "skipped": 0}
        for r in self.results:
            out[r.status] += 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "n_items": self.n_items, "ok": self.ok,
                "counts": self.counts(), "elapsed_s": round(self.elapsed_s, 2),
                "results": [r.to_dict() for r in self.results], **self.meta}


def load_items(path: str | Path) -> list[Item]:
    """Items of one JSONL file, or of every *.jsonl in a directory (ids unique across files)."""
    p = Path(path)
    known = default_taxonomy().ids
    if not p.is_dir():
        return read_items(p, known_dimensions=known)
    files = sorted(p.glob("*.jsonl"))
    if not files:
        raise InputError(p, None, None, "holds no *.jsonl item files")
    items: list[Item] = []
    seen: dict[str, Path] = {}
    for f in files:
        for it in read_items(f, known_dimensions=known):
            if it.id in seen:
                raise InputError(f, None, "id", f"id '{it.id}' is also in {seen[it.id]}; ids "
                                 "must be unique across files")
            seen[it.id] = f
            items.append(it)
    return items


def run_qc(items: Sequence[Item], thresholds: Thresholds | None = None, *,
           families: Sequence[str] | None = None, source: str = "") -> QCReport:
    th = thresholds or load_thresholds()
    chosen = list(families) if families else list(FAMILIES)
    unknown = [f for f in chosen if f not in FAMILIES]
    if unknown:
        from medaudit.errors import MedauditError

        raise MedauditError(f"unknown check family {', '.join(unknown)}; choose from "
                            f"{', '.join(FAMILIES)}")
    start = time.perf_counter()
    results: list[CheckResult] = []
    for name in chosen:
        results.extend(FAMILIES[name](items, th))
    return QCReport(source, len(items), results, time.perf_counter() - start)
