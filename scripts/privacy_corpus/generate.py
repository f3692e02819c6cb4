"""Generate the labelled Chinese PHI corpus (data/privacy/{dev,test}.jsonl) and its count table.

Usage (from the repository root):
    .venv/bin/python scripts/privacy_corpus/generate.py            # write dev.jsonl, test.jsonl
    .venv/bin/python scripts/privacy_corpus/generate.py --stats    # print the datasheet tables
    .venv/bin/python scripts/privacy_corpus/generate.py --out DIR  # write elsewhere (tests)

The same seed always gives the same bytes. Offsets come from the renderer as values are inserted;
`check_document` then re-validates every span (exact text, checksums, age >= 90) and the run stops
on the first inconsistency instead of writing a corpus with a bad label.
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))
sys.path.insert(1, str(ROOT / "src"))

from persona import build_context  # noqa: E402
from render import Renderer, expand, expand_macros  # noqa: E402
from values import ValueFactory, id_check_digit, luhn_check_digit  # noqa: E402

from medaudit.fsutil import atomic_writer  # noqa: E402

SEED = 20240611
DOCS_PER_KIND = 70
DEV_SHARE = 0.4
TYPES = ("PERSON", "CN_ID_CARD", "PHONE", "EMAIL", "ADDRESS", "MEDICAL_RECORD_NUMBER",
         "INSURANCE_ID", "BANK_CARD", "PASSPORT", "LICENSE_PLATE", "SOCIAL_HANDLE", "IP_ADDRESS",
         "URL", "DATE", "AGE_OVER_89", "ORGANIZATION")
KIND_FILES = {"入院记录": "admission", "病程记录": "progress", "出院小结": "discharge",
              "门诊病历": "outpatient", "影像报告": "imaging", "检验报告": "lab",
              "转诊单": "referral", "医患在线问诊对话": "chat",
              "临床研究病例报告表": "crf", "医保理赔单": "claim"}
HZ_VALUES = {c: i for i, c in enumerate("〇一二三四五六七八九")}


def load_yaml(path: Path) -> Any:
    """Read one YAML data file of the generator."""
    with path.open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def hz_to_int(s: str) -> int:
    """Parse the Chinese numerals written by render.hz_number (九十二, 一百零一)."""
    total, cur = 0, 0
    for ch in s:
        if ch == "百":
            total += (cur or 1) * 100
            cur = 0
        elif ch == "十":
            total += (cur or 1) * 10
            cur = 0
        elif ch == "零":
            continue
        else:
            cur = HZ_VALUES[ch]
    return total + cur


def check_document(doc: dict[str, Any]) -> None:
    """Raise ValueError if any span is empty, overlapping, padded or fails its type's check."""
    text = doc["text"]
    for mark in ("<<", ">>", "{{", "}}", "[[", "]]"):
        if mark in text:
            raise ValueError(f"{doc['id']}: unrendered mark {mark!r}")
    prev_end = -1
    for span in doc["spans"]:
        s, e, t = span["start"], span["end"], span["type"]
        value = text[s:e]
        if t not in TYPES or not value or value != value.strip() or s < prev_end:
            raise ValueError(f"{doc['id']}: bad span {span} -> {value!r}")
        prev_end = e
        if t == "CN_ID_CARD" and len(value) == 18 and id_check_digit(value[:17]) != value[17]:
            raise ValueError(f"{doc['id']}: ID {value} fails GB 11643")
        if t == "BANK_CARD":
            digits = value.replace(" ", "")
            if luhn_check_digit(digits[:-1]) != digits[-1]:
                raise ValueError(f"{doc['id']}: card {value} fails Luhn")
        if t == "AGE_OVER_89":
            age = int(value) if value.isdigit() else hz_to_int(value)
            if age < 90:
                raise ValueError(f"{doc['id']}: age {value} under 90")


def render_document(vf: ValueFactory, template: dict[str, Any], kind: str,
                    cases: list[dict[str, Any]], pools: dict[str, Any]) -> dict[str, Any]:
    """Draw an encounter, expand one template for it and return text plus spans."""
    rng = vf.rng
    allowed = template.get("cases")
    ages = template.get("ages")
    pool = [c for c in cases if (not allowed or c["id"] in allowed)
            and (not ages or (c["ages"][0] <= ages[1] and c["ages"][1] >= ages[0]))]
    case = rng.choice(pool)
    ctx, macros = build_context(vf, case, kind, ages)
    raw = expand({"seq": template["parts"]}, rng)
    raw = expand_macros(raw, {**pools, **macros}, rng)
    text, spans = Renderer(ctx, rng).render(raw)
    if text != text.lstrip():
        raise ValueError(f"template {template['id']} renders leading whitespace")
    return {"kind": kind, "text": text.rstrip(),
            "spans": [{"start": s.start, "end": s.end, "type": s.type} for s in spans],
            "_template": template["id"]}


