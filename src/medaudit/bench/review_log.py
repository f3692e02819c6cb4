"""The review log: its entry format, its files per round, and what the logs say about items.

A log line records one blind read of one item (who wrote it, who read it blind, the blind answer,
the key, the verdict after adjudication). Since round 4 a line also carries `item_hash`, the hash
of the item as the round signed it off (type, question, options, key). Without it nobody can tell
whether an item was edited after its review; with it, `review_currency` lists every built item
whose current form differs from the form its latest review saw, so an edit can never silently
inherit an earlier round's agreement. Rounds 1-3 predate the hash: their lines say "not recorded"
rather than pretending to be verified.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from medaudit.bench.schema import Item
from medaudit.errors import InputError, MedauditError
from medaudit.fsutil import atomic_writer, json_object_line, read_text_strict

Verdict = Literal["agree", "key_fixed", "item_fixed", "dropped", "kept_after_adjudication"]
NEEDS_CHANGE = {"key_fixed", "item_fixed", "dropped"}
_LETTER_NOISE = re.compile(r"[\s,，、;；/]+")
_DIM_IN_ID = re.compile(r"^cmes-([A-Z]\d\d)-")


class LogEntry(BaseModel):
    """One line of review_log.jsonl (or of a draft, where `verdict` may still be null)."""

    model_config = ConfigDict(extra="forbid")

    id: str
    author: str
    reviewer: str
    blind_answer: str | None
    key: str
    agree: bool
    verdict: Verdict | None = None
    change: str = ""
    adjudicator: str | None = None
    # content_hash() of the item as this round signed it off; None in rounds before hashes.
    item_hash: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> LogEntry:
        if self.author.strip().lower() == self.reviewer.strip().lower():
            raise ValueError(f"reviewer '{self.reviewer}' is the author; the blind reader must "
                             "be someone else")
        if self.agree != (self.blind_answer == self.key):
            raise ValueError(f"agree={self.agree} but blind answer {self.blind_answer!r} vs key "
                             f"{self.key!r}")
        if self.verdict == "agree" and not self.agree:
            raise ValueError("verdict 'agree' on a disagreement; adjudicate it instead")
        if self.verdict not in (None, "agree") and not (self.adjudicator or "").strip():
            raise ValueError(f"verdict '{self.verdict}' needs an adjudicator")
        if self.verdict in NEEDS_CHANGE and not self.change.strip():
            raise ValueError(f"verdict '{self.verdict}' needs a 'change' saying what was done")
        return self


def normalise_answer(raw: object) -> str | None:
    """"a, c" -> "AC"; empty or null -> None (the reader found no defensible answer)."""
    if raw is None:
        return None
    letters = _LETTER_NOISE.sub("", str(raw)).upper()
    return "".join(sorted(letters)) or None


def answer_problem(raw: object, answer: str | None, letters: Iterable[str],
                   item_type: str) -> str | None:
    """Why a normalised blind answer cannot answer an item with these option letters, or None.
    One rule for answer files and answer sheets alike."""
    options = "".join(letters)
    if answer is None:
        return None
    if any(ch not in options for ch in answer) or len(set(answer)) != len(answer):
        return f"{raw!r} is not a set of the letters {options}"
    if item_type != "multi" and len(answer) != 1:
        return f"a {item_type} item takes one letter, got '{answer}'"
    return None


def dimension_of(item_id: str) -> str | None:
    match = _DIM_IN_ID.match(item_id)
    return match.group(1) if match else None


# ---- reading -------------------------------------------------------------------------------

def jsonl_records(path: Path) -> Iterable[tuple[int, dict[str, object]]]:
    for line_no, line in enumerate(read_text_strict(path).split("\n"), start=1):
        if not line.strip():
            continue
        yield line_no, json_object_line(line, path, line_no)


def read_log(path: Path, *, final: bool = True) -> list[LogEntry]:
    """Read a review log (or, with final=False, a draft whose verdicts may be null)."""
    entries: list[LogEntry] = []
    seen: dict[str, int] = {}
    for line_no, record in jsonl_records(path):
        try:
            entry = LogEntry.model_validate(record)
        except ValidationError as err:
            first = err.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or None
            raise InputError(path, line_no, where,
                             first["msg"].removeprefix("Value error, ")) from None
        if final and entry.verdict is None:
            raise InputError(path, line_no, "verdict", f"item {entry.id} is not adjudicated yet; "
                             "set verdict to one of " + ", ".join(Verdict.__args__))  # type: ignore[attr-defined]
        if entry.id in seen:
            raise InputError(path, line_no, "id", f"'{entry.id}' already logged on line "
                             f"{seen[entry.id]}; one entry per item")
        seen[entry.id] = line_no
        entries.append(entry)
    return entries


def write_log(path: Path, entries: Iterable[LogEntry]) -> int:
    rows = sorted(entries, key=lambda e: e.id)
    with atomic_writer(path) as handle:
        for e in rows:
            handle.write(json.dumps(e.model_dump(), ensure_ascii=False) + "\n")
    return len(rows)


def round_suffix(round_: int) -> str:
    """File-name suffix of a review round: "" for the first, ".r2" for the second, ..."""
    if round_ < 1:
        raise MedauditError(f"--round must be 1 or more, got {round_}")
    return "" if round_ == 1 else f".r{round_}"


def log_path_for(root: Path, round_: int = 1) -> Path:
    return root / f"review_log{round_suffix(round_)}.jsonl"

def content_hash(item: Item) -> str:
    """What a review vouches for: the item's type, question, options and key (not the
    explanation or references, which adjudicators may polish without a new blind read)."""
    payload = {"type": item.type, "question": item.question, "options": item.options,
               "answer": item.answer}
    text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def round_of(log_path: Path) -> int:
    """review_log.jsonl -> 1, review_log.r4.jsonl -> 4."""
    return int(log_path.stem.split(".r")[-1]) if ".r" in log_path.stem else 1


def reviewed_ids(root: Path) -> set[str]:
    """Ids with an adjudicated line in review_log.jsonl (empty when there is no log)."""
    log_path = log_path_for(root)
    if not log_path.exists():
        return set()
    return {e.id for e in read_log(log_path)}


def round_logs(root: Path) -> list[Path]:
    """review_log.jsonl, then review_log.r2.jsonl, ... (those that exist)."""
    later = sorted(root.glob("review_log.r*.jsonl"), key=round_of)
    first = log_path_for(root)
    return ([first] if first.exists() else []) + later


def latest_reviews(root: Path) -> dict[str, tuple[int, LogEntry]]:
    """Per item id, its entry in the latest round that read it, with that round's number."""
    latest: dict[str, tuple[int, LogEntry]] = {}
    for path in round_logs(root):
        number = round_of(path)
        for entry in read_log(path):
            latest[entry.id] = (number, entry)
    return latest


@dataclass
class ReviewCurrency:
    """How many items were last reviewed in exactly their current form."""

    verified: int
    unrecorded: int
    stale: list[str]
    unreviewed: list[str]


def review_currency(root: Path, items: Iterable[Item]) -> ReviewCurrency:
    """Compare each item with the hash its latest review recorded: `stale` items changed after
    that review and need a new blind round; `unrecorded` ones were last read before hashes."""
    latest = latest_reviews(root)
    verified = unrecorded = 0
    stale: list[str] = []
    unreviewed: list[str] = []
    for item in items:
        found = latest.get(item.id)
        if found is None:
            unreviewed.append(item.id)
        elif found[1].item_hash is None:
            unrecorded += 1
        elif found[1].item_hash == content_hash(item):
            verified += 1
        else:
            stale.append(f"{item.id} (round {found[0]})")
    return ReviewCurrency(verified, unrecorded, stale, unreviewed)


def dropped_ids(root: Path) -> set[str]:
    """Items any round dropped: a later blind read may find a rewritten item unsalvageable."""
    return {e.id for path in round_logs(root) for e in read_log(path) if e.verdict == "dropped"}
