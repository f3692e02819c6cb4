"""SafetyBench (zh/en): a questions JSON list and a separate answers JSON.

Questions: [{id, question, options: [2–4 strings], category}]. Answers: {id: {category, answer}}
or the submission form {id: answer}, where answer is a 0-based index (0→A). The dev files
({category: [{question, options, answer, …}]}) carry answers inline and import as split "dev".
Options are plain texts, so nothing that looks like a label is stripped from them.
"""

from __future__ import annotations

import re
from pathlib import Path

from medaudit.bench.adapters.common import Fields, ImportOptions, ItemBuilder
from medaudit.bench.adapters.jsonpos import load_json, load_json_records
from medaudit.bench.adapters.letters import index_to_letter
from medaudit.bench.schema import LETTERS, Item
from medaudit.errors import InputError, MedauditError
from medaudit.fsutil import read_text_strict

FORMAT = "safetybench"


def _answers(path: Path, encoding: str) -> tuple[dict[str, object], str]:
    """The answers file as {id: raw answer}, plus its text for locating lines in errors."""
    data = load_json(path, encoding=encoding)
    if not isinstance(data, dict):
        raise InputError(path, 1, None, "expected a JSON object {id: {\"answer\": 0-based index}} "
                         "or {id: index}")
    out: dict[str, object] = {}
    for key, value in data.items():
        out[str(key)] = value.get("answer") if isinstance(value, dict) else value
    return out, read_text_strict(path, encoding=encoding, allow_bom=True)


def _line_of_key(text: str, key: str) -> int | None:
    match = re.search(r'"' + re.escape(key) + r'"\s*:', text)
    return text.count("\n", 0, match.start()) + 1 if match else None


def load(path: Path, opts: ImportOptions) -> list[Item]:
    if opts.mapping:
        raise MedauditError("--map is not used by --format safetybench (its fields are fixed); "
                            "use --format generic for other JSON layouts")
    records = load_json_records(path, encoding=opts.encoding)
    answers, answers_text = (_answers(opts.answers, opts.encoding) if opts.answers
                             else ({}, ""))
    builder = ItemBuilder(FORMAT, path, opts, Fields("question", "options", "answer"))
    for line, group, record in records:
        for name in ("question", "options"):
            if name not in record:
                found = ", ".join(sorted(record)) or "none"
                raise InputError(path, line, name, f"missing field '{name}' (fields found: "
                                 f"{found})")
        raw_options = record["options"]
        if not isinstance(raw_options, list) or not 2 <= len(raw_options) <= len(LETTERS):
            raise InputError(path, line, "options", "must be a list of 2 to "
                             f"{len(LETTERS)} option texts")
        options = {LETTERS[i]: "" if t is None else str(t).strip()
                   for i, t in enumerate(raw_options)}
        source_id = record.get("id")
        key_path: Path = path
        key_line: int | None = line
        key_field = "answer"
        if source_id is not None and str(source_id) in answers:
            raw = answers[str(source_id)]
            key_path, key_line = opts.answers or path, None  # located only on error
            key_field = f"{source_id}.answer"
        elif "answer" in record:
            raw = record["answer"]
        else:
            hint = ("it is not in the answers file" if opts.answers else
                    "pass the answers file with --answers FILE (SafetyBench's test answers are "
                    "not public)")
            raise InputError(path, line, "answer", f"question id {source_id!r} has no answer; "
                             f"{hint}")
        key: object = raw
        if not (isinstance(raw, str) and raw.strip() and not raw.strip().isdigit()):
            try:  # a 0-based index; a letter string is checked by the builder instead
                key = index_to_letter(raw, len(options))
            except ValueError as err:
                if key_path is not path:
                    key_line = _line_of_key(answers_text, str(source_id))
                raise InputError(key_path, key_line, key_field, f"answer {err}") from None
        category = record.get("category") or group
        dev_file = group is not None and opts.split is None  # dev files carry answers inline
        item_opts: dict[str, object] | None = {"split": "dev"} if dev_file else None
        builder.add(line, question=str(record["question"]), options=options, key=key,
                    source_id=source_id, category=str(category) if category else None,
                    explanation=str(record.get("explanation") or ""), extra=item_opts)
    return builder.items
