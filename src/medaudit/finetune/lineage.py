"""lineage.json: which base, data, settings and software produced an adapter.

Why: a tuned model's figure means nothing unless a reviewer can say which weights were tuned on
which items. Every fine-tune writes this file beside its adapter, `medaudit eval --lineage`
copies it into the run manifest, and `verify_lineage` re-hashes the files it names so a swapped
adapter or an edited train file is caught.
"""

from __future__ import annotations

import json
import platform
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from medaudit.errors import InputError, MedauditError
from medaudit.eval.manifest import package_versions as _installed_versions
from medaudit.finetune.hashing import adapter_sha256, file_sha256
from medaudit.fsutil import atomic_writer, read_text_strict

LINEAGE_SCHEMA = 1
PACKAGES = ("medaudit", "torch", "transformers", "peft", "accelerate", "gguf", "tokenizers",
            "numpy", "llama-cpp-python")
REQUIRED = ("base", "train", "hyperparameters", "seed", "packages", "adapter", "wall_time_s")


def package_versions() -> dict[str, str]:
    return _installed_versions(PACKAGES)


def build_lineage(*, base: dict[str, Any], train: dict[str, Any], dev: dict[str, Any] | None,
                  template: dict[str, Any], hyperparameters: dict[str, Any], seed: int,
                  adapter_dir: Path, output_dir: Path, training: dict[str, Any],
                  wall_time_s: float, extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """The lineage record; paths inside the output directory are stored relative to it."""
    from medaudit.eval.manifest import git_revision

    return {
        "schema_version": LINEAGE_SCHEMA,
        "kind": "lora",
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "base": base,
        "train": train,
        "dev": dev,
        "template": template,
        "hyperparameters": hyperparameters,
        "seed": seed,
        "training": training,
        "adapter": {"path": adapter_dir.relative_to(output_dir).as_posix(),
                    "sha256": adapter_sha256(adapter_dir)},
        "packages": package_versions(),
        "platform": {"python": platform.python_version(), "system": platform.system(),
                     "machine": platform.machine()},
        "git_revision": git_revision(),
        "wall_time_s": round(wall_time_s, 1),
        **(extra or {}),
    }


def write_lineage(path: Path, lineage: dict[str, Any]) -> None:
    with atomic_writer(path) as handle:
        json.dump(lineage, handle, ensure_ascii=False, indent=2)
        handle.write("\n")


def lineage_path(ref: Path) -> Path:
    """A lineage.json, or a fine-tune directory that holds one."""
    path = ref / "lineage.json" if ref.is_dir() else ref
    if not path.is_file():
        raise MedauditError(f"no lineage.json at '{ref}': give the file or the output directory "
                            "medaudit finetune lora wrote")
    return path


def read_lineage(ref: Path) -> dict[str, Any]:
    path = lineage_path(ref)
    try:
        data = json.loads(read_text_strict(path))
    except json.JSONDecodeError as err:
        raise InputError(path, err.lineno, None, f"invalid JSON ({err.msg})") from None
    if not isinstance(data, dict):
        raise InputError(path, None, None, "lineage must be a JSON object")
    missing = [key for key in REQUIRED if key not in data]
    if missing:
        raise InputError(path, None, missing[0], "missing; was this written by medaudit "
                         "finetune lora?")
    return data


def verify_lineage(ref: Path) -> list[str]:
    """Problems found by re-hashing the adapter, the base and the train file (empty: all match).
    Files that are no longer on this machine are reported, not failed."""
    path = lineage_path(ref)
    data = read_lineage(path)
    problems = []
    adapter = path.parent / str(data["adapter"].get("path", "adapter"))
    if not adapter.is_dir():
        problems.append(f"adapter directory {adapter} is missing")
    elif adapter_sha256(adapter) != data["adapter"].get("sha256"):
        problems.append(f"adapter {adapter} does not match its recorded sha256")
    for label, section, key in (("train file", data.get("train") or {}, "file_sha256"),
                                ("base model", data.get("base") or {}, "sha256")):
        where = section.get("path")
        if not where or not Path(where).is_file():
            problems.append(f"{label} {where} is not on this machine (not checked)")
        elif file_sha256(Path(where)) != section.get(key):
            problems.append(f"{label} {where} has changed since training")
    return problems
