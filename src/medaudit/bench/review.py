"""Independent key review: blind export, comparison with the key, and the review log.

Every CMES item is answered by a reader who is not its author and sees neither key, explanation
nor references (`export-blind`); `compare` lists where the blind answer differs from the key and
drafts one log entry per item; an adjudicator settles each disagreement in the draft; `apply-log`
merges drafts into data/cmes/review_log.jsonl and checks that the log covers every item. The
datasheet reports the blind agreement rate per dimension from that log, so the log, not anyone's
memory, is the evidence that keys were checked.

An item rewritten after its blind read (say, to remove option-wording cues) was last seen blind
in another form, so its key needs a new blind read: a later *round* (`--round 2`) exports just
those items (`--ids`), and keeps its own files (blind_<DIM>.r2.*, draft_<DIM>.r2.log.jsonl,
review_log.r2.jsonl) beside round 1's, which stays the record of the first read.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from medaudit.bench.io import read_items
from medaudit.bench.review_log import (
    LogEntry,
    answer_problem,
    content_hash,
    dimension_of,
    jsonl_records,
    log_path_for,
    normalise_answer,
    read_log,
    round_suffix,
    write_log,
)
from medaudit.bench.schema import Item
from medaudit.bench.taxonomy import default_taxonomy
from medaudit.errors import InputError, MedauditError
from medaudit.fsutil import atomic_writer, read_text_strict

BLIND_FIELDS = ("id", "dimension", "type", "question", "options")


def read_ids(path: Path) -> set[str]:
    """Item ids, one per line (blank lines and # comments ignored), for a later review round."""
    ids: set[str] = set()
    for line_no, line in enumerate(read_text_strict(path).split("\n"), start=1):
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if dimension_of(text) is None:
            raise InputError(path, line_no, None, f"{text!r} is not a CMES item id like "
                             "cmes-E01-00001; write one id per line")
        ids.add(text)
    return ids


def dimension_files(root: Path, dims: Sequence[str] | None = None) -> dict[str, Path]:
    """The authoring files data/cmes/items/<DIM>.jsonl that exist (all, or those named)."""
    known = default_taxonomy().ids
    if dims:
        bad = [d for d in dims if d not in known]
        if bad:
            raise MedauditError(f"unknown dimension {', '.join(bad)}; use taxonomy ids like E01")
        return {d: root / "items" / f"{d}.jsonl" for d in dims}
    return {p.stem: p for p in sorted((root / "items").glob("*.jsonl")) if p.stem in known}


def read_dimension(path: Path) -> list[Item]:
    items = read_items(path, known_dimensions=default_taxonomy().ids)
    for it in items:
        if it.dimension != path.stem:
            raise InputError(path, None, "dimension", f"item {it.id} has dimension "
                             f"{it.dimension} in {path.name}; move it to {it.dimension}.jsonl")
    return items


# ---- export-blind --------------------------------------------------------------------------

def blind_record(item: Item) -> dict[str, object]:
    data = item.model_dump()
    return {k: data[k] for k in BLIND_FIELDS}


def export_blind(root: Path, dims: Sequence[str] | None = None, *, round_: int = 1,
                 ids: set[str] | None = None) -> dict[str, int]:
    """Write review/blind_<DIM>[.rN].input.jsonl per dimension (only `ids` when given, and only
    dimensions with such items); returns items per dimension."""
    files = dimension_files(root, dims)
    if not files:
        raise MedauditError(f"no item files in {root / 'items'}; write <DIM>.jsonl files first")
    sfx = round_suffix(round_)
    counts: dict[str, int] = {}
    known: set[str] = set()
    for dim, path in files.items():
        items = sorted(read_dimension(path), key=lambda it: it.id)
        known.update(it.id for it in items)
        if ids is not None:
            items = [it for it in items if it.id in ids]
            if not items:
                continue
        with atomic_writer(root / "review" / f"blind_{dim}{sfx}.input.jsonl") as handle:
            for it in items:
                handle.write(json.dumps(blind_record(it), ensure_ascii=False) + "\n")
        counts[dim] = len(items)
    if ids is not None and dims is None and ids - known:
        raise MedauditError(f"{len(ids - known)} id(s) to export are in no items/<DIM>.jsonl "
                            f"file, e.g. {sorted(ids - known)[0]}; check the id list")
    return counts


# ---- compare -------------------------------------------------------------------------------

@dataclass
class Comparison:
    dimension: str
    n_items: int
    entries: list[LogEntry] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)

    @property
    def disagreements(self) -> list[LogEntry]:
        return [e for e in self.entries if not e.agree]

    @property
    def agreement(self) -> float | None:
        return sum(e.agree for e in self.entries) / len(self.entries) if self.entries else None


