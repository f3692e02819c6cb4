"""PII: no identity-card, phone, email, record or card number may appear in an item.

Items are written from scratch and must never carry real patient data (authoring.md). The check
uses medaudit's own Chinese PHI scanner (`medaudit.privacy.scan_text`) restricted to the number-
and address-like types listed in thresholds.yaml; names such as "张某", dates and hospital names
are part of realistic vignettes and not judged here. When the privacy package cannot be imported
(its Presidio extra is missing) the check falls back to the regexes in thresholds.yaml and says
so in its detail line. Findings are reported by item, field and type, never by value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from medaudit.bench.qc.base import CheckResult, Thresholds, judged
from medaudit.bench.schema import Item

# text -> [(type, start, end)] of the findings in it.
Scanner = Callable[[str], list[tuple[str, int, int]]]
SEPARATOR = "\n\n"


def make_scanner(th: Thresholds) -> tuple[Scanner, str]:
    """A function text -> [(type, start, end)] of findings, and the scanner's name."""
    conf = th["pii"]
    types = set(conf["types"])
    ignore = re.compile(conf.get("ignore_value_pattern") or r"(?!)")
    try:
        from medaudit.privacy import scan_text

        def scan(text: str) -> list[tuple[str, int, int]]:
            return [(f.type, f.start, f.end) for f in scan_text(text, types)
                    if not ignore.fullmatch(text[f.start:f.end].strip())]

        scan("检查 13800000000")  # load the recognizers now, so a broken install falls back
        return scan, "medaudit.privacy.scan_text"
    except ImportError:
        pass
    patterns = {name: re.compile(rx) for name, rx in conf["fallback_patterns"].items()}

    def scan_regex(text: str) -> list[tuple[str, int, int]]:
        return [(name, m.start(), m.end()) for name, rx in patterns.items()
                for m in rx.finditer(text) if not ignore.fullmatch(m.group(0).strip())]

    return scan_regex, "fallback regexes (medaudit.privacy not importable)"


def item_fields(item: Item, fields: Sequence[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for name in fields:
        if name == "options":
            out.extend((f"options.{k}", v) for k, v in item.options.items())
        elif name == "explanation":
            out.append((name, item.explanation))
        elif name == "question":
            out.append((name, item.question))
    return out


def run(items: Sequence[Item], th: Thresholds,
        scanner: tuple[Scanner, str] | None = None) -> list[CheckResult]:
    conf = th["pii"]
    scan, scanner_name = scanner or make_scanner(th)
    found: list[str] = []
    for it in items:
        # One scan per item (the fields joined by a blank line) is ~5x faster than one per field;
        # offsets map each finding back to its field.
        parts = item_fields(it, conf["fields"])
        starts, pos = [], 0
        for _, text in parts:
            starts.append(pos)
            pos += len(text) + len(SEPARATOR)
        hits: set[tuple[str, str]] = set()
        for typ, start, _end in scan(SEPARATOR.join(text for _, text in parts)):
            index = max(i for i, s in enumerate(starts) if s <= start)
            hits.add((parts[index][0], typ))
        found.extend(f"{it.id} {field}: {typ}" for field, typ in sorted(hits))
    limit = int(conf["max_findings"])
    return [judged("pii.patterns", len(found), len(found) <= limit,
                   f"<= {limit} findings of {', '.join(conf['types'])}",
                   detail=f"scanner: {scanner_name}", offenders=found)]
