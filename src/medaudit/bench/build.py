"""Build data/cmes/items.jsonl from the per-dimension authoring files, with seeded splits.

Authors write data/cmes/items/<DIM>.jsonl without `split`; this module merges them, drops the
items the review log marks `dropped`, and assigns train/dev/test (default 60/10/30). Splits are
made over *groups*, never items: a group is a family (items sharing a vignette or generator
template) joined with every other family that shares a generator fact id, so neither a case nor
a fact can appear on both sides of a fine-tuning experiment. Groups are placed largest first
(ties in a seeded random order) into the split that least increases the squared distance between
the achieved and the target counts of every (dimension, type) cell they touch: stratified by
dimension and type, deterministic from the seed, recorded in splits.json.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medaudit.bench.io import item_to_json, read_items
from medaudit.bench.qc.base import family_of
from medaudit.bench.review import dimension_files, read_dimension
from medaudit.bench.review_log import dropped_ids, reviewed_ids, round_logs
from medaudit.bench.schema import Item
from medaudit.errors import InputError, MedauditError
from medaudit.fsutil import atomic_writer

SPLITS = ("train", "dev", "test")
DEFAULT_RATIOS = {"train": 0.6, "dev": 0.1, "test": 0.3}
DEFAULT_SEED = 20240601
METHOD = ("greedy stratified group assignment, per dimension with a seed of (seed, dimension): "
          "groups = families joined by shared generator fact ids; largest group first, equal "
          "sizes in seeded random order; each group goes "
          "to the split that least increases the squared deviation from target counts over its "
          "(dimension, type) cells")


@dataclass
class BuildResult:
    items: list[Item]
    splits: dict[str, Any]
    dropped: list[str] = field(default_factory=list)
    overridden: int = 0


def default_root() -> Path:
    """The shipped benchmark directory (src/medaudit/data/cmes; `data` links to it)."""
    import medaudit

    return Path(medaudit.__file__).parent / "data" / "cmes"


def _groups(items: Sequence[Item]) -> list[list[Item]]:
    """Union-find over families and generator fact ids."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    for it in items:
        fam = "family:" + family_of(it)
        find(fam)
        if it.source.startswith("generated:") and "@" in it.source:
            union(fam, "fact:" + it.source.rsplit("@", 1)[1])
    members: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        members[find("family:" + family_of(it))].append(it)
    return [sorted(g, key=lambda it: it.id) for _, g in sorted(members.items())]


def assign_splits(items: Sequence[Item], seed: int,
                  ratios: dict[str, float] | None = None) -> dict[str, str]:
    """{item id: split}; the same items, seed and ratios always give the same answer.

    Each dimension is split on its own, with its own seeded order, so adding, reviewing or
    dropping items of one dimension never moves another dimension's items between splits: a
    baseline measured on one dimension's test items stays valid while the benchmark grows.
    """
    ratios = ratios or DEFAULT_RATIOS
    total = sum(ratios.values())
    if set(ratios) != set(SPLITS) or total <= 0 or any(v < 0 for v in ratios.values()):
        raise MedauditError(f"split ratios must give train, dev and test non-negative shares, "
                            f"got {ratios}")
    by_partition: dict[str, list[list[Item]]] = defaultdict(list)
    for group in _groups(items):
        by_partition["+".join(sorted({it.dimension for it in group}))].append(group)
    out: dict[str, str] = {}
    for partition, groups in sorted(by_partition.items()):
        out.update(_assign_partition(groups, random.Random(f"{seed}:{partition}"), ratios, total))
    return out


def _assign_partition(groups: list[list[Item]], rng: random.Random, ratios: dict[str, float],
                      total: float) -> dict[str, str]:
    cell_totals: Counter[tuple[str, str]] = Counter(
        (it.dimension, str(it.type)) for group in groups for it in group)
    target = {s: {c: n * ratios[s] / total for c, n in cell_totals.items()} for s in SPLITS}
    current: dict[str, Counter[tuple[str, str]]] = {s: Counter() for s in SPLITS}
    groups = list(groups)
    rng.shuffle(groups)
    groups.sort(key=len, reverse=True)  # stable: equal sizes keep the seeded order
    out: dict[str, str] = {}
    for group in groups:
        cells: Counter[tuple[str, str]] = Counter((it.dimension, str(it.type)) for it in group)

        def cost(split: str, cells: Counter[tuple[str, str]] = cells) -> float:
            cur, tgt = current[split], target[split]
            return sum((cur[c] + n - tgt[c]) ** 2 - (cur[c] - tgt[c]) ** 2
                       for c, n in cells.items())

        order = list(SPLITS)
        rng.shuffle(order)
        best = min(order, key=cost)
        current[best].update(cells)
        for it in group:
            out[it.id] = best
    return out


