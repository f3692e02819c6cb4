"""What every adapter shares: import options, ids, dimensions, judge items and item validation.

Adapters only read their format; `ItemBuilder` turns each row into a validated `Item` the same
way for all of them, so ids, dimensions, types and error messages cannot drift between formats.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from medaudit.bench.adapters.letters import parse_key, split_options_text
from medaudit.bench.schema import JUDGE_OPTIONS, Item
from medaudit.errors import InputError, MedauditError

_DIMENSION_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")
_SLUG_MAX = 40
_INLINE_TRAILER = re.compile(r"\s+(正确|你的|参考)?答案\s*(是|为)?\s*[:：]?\s*[(（]?\s*[)）]?\s*$")


@dataclass(frozen=True)
class ImportOptions:
    """Everything `medaudit bench import` passes to an adapter besides the input path."""

    answers: Path | None = None
    mapping: dict[str, str] | None = None
    dimension: str | None = None
    id_prefix: str | None = None
    split: str | None = None
    encoding: str = "utf-8"


@lru_cache(maxsize=1)
def adapter_data() -> dict[str, Any]:
    """The adapters' data file (category slugs, judge words, query patterns, split aliases)."""
    text = resources.files("medaudit.bench.adapters").joinpath("adapters.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def slug(label: str) -> str:
    """An ASCII slug for a source category: "Physical Health" → physical_health.

    Non-ASCII labels use the data file's table, else a stable hash ("c1a2b3c4d"), so the same
    label always lands in the same dimension.
    """
    label = label.strip()
    table: dict[str, str] = adapter_data()["categories"]
    if label in table:
        return table[label]
    if label.isascii():
        text = re.sub(r"[^a-z0-9]+", "_", label.lower()).strip("_")[:_SLUG_MAX].strip("_")
        if text:
            return text if text[0].isalpha() else f"c{text}"
    return "c" + hashlib.sha1(label.encode("utf-8")).hexdigest()[:8]


def check_dimension(value: str, *, flag: str = "--dimension") -> str:
    """Validate a user-given dimension id, refusing CMES-shaped ids the taxonomy lacks."""
    from medaudit.bench.taxonomy import default_taxonomy

    if not _DIMENSION_RE.match(value):
        raise MedauditError(f"{flag} '{value}' is not a dimension id (letters, digits, . _ : -; "
                            "starting with a letter)")
    if re.fullmatch(r"[ES]\d\d", value) and value not in default_taxonomy().ids:
        raise MedauditError(f"{flag} '{value}' is not in the taxonomy; see medaudit bench taxonomy")
    return value


def _judge_word(text: str) -> str | None:
    """"正确" or "错误" for a judge word (a trailing 。 is ignored), else None."""
    data = adapter_data()
    word = text.strip().rstrip("。.").strip()
    if word in data["judge_true"]:
        return "正确"
    if word in data["judge_false"]:
        return "错误"
    return None


def as_judge(options: dict[str, str]) -> dict[str, str] | None:
    """If the options are one true and one false word, return old letter → new letter."""
    if len(options) != 2:
        return None
    words = {letter: _judge_word(text) for letter, text in options.items()}
    if sorted(w or "" for w in words.values()) != sorted(JUDGE_OPTIONS.values()):
        return None
    to_letter = {text: letter for letter, text in JUDGE_OPTIONS.items()}
    return {letter: to_letter[word] for letter, word in words.items() if word}


@lru_cache(maxsize=1)
def _query_patterns() -> tuple[list[re.Pattern[str]], list[re.Pattern[str]]]:
    data = adapter_data()
    return ([re.compile(p) for p in data["query_preamble"]],
            [re.compile(p) for p in data["query_trailer"]])


def split_query(text: str) -> tuple[str, dict[str, str]]:
    """Stem and options from one prompt text (MedES `query`), minus instruction lines.

    Lines before the stem that only announce the task ("以下是一道多选题") are dropped, and the last
    option is cut at a trailing instruction ("答案：", "请直接回答选项字母"), so neither leaks into
    the item.
    """
    preamble_res, trailer_res = _query_patterns()
    stem, options = split_options_text(text)
    stem_lines = [ln for ln in stem.splitlines() if ln.strip()]
    while len(stem_lines) > 1 and any(p.search(stem_lines[0]) for p in preamble_res):
        stem_lines.pop(0)
    if options:
        last = max(options)
        lines = options[last].splitlines()
        for i, line in enumerate(lines):
            if i > 0 and any(p.search(line) for p in trailer_res):
                lines = lines[:i]
                break
        if lines:
            lines[0] = _INLINE_TRAILER.sub("", lines[0])
        options[last] = "\n".join(lines).strip()
    return "\n".join(stem_lines).strip(), options


@dataclass(frozen=True)
class Fields:
    """Source column names of one adapter, used to name the field in error messages."""

    question: str
    options: str
    answer: str


class ItemBuilder:
    """Build validated Items for one input file, keeping ids unique within it."""

    def __init__(self, fmt: str, path: Path, opts: ImportOptions, fields: Fields) -> None:
        self.fmt, self.path, self.opts, self.fields = fmt, path, opts, fields
        self.prefix = opts.id_prefix if opts.id_prefix is not None else fmt
        self.dimension = check_dimension(opts.dimension) if opts.dimension else None
        self._rows_by_id: dict[str, int] = {}
        self.items: list[Item] = []

    def fail(self, row: int, field: str | None, problem: str) -> InputError:
        return InputError(self.path, row, field, problem)

    def make_id(self, source_id: object, question: str, options: dict[str, str]) -> str:
        """"<prefix>-<source id>" when the source has ids, else a hash of stem and options."""
        text = "" if source_id is None else str(source_id).strip()
        if not text:
            blob = json.dumps([question, options], ensure_ascii=False, sort_keys=True)
            text = hashlib.sha256(blob.encode("utf-8")).hexdigest()[:12]
        return f"{self.prefix}-{text}" if self.prefix else text

    @staticmethod
    def _answer(key: object, judge: dict[str, str] | None) -> str:
        """The key as letters; for judge items a word key (对/错) or the source's letter order."""
        if judge is None:
            return parse_key(key)
        word = _judge_word(str(key)) if key is not None else None
        if word is not None:
            return next(k for k, v in JUDGE_OPTIONS.items() if v == word)
        answer = parse_key(key)
        if all(ch in judge for ch in answer):
            answer = "".join(sorted(judge[ch] for ch in answer))
        return answer

    def make_dimension(self, category: str | None) -> str:
        if self.dimension:
            return self.dimension
        if category and category.strip():
            return f"{self.fmt}.{slug(category)}"
        return self.fmt

    def add(self, row: int, *, question: str, options: dict[str, str], key: object,
            source_id: object = None, category: str | None = None, explanation: str = "",
            dimension: str | None = None, extra: dict[str, object] | None = None) -> Item:
        """Validate one row and append it; every problem names file:row:field."""
        question = question.strip()
        if not question:
            raise self.fail(row, self.fields.question, "the question is empty")
        if len(options) < 2:
            raise self.fail(row, self.fields.options, f"found {len(options)} option(s), need at "
                            "least two labelled A, B, …")
        for letter, text in options.items():
            if not text.strip():
                raise self.fail(row, self.fields.options, f"option {letter} is empty")
        judge = as_judge(options)
        try:
            answer = self._answer(key, judge)
        except ValueError as err:
            raise self.fail(row, self.fields.answer, f"answer {err}") from None
        if judge is not None:
            options = dict(JUDGE_OPTIONS)
            if len(answer) != 1:
                raise self.fail(row, self.fields.answer, f"a judge item (正确/错误) has one key "
                                f"letter, got '{answer}'")
        missing = [ch for ch in answer if ch not in options]
        if missing:
            raise self.fail(row, self.fields.answer, f"answer '{answer}' names "
                            f"{''.join(missing)}, not among the options {''.join(options)}")
        item_type = "judge" if judge is not None else ("single" if len(answer) == 1 else "multi")
        item_id = self.make_id(source_id, question, options)
        record: dict[str, object] = {
            "id": item_id, "type": item_type, "question": question, "options": options,
            "answer": answer, "explanation": explanation.strip(),
            "dimension": self.dimension or dimension or self.make_dimension(category),
            "source": f"imported:{self.fmt}", "split": self.opts.split,
        }
        if category and category.strip():
            record["subtopic"] = category.strip()
        record.update(extra or {})
        if self.opts.split is not None:  # --split wins over a split column or a dev file
            record["split"] = self.opts.split
        try:
            item = Item.model_validate(record)
        except ValidationError as err:
            first = err.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or None
            raise self.fail(row, field, first["msg"].removeprefix("Value error, ")) from None
        if item.id in self._rows_by_id:
            first_row = self._rows_by_id[item.id]
            raise self.fail(row, "id", f"id '{item.id}' is also produced by row {first_row}; "
                            "ids must be unique (remove the duplicate row, or fix the source id)")
        self._rows_by_id[item.id] = row
        self.items.append(item)
        return item
