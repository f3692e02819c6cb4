"""Content hashes for lineage: files, directories of files, adapters and item-id sets.

Why one module: the trainer writes these hashes into lineage.json and the hf backend writes the
adapter hash into every evaluation manifest; both must compute them the same way, or a reviewer
cannot match an evaluation to the fine-tune that produced it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path

from medaudit.fsutil import sha256_file

ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors", "adapter_model.bin")


def file_sha256(path: Path) -> str:
    return sha256_file(path)


def files_sha256(files: Sequence[Path], root: Path) -> str:
    """One hash over (relative name, content hash) pairs, in name order: renames count."""
    digest = hashlib.sha256()
    for path in sorted(files, key=lambda p: p.relative_to(root).as_posix()):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(file_sha256(path).encode() + b"\n")
    return digest.hexdigest()


def adapter_sha256(directory: Path) -> str:
    """Hash of an adapter directory's weights and config (tokenizer copies and READMEs ignored)."""
    files = [directory / name for name in ADAPTER_FILES if (directory / name).is_file()]
    return files_sha256(files, directory)


def ids_sha256(ids: Iterable[str]) -> str:
    """sha256 of the sorted ids joined by newlines (the engine's manifest uses the same rule)."""
    return hashlib.sha256("\n".join(sorted(ids)).encode()).hexdigest()