def collect(root: Path, reviewed_only: bool = False
            ) -> tuple[list[Item], list[str], dict[str, str], int]:
    """Authoring items (review-dropped ones removed), the dropped ids, input file hashes and,
    with `reviewed_only`, how many items were left out because the review log lacks them."""
    files = dimension_files(root)
    if not files:
        raise MedauditError(f"no item files in {root / 'items'}; authors write <DIM>.jsonl there")
    dropped = dropped_ids(root)
    reviewed = reviewed_ids(root) if reviewed_only else None
    unreviewed = 0
    items: list[Item] = []
    seen: dict[str, Path] = {}
    hashes: dict[str, str] = {}
    removed: list[str] = []
    for dim, path in files.items():
        hashes[f"items/{dim}.jsonl"] = hashlib.sha256(path.read_bytes()).hexdigest()
        for it in read_dimension(path):
            if it.id in seen:
                raise InputError(path, None, "id", f"id '{it.id}' is also in {seen[it.id].name}")
            seen[it.id] = path
            if it.id in dropped:
                removed.append(it.id)
                continue
            if reviewed is not None and it.id not in reviewed:
                unreviewed += 1
                continue
            items.append(it)
    for log in round_logs(root):
        hashes[log.name] = hashlib.sha256(log.read_bytes()).hexdigest()
    return items, sorted(removed), hashes, unreviewed


def composition(items: Sequence[Item]) -> dict[str, dict[str, dict[str, int]]]:
    table: dict[str, dict[str, dict[str, int]]] = {}
    for it in sorted(items, key=lambda x: (x.dimension, x.type)):
        cell = table.setdefault(it.dimension, {}).setdefault(it.type, {s: 0 for s in SPLITS})
        cell[it.split or "none"] = cell.get(it.split or "none", 0) + 1
    return table


def build(root: Path, seed: int = DEFAULT_SEED, ratios: dict[str, float] | None = None,
          reviewed_only: bool = False) -> BuildResult:
    """Merge, split and return the benchmark; nothing is written (see `write`).

    `reviewed_only` builds only items that have a line in review_log.jsonl, so a benchmark
    still being written ships only items a second reader has checked."""
    ratios = ratios or DEFAULT_RATIOS
    total = sum(ratios.values()) or 1.0
    ratios = {s: round(v / total, 6) for s, v in ratios.items()}
    items, dropped, hashes, unreviewed = collect(root, reviewed_only)
    if not items:
        raise MedauditError("every item was dropped by the review log; nothing to build")
    overridden = sum(1 for it in items if it.split is not None)
    assigned = assign_splits(items, seed, ratios)
    built = sorted((it.model_copy(update={"split": assigned[it.id]}) for it in items),
                   key=lambda it: it.id)
    counts: Counter[str] = Counter(str(it.split) for it in built)
    families = {family_of(it) for it in built}
    body = "".join(item_to_json(it) + "\n" for it in built).encode("utf-8")
    splits = {
        "seed": seed, "method": METHOD, "ratios": ratios,
        "n_items": len(built), "n_families": len(families), "n_groups": len(_groups(built)),
        "counts": {s: counts.get(s, 0) for s in SPLITS},
        "shares": {s: round(counts.get(s, 0) / len(built), 4) for s in SPLITS},
        "by_dimension_type": composition(built),
        "dropped": dropped, "inputs": hashes,
        "reviewed_only": reviewed_only, "left_out_unreviewed": unreviewed,
        "items_sha256": hashlib.sha256(body).hexdigest(),
    }
    return BuildResult(built, splits, dropped, overridden)


def write(root: Path, result: BuildResult) -> Path:
    """Write items.jsonl and splits.json atomically; returns the items path."""
    out = root / "items.jsonl"
    with atomic_writer(out) as handle:
        for it in result.items:
            handle.write(item_to_json(it) + "\n")
    with atomic_writer(root / "splits.json") as handle:
        handle.write(json.dumps(result.splits, ensure_ascii=False, indent=2) + "\n")
    return out


def is_current(root: Path, result: BuildResult) -> bool:
    """True when items.jsonl on disk equals what `build` would write now."""
    path = root / "items.jsonl"
    if not path.exists():
        return False
    on_disk = [item_to_json(it) for it in read_items(path)]
    return on_disk == [item_to_json(it) for it in result.items]
