"""Per-dimension options-only cue probe for CMES (the check behind `bench qc`'s
shortcuts.options_classifier, resolved per dimension so authors know where to rewrite).

For each dimension, trains the project's options-only classifier on the 5-option single-answer
items of every other dimension plus 4/5 of this one, scores the held-out fifth, and repeats over
5 folds. Chance is 0.20; the QC limit is 0.28. Besides top-1 accuracy it prints how often the key
is among the classifier's top two options (chance 0.40) and the accuracy of a second classifier
on character 2-4-grams: rewriters tune options against the first one, so the second one, never
used while rewriting, shows whether a cue was removed or only hidden from that one model; a
third on jieba words and word pairs, a model of another kind, was added after the last rewrite
pass and never shown to a rewriter.

    python scripts/cue_probe.py [DIM ...]        # default: every dimension file
    python scripts/cue_probe.py --items DIM ...  # also list the items whose key it finds
    python scripts/cue_probe.py --explain DIM    # and, for each of them, every option's score
                                                 # with its most key-like (+) and distractor-like
                                                 # (-) n-grams: what to rebalance
    python scripts/cue_probe.py --explain-check DIM   # the same for the 2-4-gram check probe
"""

from __future__ import annotations

import dataclasses
import sys
from collections.abc import Sequence

import yaml

from medaudit.bench.build import default_root
from medaudit.bench.io import read_items
from medaudit.bench.qc.classifier import ClassifierConfig, fit_and_score
from medaudit.bench.schema import Item

FOLDS = 5
CHECK_NGRAMS = (2, 4)


def cross_validate(mine: Sequence[Item], others: Sequence[Item], conf: ClassifierConfig,
                   explain: bool = False) -> tuple[float, float, list[str], list[dict]]:
    """Top-1 accuracy, key-in-top-2 rate, key-like n-grams and per-fold results."""
    top1 = top2 = 0.0
    folds: list[dict] = []
    for fold in range(FOLDS):
        test = [it for i, it in enumerate(mine) if i % FOLDS == fold]
        train = [*others, *(it for i, it in enumerate(mine) if i % FOLDS != fold)]
        result = fit_and_score(train, test, conf, explain=explain)
        top1 += result["accuracy"] * len(test)
        top2 += sum(1 for it in test if result["key_rank"][it.id] <= 2)
        folds.append({"test": test, **result})
    return top1 / len(mine), top2 / len(mine), folds[-1]["key_ngrams"][:5], folds


def main(dims: list[str], show_items: bool = False, explain: bool = False,
         explain_check: bool = False) -> None:
    root = default_root()
    thresholds = yaml.safe_load((root.parents[1] / "bench" / "qc" / "thresholds.yaml").read_text())
    conf = ClassifierConfig.from_dict(thresholds["shortcuts"]["classifier"])
    check = dataclasses.replace(conf, ngram_min=CHECK_NGRAMS[0], ngram_max=CHECK_NGRAMS[1])
    words = dataclasses.replace(conf, analyzer="word", ngram_min=1, ngram_max=2)
    pool = {p.stem: [it for it in read_items(p) if it.type == "single" and len(it.options) == 5]
            for p in sorted((root / "items").glob("*.jsonl"))}
    print("| dimension | n | options-only accuracy (QC probe) | key in top 2 (chance 0.40) | "
          f"check probe, {CHECK_NGRAMS[0]}-{CHECK_NGRAMS[1]}-grams | held-out probe, words | "
          "key-like n-grams |")
    print("|---|---|---|---|---|---|---|")
    for dim in dims or sorted(pool):
        mine = pool[dim]
        others = [it for d, items in pool.items() if d != dim for it in items]
        top1, top2, key_ngrams, folds = cross_validate(mine, others, conf, explain)
        check_top1, _, _, check_folds = cross_validate(mine, others, check, explain_check)
        words_top1, _, _, _ = cross_validate(mine, others, words)
        if explain_check:
            folds = check_folds
        found: list[str] = []
        for result in folds:
            hits = [it for it in result["test"] if result["predicted"][it.id] == it.answer]
            found += [it.id for it in hits]
            for it in hits if explain or explain_check else []:
                print(f"{it.id} key {it.answer}")
                for letter, (score, up, down) in result["explanations"][it.id].items():
                    mark = "*" if letter == it.answer else " "
                    print(f"  {letter}{mark} {score:+.3f}  +[{' '.join(up)}]  -[{' '.join(down)}]")
        print(f"| {dim} | {len(mine)} | {top1:.3f} | {top2:.3f} | {check_top1:.3f} | "
              f"{words_top1:.3f} | {' '.join(key_ngrams)} |")
        if show_items:
            print(f"  keys found from the options alone ({len(found)}): {' '.join(sorted(found))}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main([a for a in args if not a.startswith("--")], show_items="--items" in args,
         explain="--explain" in args, explain_check="--explain-check" in args)
