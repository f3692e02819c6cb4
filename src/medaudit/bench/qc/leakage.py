"""Split leakage: families cut across splits, unmarked shared vignettes, shared generator facts.

A model fine-tuned on train must not have seen a test item's vignette or the fact row a test
item was generated from. `family` is the declared grouping; the two heuristics catch what the
declaration missed: questions in different families that open with the same long prefix (the
same case text pasted twice), and generated items whose `source` names the same fact id.
All three need splits; without them they are skipped, not passed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from medaudit.bench.qc.base import (
    CheckResult,
    Thresholds,
    family_of,
    judged,
    skipped,
    split_state,
)
from medaudit.bench.qc.dedup import normalise
from medaudit.bench.schema import Item


def _spanning(groups: dict[str, list[Item]]) -> list[str]:
    """Group keys whose items fall in more than one split, with the splits named."""
    out = []
    for key, members in sorted(groups.items()):
        splits = sorted({it.split or "none" for it in members})
        if len(splits) > 1:
            out.append(f"{key}: {'/'.join(splits)} ({len(members)} items)")
    return out


def run(items: Sequence[Item], th: Thresholds) -> list[CheckResult]:
    conf = th["leakage"]
    reason = split_state(items)
    chars = int(conf["shared_prefix_chars"])
    t_fam = f"<= {conf['max_leaking_families']} families in more than one split"
    t_pre = (f"<= {conf['max_shared_prefix_groups']} groups of questions sharing their first "
             f"{chars} characters across splits and families")
    t_fact = f"<= {conf['max_shared_fact_ids']} generator fact ids in more than one split"
    if reason:
        return [skipped("leakage.families", t_fam, reason),
                skipped("leakage.shared_vignette", t_pre, reason),
                skipped("leakage.generator_facts", t_fact, reason)]
    families: dict[str, list[Item]] = defaultdict(list)
    prefixes: dict[str, list[Item]] = defaultdict(list)
    facts: dict[str, list[Item]] = defaultdict(list)
    for it in items:
        families[family_of(it)].append(it)
        norm = normalise(it.question)
        if len(norm) >= chars:
            prefixes[norm[:chars]].append(it)
        if it.source.startswith("generated:") and "@" in it.source:
            facts[it.source.rsplit("@", 1)[1]].append(it)
    fam_bad = _spanning(families)
    # A shared prefix inside one family is the intended vignette reuse; across families it leaks.
    pre_bad = [line for key, members in sorted(prefixes.items())
               if len({family_of(it) for it in members}) > 1
               for line in _spanning({"/".join(sorted(it.id for it in members)): members})]
    fact_bad = _spanning(facts)
    return [
        judged("leakage.families", len(fam_bad), len(fam_bad) <= int(conf["max_leaking_families"]),
               t_fam, detail=f"{len(families)} families", offenders=fam_bad),
        judged("leakage.shared_vignette", len(pre_bad),
               len(pre_bad) <= int(conf["max_shared_prefix_groups"]), t_pre, offenders=pre_bad),
        judged("leakage.generator_facts", len(fact_bad),
               len(fact_bad) <= int(conf["max_shared_fact_ids"]), t_fact,
               detail=f"{len(facts)} fact ids", offenders=fact_bad),
    ]
