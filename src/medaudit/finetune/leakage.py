"""Train/test leakage between two item sets: shared ids, shared families, near-duplicates.

Why separate from `bench.qc.leakage`: that check looks inside one benchmark's splits; a fine-tune
mixes files (CMES train, an imported set, a user's own items), so here any two sets are compared.
Near-duplicates reuse the benchmark QC's MinHash/LSH machinery (`bench.qc.dedup`): character
n-grams of the normalised question plus sorted options, candidates from LSH bands, every
candidate verified with the exact Jaccard index, so reported pairs have no false positives.
Threshold and n-gram size come from `bench/qc/thresholds.yaml` (`dedup.jaccard`, `dedup.ngram`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from medaudit.bench.qc.base import load_thresholds
from medaudit.bench.qc.dedup import (
    candidate_pairs,
    item_text,
    jaccard,
    minhash_signatures,
    shingles,
)
from medaudit.bench.schema import Item


@dataclass
class LeakageReport:
    n_train: int
    n_test: int
    jaccard_threshold: float
    ngram: int
    shared_ids: list[str] = field(default_factory=list)
    shared_families: list[str] = field(default_factory=list)
    near_duplicates: list[tuple[str, str, float]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.shared_ids or self.shared_families or self.near_duplicates)

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "n_train": self.n_train, "n_test": self.n_test,
                "jaccard_threshold": self.jaccard_threshold, "ngram": self.ngram,
                "shared_ids": self.shared_ids, "shared_families": self.shared_families,
                "near_duplicates": [{"train": a, "test": b, "jaccard": round(s, 4)}
                                    for a, b, s in self.near_duplicates]}


def near_duplicates(train: Sequence[Item], test: Sequence[Item], threshold: float, ngram: int,
                    num_perm: int, bands: int, seed: int) -> list[tuple[str, str, float]]:
    """(train id, test id, Jaccard) for every cross pair at or above the threshold."""
    items = list(train) + list(test)
    if not train or not test:
        return []
    sets = [shingles(item_text(it), ngram) for it in items]
    sigs = minhash_signatures(sets, num_perm, seed)
    boundary = len(train)
    found = []
    for i, j in sorted(candidate_pairs(sigs, bands)):
        if (i < boundary) == (j < boundary):
            continue  # both in train or both in test: not leakage
        score = jaccard(sets[i], sets[j])
        if score >= threshold:
            a, b = (i, j) if i < boundary else (j, i)
            found.append((items[a].id, items[b].id, score))
    return sorted(found)


def check_leakage(train: Sequence[Item], test: Sequence[Item],
                  threshold: float | None = None) -> LeakageReport:
    conf = load_thresholds()["dedup"]
    limit = float(conf["jaccard"]) if threshold is None else threshold
    ngram = int(conf["ngram"])
    report = LeakageReport(len(train), len(test), limit, ngram)
    report.shared_ids = sorted({it.id for it in train} & {it.id for it in test})
    train_fams = {it.family for it in train if it.family}
    report.shared_families = sorted(train_fams & {it.family for it in test if it.family})
    report.near_duplicates = near_duplicates(train, test, limit, ngram, int(conf["num_perm"]),
                                             int(conf["bands"]), int(conf["seed"]))
    return report
