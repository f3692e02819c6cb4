"""Exact and near duplicates: MinHash over character n-grams, LSH banding, exact verification.

Why this shape: a benchmark of 12,000 Chinese items cannot compare all 72 million pairs in
Python, and word segmentation is unreliable on clinical text, so each item becomes a set of
character n-grams of its normalised question plus its sorted options (order-shuffled copies are
still copies). MinHash signatures (universal hashing of CRC32 shingle ids, numpy) are cut into
bands; items sharing any band are candidates, and every candidate pair is then checked with the
exact Jaccard index, so the reported pairs have no false positives. With 32 bands of 4 rows a pair
at Jaccard 0.8 becomes a candidate with probability 1 - (1 - 0.8^4)^32 > 0.9999.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections import defaultdict
from collections.abc import Sequence
from itertools import combinations
from typing import Any

from medaudit.bench.qc.base import CheckResult, Thresholds, judged, skipped, split_state
from medaudit.bench.schema import Item

_PUNCT_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)
_MERSENNE = (1 << 61) - 1


def normalise(text: str) -> str:
    """NFKC, lower case, punctuation and whitespace removed: formatting never hides a copy."""
    return _PUNCT_SPACE.sub("", unicodedata.normalize("NFKC", text).lower())


def item_text(item: Item) -> str:
    return normalise(item.question) + "|" + "|".join(sorted(normalise(t)
                                                            for t in item.options.values()))


def shingles(text: str, n: int) -> set[int]:
    """CRC32 ids of the character n-grams of `text` (the whole text when shorter than n)."""
    if len(text) <= n:
        return {zlib.crc32(text.encode("utf-8"))}
    return {zlib.crc32(text[i:i + n].encode("utf-8")) for i in range(len(text) - n + 1)}


def jaccard(a: set[int], b: set[int]) -> float:
    return len(a & b) / len(a | b) if a or b else 1.0


def minhash_signatures(sets: Sequence[set[int]], num_perm: int, seed: int) -> Any:
    """(len(sets), num_perm) uint64 signatures: min over (a*x + b) mod p for each permutation."""
    import numpy as np

    rng = np.random.default_rng(seed)
    # a, b < 2^32 and x < 2^32 keep a*x + b below 2^64: no overflow before the mod.
    a = rng.integers(1, 1 << 32, size=num_perm, dtype=np.uint64)
    b = rng.integers(0, 1 << 32, size=num_perm, dtype=np.uint64)
    sigs = np.empty((len(sets), num_perm), dtype=np.uint64)
    for row, shingle_set in enumerate(sets):
        x = np.fromiter(shingle_set, dtype=np.uint64, count=len(shingle_set))[:, None]
        sigs[row] = ((x * a + b) % np.uint64(_MERSENNE)).min(axis=0)
    return sigs


def candidate_pairs(sigs: Any, bands: int) -> set[tuple[int, int]]:
    n, num_perm = sigs.shape
    rows = num_perm // bands
    pairs: set[tuple[int, int]] = set()
    for band in range(bands):
        buckets: dict[bytes, list[int]] = defaultdict(list)
        chunk = sigs[:, band * rows:(band + 1) * rows]
        for idx in range(n):
            buckets[chunk[idx].tobytes()].append(idx)
        for members in buckets.values():
            if len(members) > 1:
                pairs.update(combinations(members, 2))
    return pairs


def near_duplicate_pairs(items: Sequence[Item], th: Thresholds) -> list[tuple[int, int, float]]:
    """(i, j, jaccard) for every pair at or above the threshold, i < j, sorted."""
    conf = th["dedup"]
    sets = [shingles(item_text(it), int(conf["ngram"])) for it in items]
    if len(sets) < 2:
        return []
    sigs = minhash_signatures(sets, int(conf["num_perm"]), int(conf["seed"]))
    limit = float(conf["jaccard"])
    found = []
    for i, j in sorted(candidate_pairs(sigs, int(conf["bands"]))):
        score = jaccard(sets[i], sets[j])
        if score >= limit:
            found.append((i, j, score))
    return found


def exact_duplicate_groups(items: Sequence[Item]) -> list[list[str]]:
    groups: dict[str, list[str]] = defaultdict(list)
    for it in items:
        groups[hashlib.sha256(item_text(it).encode("utf-8")).hexdigest()].append(it.id)
    return sorted(sorted(g) for g in groups.values() if len(g) > 1)


def run(items: Sequence[Item], th: Thresholds) -> list[CheckResult]:
    conf = th["dedup"]
    exact = exact_duplicate_groups(items)
    n_exact = sum(len(g) * (len(g) - 1) // 2 for g in exact)
    results = [judged("dedup.exact", n_exact, n_exact <= int(conf["max_exact_pairs"]),
                      f"<= {conf['max_exact_pairs']} pairs with identical question and options",
                      offenders=[" = ".join(g) for g in exact])]
    pairs = near_duplicate_pairs(items, th)
    limit = f"Jaccard >= {conf['jaccard']} on {conf['ngram']}-grams"
    cross = [(i, j, s) for i, j, s in pairs if items[i].split != items[j].split]
    within = [(i, j, s) for i, j, s in pairs if items[i].split == items[j].split]

    def show(found: list[tuple[int, int, float]]) -> list[str]:
        return [f"{items[i].id} ~ {items[j].id} ({s:.2f})" for i, j, s in found]

    max_near = int(conf["max_near_pairs"])
    same_family = sum(1 for i, j, _ in within if items[i].family and
                      items[i].family == items[j].family)
    results.append(judged("dedup.near_within_split", len(within), len(within) <= max_near,
                          f"<= {max_near} pairs at {limit}",
                          detail=f"{same_family} of them share a family" if within else "",
                          offenders=show(within)))
    reason = split_state(items)
    if reason:
        results.append(skipped("dedup.near_across_splits", f"<= {max_near} pairs", reason))
    else:
        results.append(judged("dedup.near_across_splits", len(cross), len(cross) <= max_near,
                              f"<= {max_near} pairs at {limit}", offenders=show(cross)))
    return results
