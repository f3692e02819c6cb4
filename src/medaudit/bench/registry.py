"""Resolve a benchmark name or path into items, with the hash the manifest records."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from medaudit.bench.io import read_items
from medaudit.bench.schema import Item
from medaudit.bench.taxonomy import default_taxonomy
from medaudit.errors import MedauditError


def _data_dir() -> Path:
    return Path(str(resources.files("medaudit") / "data"))


def shipped() -> dict[str, Path]:
    """Named benchmarks shipped with the package. `cmes` is the full set once it lands, else the
    sample; `cmes-sample` is always the 100+-item sample used by the demo and tests."""
    cmes_dir = _data_dir() / "cmes"
    sample = cmes_dir / "sample.jsonl"
    full = cmes_dir / "items.jsonl"
    return {"cmes": full if full.exists() else sample, "cmes-sample": sample}


@dataclass(frozen=True)
class Benchmark:
    name: str
    path: Path
    sha256: str
    items: list[Item]

    def select(
        self,
        split: str | None = None,
        dimensions: list[str] | None = None,
        limit: int | None = None,
    ) -> list[Item]:
        chosen = self.items
        if split:
            chosen = [it for it in chosen if it.split == split]
        if dimensions:
            unknown = sorted(set(dimensions) - {it.dimension for it in self.items})
            if unknown:
                raise MedauditError(
                    f"--dimensions: {', '.join(unknown)} not in benchmark "
                    f"'{self.name}' (medaudit bench stats {self.path})"
                )
            chosen = [it for it in chosen if it.dimension in dimensions]
        if not chosen:
            raise MedauditError(
                f"no items in '{self.name}' match split={split} "
                f"dimensions={','.join(dimensions or []) or 'all'}"
            )
        return chosen[:limit] if limit else chosen

    def dev_pool(self) -> list[Item]:
        return [it for it in self.items if it.split == "dev"]


def load_benchmark(name_or_path: str | Path) -> Benchmark:
    """`cmes`, `cmes-sample`, or a path to a JSONL item file."""
    key = str(name_or_path)
    named = shipped()
    if key in named:
        path, name = named[key], key
    else:
        path = Path(key).expanduser()
        if not path.exists():
            raise MedauditError(
                f"benchmark '{key}' is neither a shipped name "
                f"({', '.join(named)}) nor an existing file"
            )
        name = path.stem
    items = read_items(path, known_dimensions=default_taxonomy().ids)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    return Benchmark(name=name, path=path, sha256=digest, items=items)
