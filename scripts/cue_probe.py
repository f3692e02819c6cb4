"""Per-dimension options-only cue probe for CMES (the check behind `bench qc`'s
shortcuts.options_classifier, resolved per dimension so authors know where to rewrite).

For each dimension, trains the project's options-only classifier on the 5-option single-answer
items of every other dimension plus 4/5 of this one, scores the held-out fifth, and repeats over
5 folds. Chance is 0.20; the QC limit is 0.28. Prints the n-grams that most mark a key.

    python scripts/cue_probe.py [DIM ...]        # default: every dimension file
    python scripts/cue_probe.py --items DIM ...  # also list the items whose key it finds
    python scripts/cue_probe.py --explain DIM    # and, for each of them, every option's score
                                                 # with its most key-like (+) and distractor-like
                                                 # (-) n-grams: what to rebalance
"""

from __future__ import annotations

import sys

import yaml

from medaudit.bench.build import default_root
from medaudit.bench.io import read_items
from medaudit.bench.qc.classifier import ClassifierConfig, fit_and_score


def main(dims: list[str], show_items: bool = False, explain: bool = False) -> None:
    root = default_root()
    thresholds = yaml.safe_load((root.parents[1] / "bench" / "qc" / "thresholds.yaml").read_text())
    conf = ClassifierConfig.from_dict(thresholds["shortcuts"]["classifier"])
    pool = {p.stem: [it for it in read_items(p) if it.type == "single" and len(it.options) == 5]
            for p in sorted((root / "items").glob("*.jsonl"))}
    print("| dimension | n | options-only accuracy | key-like n-grams |")
    print("|---|---|---|---|")
    for dim in dims or sorted(pool):
        mine = pool[dim]
        others = [it for d, items in pool.items() if d != dim for it in items]
        correct = 0.0
        key_ngrams: list[str] = []
        found: list[str] = []
        for fold in range(5):
            test = [it for i, it in enumerate(mine) if i % 5 == fold]
            train = others + [it for i, it in enumerate(mine) if i % 5 != fold]
            result = fit_and_score(train, test, conf, explain=explain)
            correct += result["accuracy"] * len(test)
            key_ngrams = result["key_ngrams"][:5]
            hits = [it for it in test if result["predicted"][it.id] == it.answer]
            found += [it.id for it in hits]
            for it in hits if explain else []:
                print(f"{it.id} key {it.answer}")
                for letter, (score, up, down) in result["explanations"][it.id].items():
                    mark = "*" if letter == it.answer else " "
                    print(f"  {letter}{mark} {score:+.3f}  +[{' '.join(up)}]  -[{' '.join(down)}]")
        print(f"| {dim} | {len(mine)} | {correct / len(mine):.3f} | {' '.join(key_ngrams)} |")
        if show_items:
            print(f"  keys found from the options alone ({len(found)}): {' '.join(sorted(found))}")


if __name__ == "__main__":
    args = sys.argv[1:]
    main([a for a in args if not a.startswith("--")], show_items="--items" in args,
         explain="--explain" in args)
