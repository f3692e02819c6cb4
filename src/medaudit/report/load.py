"""Read a run directory (summary.json, samples.jsonl, manifest.json) into typed objects.

Reports are rendered from files, not from the store, so a run directory copied to another
machine (or attached to an audit file) still renders. Every problem a user can cause — a missing
file, broken JSON, a field of the wrong type — becomes one `InputError` line naming the file, the
line and the field.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from medaudit.errors import InputError, MedauditError
from medaudit.eval.records import Manifest, SampleRecord, Summary
from medaudit.fsutil import read_text_strict

SUMMARY = "summary.json"
SAMPLES = "samples.jsonl"
MANIFEST = "manifest.json"

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class RunData:
    """One run as the report sees it. `manifest` is None for runs written without one."""

    run_dir: Path
    summary: Summary
    manifest: Manifest | None
    samples: list[SampleRecord]
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Question and options by item id, looked up in the benchmark file when samples lack them."""


def _validation_field(err: ValidationError) -> tuple[str | None, str]:
    first = err.errors()[0]
    loc = ".".join(str(part) for part in first["loc"]) or None
    return loc, str(first["msg"]).removeprefix("Value error, ")


def _load_json_model(path: Path, model: type[M]) -> M:
    text = read_text_strict(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(path, err.lineno, None, f"invalid JSON ({err.msg}); the run may have "
                         "been interrupted: rerun the same eval command to rewrite it") from None
    try:
        return model.model_validate(data)
    except ValidationError as err:
        loc, msg = _validation_field(err)
        raise InputError(path, None, loc, f"{msg}; was it written by another medaudit "
                         "version? rerun the eval to rewrite it") from None


def read_samples(path: Path) -> list[SampleRecord]:
    """Read samples.jsonl; when an id appears twice (a retried item) the last line wins."""
    records: dict[str, SampleRecord] = {}
    for line_no, line in enumerate(read_text_strict(path).split("\n"), start=1):
        if not line.strip():
            continue
        try:
            record = SampleRecord.model_validate_json(line)
        except ValidationError as err:
            loc, msg = _validation_field(err)
            if err.errors()[0]["type"] == "json_invalid":
                loc, msg = None, "invalid JSON (truncated line?)"
            raise InputError(path, line_no, loc, f"{msg}; fix or remove this line") from None
        records[record.id] = record
    return list(records.values())


def _benchmark_items(manifest: Manifest | None, run_dir: Path, wanted: set[str]
                     ) -> dict[str, dict[str, Any]]:
    """Question/options for `wanted` ids from the benchmark JSONL named in the manifest, if it is
    still where the manifest says (relative paths are tried from the cwd and the run dir)."""
    if manifest is None or not wanted:
        return {}
    raw = manifest.benchmark.get("path")
    if not isinstance(raw, str) or not raw.endswith(".jsonl"):
        return {}
    candidates = [Path(raw).expanduser(), run_dir / raw]
    path = next((p for p in candidates if p.is_file()), None)
    if path is None:
        return {}
    found: dict[str, dict[str, Any]] = {}
    try:
        lines = path.read_text(encoding="utf-8").split("\n")
    except (OSError, UnicodeDecodeError):
        return {}
    for line in lines:
        try:
            rec = json.loads(line) if line.strip() else None
        except json.JSONDecodeError:
            continue
        if isinstance(rec, dict) and rec.get("id") in wanted:
            found[rec["id"]] = {"question": rec.get("question"), "options": rec.get("options")}
    return found


def load_run(run_dir: str | Path) -> RunData:
    """Load a run directory. summary.json is required; samples.jsonl and manifest.json are read
    when present so a partial run still renders its headline figures."""
    path = Path(run_dir)
    if not path.is_dir():
        raise MedauditError(f"{path}: not a run directory; pass runs/<run_id> or a run id "
                            "(medaudit runs list)")
    if not (path / SUMMARY).is_file():
        raise InputError(path / SUMMARY, None, None, "missing; the run has not finished: rerun "
                         "the same eval command to resume and write it")
    summary = _load_json_model(path / SUMMARY, Summary)
    manifest = _load_json_model(path / MANIFEST, Manifest) if (path / MANIFEST).is_file() else None
    samples = read_samples(path / SAMPLES) if (path / SAMPLES).is_file() else []
    missing = {s.id for s in samples
               if s.outcome.value != "correct" and not s.question}
    return RunData(path, summary, manifest, samples, _benchmark_items(manifest, path, missing))


def resolve_run(ref: str | Path, runs_root: Path = Path("runs")) -> Path:
    """A run directory from a path, a run id under `runs_root`, a unique run-id prefix there, or a
    run id recorded in the store."""
    direct = Path(ref)
    if (direct / SUMMARY).is_file():
        return direct
    by_id = runs_root / str(ref)
    if (by_id / SUMMARY).is_file():
        return by_id
    if runs_root.is_dir() and "/" not in str(ref):
        matches = sorted(p for p in runs_root.glob(f"{ref}*") if (p / SUMMARY).is_file())
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            names = ", ".join(p.name for p in matches[:5])
            raise MedauditError(f"run id prefix '{ref}' matches {len(matches)} runs ({names}); "
                                "give more of the id")
    stored = _stored_run_dir(str(ref))
    if stored is not None:
        return stored
    if direct.is_dir():
        raise InputError(direct / SUMMARY, None, None, "missing; the run has not finished: rerun "
                         "the same eval command to resume and write it")
    raise MedauditError(f"run '{ref}' not found: no such directory and no {runs_root}/{ref}; pass "
                        "a run directory or a run id (medaudit runs list)")


def _stored_run_dir(run_id: str) -> Path | None:
    """The output directory the store recorded for `run_id`. An absent default SQLite store is not
    created just to look a run up."""
    try:
        from medaudit.store.db import Store, default_db_url

        url = default_db_url()
        if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
            return None
        run = Store(url).get_run(run_id)
    except Exception:  # the store is optional for reports: any failure means "not found there"
        return None
    out = run.get("output_dir") if isinstance(run, dict) else None
    if out and (Path(out) / SUMMARY).is_file():
        return Path(out)
    return None
