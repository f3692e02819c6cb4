"""Schema-level checks beyond what `Item` already validates: ids, references, explanations, form.

`bench.io.read_items` has already rejected malformed JSON, bad keys and duplicate ids within one
file; these checks hold the CMES authoring rules (docs/benchmark/authoring.md) that a valid
`Item` may still break: an id that names another dimension, a key without a cited norm, a
four-option single item, a catch-all option such as "以上都对".
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from medaudit.bench.qc.base import CheckResult, Thresholds, judged, skipped
from medaudit.bench.schema import Item
from medaudit.bench.taxonomy import default_taxonomy


def check_ids(items: Sequence[Item], th: Thresholds) -> list[CheckResult]:
    pattern = re.compile(th["schema"]["id_pattern"])
    counts = Counter(it.id for it in items)
    dups = sorted(i for i, n in counts.items() if n > 1)
    bad: list[str] = []
    for it in items:
        match = pattern.match(it.id)
        if not match or match.groupdict().get("dimension", it.dimension) != it.dimension:
            bad.append(it.id)
    return [
        judged("schema.ids_unique", len(dups), not dups, "0 duplicate ids", offenders=dups),
        judged("schema.id_format", len(bad), not bad,
               f"0 ids not matching {pattern.pattern} (dimension must match)", offenders=bad),
    ]


def check_dimensions(items: Sequence[Item]) -> CheckResult:
    known = set(default_taxonomy().ids)
    bad = [it.id for it in items if it.dimension not in known]
    return judged("schema.dimension_known", len(bad), not bad, "0 items outside the taxonomy",
                  offenders=bad)


def check_references(items: Sequence[Item], th: Thresholds) -> list[CheckResult]:
    min_refs = int(th["schema"]["min_references"])
    min_chars = int(th["schema"]["min_explanation_chars"])
    no_refs = [it.id for it in items if len(it.references) < min_refs]
    no_locator = [it.id for it in items if it.references
                  and not any((r.locator or r.url or "").strip() for r in it.references)]
    thin = [it.id for it in items if len(it.explanation.strip()) < min_chars]
    return [
        judged("schema.references", len(no_refs), not no_refs,
               f"0 items with fewer than {min_refs} reference(s)", offenders=no_refs),
        judged("schema.reference_locator", len(no_locator), not no_locator,
               "0 items whose references all lack a locator (article, section) or URL",
               offenders=no_locator),
        judged("schema.explanation", len(thin), not thin,
               f"0 explanations under {min_chars} characters", offenders=thin),
    ]


def check_form(items: Sequence[Item], th: Thresholds) -> list[CheckResult]:
    conf = th["schema"]
    n_single = int(conf["single_option_count"])
    wrong_count = [it.id for it in items if it.type == "single" and len(it.options) != n_single]
    no_family = [it.id for it in items if not it.family] if conf.get("require_family") else []
    src_re = re.compile(conf["source_pattern"])
    bad_source = [it.id for it in items if not src_re.match(it.source)]
    catch = [re.compile(p, re.IGNORECASE) for p in conf["catch_all_option_patterns"]]
    catch_all = [f"{it.id}:{letter}" for it in items if it.type != "judge"
                 for letter, text in it.options.items()
                 if any(p.search(text.strip()) for p in catch)]
    dup_opts = [it.id for it in items
                if len({t.strip() for t in it.options.values()}) < len(it.options)]
    return [
        judged("schema.single_options", len(wrong_count), not wrong_count,
               f"0 single items without {n_single} options", offenders=wrong_count),
        judged("schema.family", len(no_family), not no_family, "0 items without a family",
               offenders=no_family),
        judged("schema.source", len(bad_source), not bad_source,
               "0 sources other than authored or generated:<generator>@<fact-id>",
               offenders=bad_source),
        judged("schema.catch_all_options", len(catch_all), not catch_all,
               "0 options like 以上都对/都不对", offenders=catch_all),
        judged("schema.repeated_options", len(dup_opts), not dup_opts,
               "0 items with two identical options", offenders=dup_opts),
    ]


def check_splits(items: Sequence[Item]) -> CheckResult:
    missing = [it.id for it in items if it.split is None]
    threshold = "every item has a split, or none has"
    if len(missing) == len(items):
        return skipped("schema.splits", threshold, "no splits")
    return judged("schema.splits", len(missing), not missing, threshold, offenders=missing)


def run(items: Sequence[Item], th: Thresholds) -> list[CheckResult]:
    return [*check_ids(items, th), check_dimensions(items), *check_references(items, th),
            *check_form(items, th), check_splits(items)]