def generate(seed: int = SEED, per_kind: int = DOCS_PER_KIND) -> dict[str, list[dict[str, Any]]]:
    """Build every document, split each template's documents 40/60 and number them per split."""
    rng = random.Random(seed)
    vf = ValueFactory(rng, load_yaml(HERE / "data" / "values.yaml"))
    clinical = load_yaml(HERE / "data" / "clinical.yaml")
    cases = clinical.pop("cases")
    splits: dict[str, list[dict[str, Any]]] = {"dev": [], "test": []}
    for kind, stem in KIND_FILES.items():
        templates = load_yaml(HERE / "templates" / f"{stem}.yaml")["templates"]
        by_template: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for i in range(per_kind):
            tpl = templates[i % len(templates)]
            by_template[tpl["id"]].append(render_document(vf, tpl, kind, cases, clinical))
        for docs in by_template.values():
            n_dev = round(len(docs) * DEV_SHARE)
            splits["dev"].extend(docs[:n_dev])
            splits["test"].extend(docs[n_dev:])
    for name, docs in splits.items():
        random.Random(f"{seed}-{name}").shuffle(docs)
        for i, doc in enumerate(docs, 1):
            doc["id"] = f"phi-{name}-{i:04d}"
            check_document(doc)
    return splits


def write_split(docs: list[dict[str, Any]], path: Path) -> None:
    """Write one split as JSON Lines (id, kind, text, spans), atomically."""
    with atomic_writer(path, file_mode=0o644) as handle:
        for doc in docs:
            row = {"id": doc["id"], "kind": doc["kind"], "text": doc["text"], "spans": doc["spans"]}
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")


def read_split(path: Path) -> list[dict[str, Any]]:
    """Read a written split back for the statistics."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def stats_tables(splits: dict[str, list[dict[str, Any]]]) -> str:
    """Markdown tables: spans (and documents containing the type) per type per split, kinds."""
    names = list(splits)
    span_counts = {n: Counter(s["type"] for d in splits[n] for s in d["spans"]) for n in names}
    doc_counts = {n: Counter(t for d in splits[n] for t in {s["type"] for s in d["spans"]})
                  for n in names}
    lines = ["| type | " + " | ".join(f"{n} spans (docs)" for n in names) + " | total spans |",
             "|---|" + "---:|" * (len(names) + 1)]
    for t in TYPES:
        cells = [f"{span_counts[n][t]} ({doc_counts[n][t]})" for n in names]
        total = sum(span_counts[n][t] for n in names)
        lines.append(f"| {t} | " + " | ".join(cells) + f" | {total} |")
    totals = [str(sum(span_counts[n].values())) for n in names]
    lines.append("| **all spans** | " + " | ".join(totals) + f" | {sum(map(int, totals))} |")
    lines += ["", "| kind | " + " | ".join(f"{n} docs" for n in names) + " | total |",
              "|---|" + "---:|" * (len(names) + 1)]
    kinds = {n: Counter(d["kind"] for d in splits[n]) for n in names}
    for kind in KIND_FILES:
        lines.append(f"| {kind} | " + " | ".join(str(kinds[n][kind]) for n in names)
                     + f" | {sum(kinds[n][kind] for n in names)} |")
    lines.append("| **all** | " + " | ".join(str(len(splits[n])) for n in names)
                 + f" | {sum(len(v) for v in splits.values())} |")
    lines += ["", hard_negative_table(splits)]
    chars = {n: sum(len(d["text"]) for d in splits[n]) for n in names}
    lines += ["", "characters: " + ", ".join(f"{n} {chars[n]}" for n in names)]
    return "\n".join(lines)


def hard_negative_table(splits: dict[str, list[dict[str, Any]]]) -> str:
    """Markdown table: unlabelled look-alikes per category (hits, documents) per split."""
    patterns = {name: re.compile(rx) for name, rx in
                load_yaml(HERE / "data" / "negatives_report.yaml").items()}
    names = list(splits)
    lines = ["| hard negative (unlabelled) | " + " | ".join(f"{n} hits (docs)" for n in names)
             + " |", "|---|" + "---:|" * len(names)]
    for label, rx in patterns.items():
        cells = []
        for n in names:
            hits = docs = 0
            for doc in splits[n]:
                found = [m for m in rx.finditer(doc["text"])
                         if not any(s["start"] < m.end() and m.start() < s["end"]
                                    for s in doc["spans"])]
                hits += len(found)
                docs += bool(found)
            cells.append(f"{hits} ({docs})")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command-line entry: generate (default) or print the statistics of the written corpus."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "data" / "privacy")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--stats", action="store_true", help="print tables of the written files")
    args = parser.parse_args(argv)
    if args.stats:
        splits = {n: read_split(args.out / f"{n}.jsonl") for n in ("dev", "test")}
    else:
        splits = generate(args.seed)
        for name, docs in splits.items():
            write_split(docs, args.out / f"{name}.jsonl")
    print(stats_tables(splits))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