def read_answers(path: Path, items: dict[str, Item]) -> dict[str, tuple[str | None, str]]:
    """{id: (normalised blind answer, note)}, each answer checked against its item's options."""
    out: dict[str, tuple[str | None, str]] = {}
    for line_no, rec in jsonl_records(path):
        item_id = rec.get("id")
        if not isinstance(item_id, str) or item_id not in items:
            raise InputError(path, line_no, "id", f"{item_id!r} is not an item of this dimension")
        if item_id in out:
            raise InputError(path, line_no, "id", f"'{item_id}' answered twice; keep one line")
        raw = rec.get("blind_answer")
        answer = normalise_answer(raw)
        problem = answer_problem(raw, answer, items[item_id].options, items[item_id].type)
        if problem:
            raise InputError(path, line_no, "blind_answer", problem)
        out[item_id] = (answer, str(rec.get("note") or ""))
    return out


def compare(root: Path, dim: str, *, author: str, reviewer: str,
            round_: int = 1) -> Comparison:
    """Compare blind answers with keys and write review/draft_<DIM>[.rN].log.jsonl for
    adjudication. A later round covers the items of its blind input file only."""
    if author.strip().lower() == reviewer.strip().lower():
        raise MedauditError(f"--reviewer '{reviewer}' is the author; blind review needs a "
                            "second reader")
    sfx = round_suffix(round_)
    path = dimension_files(root, [dim])[dim]
    items = {it.id: it for it in read_dimension(path)}
    if round_ > 1:
        exported = _ids_in(root / "review" / f"blind_{dim}{sfx}.input.jsonl")
        items = {k: v for k, v in items.items() if k in exported}
    answers_path = root / "review" / f"blind_{dim}{sfx}.answers.jsonl"
    answers = read_answers(answers_path, items)
    result = Comparison(dim, len(items))
    for item_id in sorted(items):
        if item_id not in answers:
            result.missing.append(item_id)
            continue
        blind, note = answers[item_id]
        key = items[item_id].answer
        agree = blind == key
        result.entries.append(LogEntry(id=item_id, author=author, reviewer=reviewer,
                                       blind_answer=blind, key=key, agree=agree,
                                       verdict="agree" if agree else None,
                                       item_hash=content_hash(items[item_id])))
        if note:
            result.notes[item_id] = note
    with atomic_writer(root / "review" / f"draft_{dim}{sfx}.log.jsonl") as handle:
        for e in result.entries:
            row = e.model_dump()
            if not e.agree:
                row["note"] = result.notes.get(e.id, "")  # reviewer's note, for the adjudicator
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return result


# ---- apply-log -----------------------------------------------------------------------------

@dataclass
class LogCheck:
    n_entries: int
    problems: list[str]
    by_dimension: dict[str, dict[str, float | int | None]]
    merged: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def merge_drafts(log: list[LogEntry], drafts: Sequence[Path]) -> tuple[list[LogEntry], int]:
    by_id = {e.id: e for e in log}
    merged = 0
    for draft in drafts:
        for line_no, rec in jsonl_records(draft):
            rec.pop("note", None)  # the reviewer's note was for the adjudicator
            try:
                entry = LogEntry.model_validate(rec)
            except ValidationError as err:
                first = err.errors()[0]
                raise InputError(draft, line_no, ".".join(str(p) for p in first["loc"]) or None,
                                 first["msg"].removeprefix("Value error, ")) from None
            if entry.verdict is None:
                raise InputError(draft, line_no, "verdict", f"item {entry.id} is not "
                                 "adjudicated yet; set verdict and adjudicator")
            by_id[entry.id] = entry
            merged += 1
    return list(by_id.values()), merged


