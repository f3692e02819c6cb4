"""The run manifest: which weights, items, prompt and software produced a figure."""

from __future__ import annotations

import hashlib
import json
import platform
import subprocess
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

from medaudit.bench.registry import Benchmark
from medaudit.bench.schema import Item
from medaudit.eval.prompts import PromptBuilder
from medaudit.eval.records import SCHEMA_VERSION
from medaudit.models.base import ModelInfo

PACKAGES = (
    "medaudit",
    "pydantic",
    "httpx",
    "sqlalchemy",
    "llama-cpp-python",
    "transformers",
    "torch",
    "peft",
    "presidio-analyzer",
)


def package_versions(names: Sequence[str] = PACKAGES) -> dict[str, str]:
    """Installed versions of `names`; packages that are not installed are left out."""
    versions = {}
    for name in names:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return versions


def git_revision() -> str | None:
    here = Path(__file__).resolve().parent
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"],
            cwd=here,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def item_ids_sha256(items: Sequence[Item]) -> str:
    return hashlib.sha256("\n".join(sorted(it.id for it in items)).encode()).hexdigest()


def _jsonable(config: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(config, default=str))


def build_manifest(
    run_id: str,
    info: ModelInfo,
    bench: Benchmark,
    items: Sequence[Item],
    builder: PromptBuilder,
    cfg: Any,
    config: dict[str, Any],
) -> dict[str, Any]:
    lineage = None
    lineage_path = getattr(cfg, "lineage", None)
    if lineage_path:
        lineage = {"path": str(lineage_path), **json.loads(Path(lineage_path).read_text("utf-8"))}
    config = {k: v for k, v in config.items() if k not in ("db_url",)}
    return {
        "schema_version": SCHEMA_VERSION,
        "run_id": run_id,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "model": asdict(info),
        "benchmark": {
            "name": bench.name,
            "path": str(bench.path),
            "sha256": bench.sha256,
            "n_items": len(items),
            "item_ids_sha256": item_ids_sha256(items),
            "split": cfg.split,
            "dimensions": cfg.dimensions,
            "limit": cfg.limit,
        },
        "prompt": builder.describe(),
        "config": _jsonable(config),
        "seed": cfg.seed,
        "temperature": cfg.temperature,
        "packages": package_versions(),
        "platform": {
            "python": platform.python_version(),
            "system": platform.system(),
            "machine": platform.machine(),
        },
        "git_revision": git_revision(),
        "lineage": lineage,
    }