def agreement_by_dimension(entries: Iterable[LogEntry]) -> dict[str, dict[str, float | int | None]]:
    """Per dimension: n, blind_agree (blind answer == key), agreement rate, count per verdict."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for e in entries:
        dim = dimension_of(e.id) or "?"
        counts[dim]["n"] += 1
        counts[dim]["blind_agree"] += int(e.agree)
        counts[dim][f"verdict:{e.verdict or 'pending'}"] += 1
    out: dict[str, dict[str, float | int | None]] = {}
    for dim in sorted(counts):
        c = counts[dim]
        out[dim] = {**dict(c), "agreement": c["blind_agree"] / c["n"] if c["n"] else None}
    return out


def _ids_in(path: Path) -> set[str]:
    return {str(rec["id"]) for _, rec in jsonl_records(path)}


def round_inputs(root: Path, round_: int) -> dict[str, dict[str, object]]:
    """{item id: blind record} over the round's review/blind_<DIM>[.rN].input.jsonl files
    (round 1's pattern also matches later rounds' names, hence the count of dots)."""
    sfx = round_suffix(round_)
    paths = sorted(p for p in (root / "review").glob(f"blind_*{sfx}.input.jsonl")
                   if p.name.count(".") == (3 if sfx else 2))
    return {str(rec["id"]): rec for path in paths for _, rec in jsonl_records(path)}


def round_ids(root: Path, round_: int) -> set[str]:
    """The items a later round exported for a blind read (its blind_<DIM>.rN.input.jsonl)."""
    return set(round_inputs(root, round_))


def authored_items(root: Path) -> dict[str, Item]:
    authored: dict[str, Item] = {}
    for path in dimension_files(root).values():
        authored.update({it.id: it for it in read_dimension(path)})
    return authored


def sign_off(entries: Sequence[LogEntry], signed: set[str],
             items: dict[str, Item]) -> tuple[list[LogEntry], list[str]]:
    """Record the hash of each newly adjudicated item as the round leaves it. An item fixed in
    adjudication is signed in its fixed form; one kept as read must still be what the reader
    saw (compare wrote that hash into the draft), else it was edited after the blind read and
    is reported, keeping the hash of what was read so the log stays stale until a new round."""
    out: list[LogEntry] = []
    problems: list[str] = []
    for entry in entries:
        item = items.get(entry.id)
        if entry.id not in signed or item is None or entry.verdict == "dropped":
            out.append(entry)
        elif entry.verdict in ("key_fixed", "item_fixed"):
            out.append(entry.model_copy(update={"item_hash": content_hash(item)}))
        else:
            if entry.item_hash is not None and entry.item_hash != content_hash(item):
                problems.append(f"{entry.id}: changed after its blind read ({entry.verdict}); "
                                "re-read it blind in a new round, or log the change as "
                                "item_fixed")
            out.append(entry)
    return out, problems


def check_log(root: Path, entries: Sequence[LogEntry], round_: int = 1,
              authored: dict[str, Item] | None = None) -> list[str]:
    """Coverage and consistency problems between the log and the item files (a later round:
    only the items it exported). `authored`: the item files, when the caller has read them."""
    problems: list[str] = []
    by_id = {e.id: e for e in entries}
    if authored is None:
        authored = authored_items(root)
    if round_ > 1:
        wanted = round_ids(root, round_)
        authored = {k: v for k, v in authored.items() if k in wanted}
    for item_id, item in sorted(authored.items()):
        entry = by_id.get(item_id)
        if entry is None:
            problems.append(f"{item_id}: no review log entry")
        elif entry.verdict in ("agree", "kept_after_adjudication") and entry.key != item.answer:
            problems.append(f"{item_id}: key is {item.answer} but the log reviewed {entry.key} "
                            f"({entry.verdict}); log the change")
        elif entry.verdict == "key_fixed" and entry.key == item.answer:
            problems.append(f"{item_id}: verdict key_fixed but the key is still {item.answer}")
    built = root / "items.jsonl"
    if built.exists() and round_ == 1:
        for it in read_items(built):
            entry = by_id.get(it.id)
            if entry is None:
                problems.append(f"{it.id} (items.jsonl): no review log entry")
            elif entry.verdict == "dropped":
                problems.append(f"{it.id} (items.jsonl): verdict dropped but the item is still "
                                "built; run medaudit bench build")
    for item_id in sorted(set(by_id) - set(authored)):
        if by_id[item_id].verdict != "dropped":
            problems.append(f"{item_id}: logged but in no items/<DIM>.jsonl file"
                            + (f" or round-{round_} blind input" if round_ > 1 else ""))
    return problems


def apply_log(root: Path, drafts: Sequence[Path] = (), round_: int = 1) -> LogCheck:
    """Merge adjudicated drafts into review_log[.rN].jsonl, then check coverage against the
    items (a later round: against the items it exported)."""
    log_path = log_path_for(root, round_)
    entries = read_log(log_path) if log_path.exists() else []
    merged = 0
    signing: list[str] = []
    authored = authored_items(root)
    if drafts:
        entries, merged = merge_drafts(entries, drafts)
        signed = {str(rec["id"]) for draft in drafts for _, rec in jsonl_records(draft)}
        entries, signing = sign_off(entries, signed, authored)
        write_log(log_path, entries)
    if not entries:
        raise MedauditError(f"{log_path} is missing or empty; pass adjudicated draft files "
                            "(review/draft_<DIM>.log.jsonl) to apply-log")
    problems = signing + check_log(root, entries, round_, authored)
    return LogCheck(len(entries), problems, agreement_by_dimension(entries), merged)


