"""File-system helpers shared by every writer: atomic writes and strict text decoding.

Every output medaudit writes goes through `atomic_writer`, so an interrupted command never leaves a
half-written file behind. Every text input goes through `read_text_strict`, so a GBK file or a
binary file is reported in one line that names the encoding and the fix.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

from medaudit.errors import InputError

BOM = b"\xef\xbb\xbf"


@contextlib.contextmanager
def atomic_writer(
    path: str | os.PathLike[str],
    mode: str = "w",
    *,
    file_mode: int | None = None,
    encoding: str | None = "utf-8",
) -> Iterator[IO[Any]]:
    """Write to a temp file beside `path` and rename it into place only when the block succeeds."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        if file_mode is not None:
            os.chmod(tmp, file_mode)
        handle: IO[Any]
        if "b" in mode:
            handle = os.fdopen(fd, mode)
        else:
            handle = os.fdopen(fd, mode, encoding=encoding, newline="")
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def sha256_file(path: str | os.PathLike[str]) -> str:
    """sha256 of a file, read in 4 MiB blocks (model weights are gigabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 22):
            digest.update(block)
    return digest.hexdigest()


def json_object_line(line: str, path: object, line_no: int) -> dict[str, Any]:
    """Decode one JSON Lines record, or raise the one-line error every JSONL reader shares."""
    try:
        record = json.loads(line)
    except json.JSONDecodeError as err:
        raise InputError(path, line_no, None, f"invalid JSON ({err.msg} at column {err.colno}); "
                         "fix or remove this line") from None
    if not isinstance(record, dict):
        raise InputError(path, line_no, None, "each line must be a JSON object")
    return record


def guess_encoding(raw: bytes) -> str | None:
    """Name a likely legacy Chinese encoding for bytes that are not UTF-8, for the error message."""
    for name in ("gb18030",):
        try:
            raw.decode(name)
            return "GBK/GB18030"
        except UnicodeDecodeError:
            continue
    return None


def decode_strict(
    raw: bytes, path: object, *, encoding: str = "utf-8", allow_bom: bool = False
) -> str:
    """Decode `raw` or raise an InputError naming the line, the likely encoding and the fix."""
    if b"\x00" in raw[:8192] and encoding.lower().replace("-", "") == "utf8":
        raise InputError(path, None, None, "looks like a binary file (NUL bytes), not UTF-8 text")
    if raw.startswith(BOM) and encoding.lower().replace("-", "") == "utf8":
        if not allow_bom:
            raise InputError(
                path,
                1,
                None,
                "starts with a UTF-8 byte-order mark (BOM); save the file as UTF-8 without BOM",
            )
        raw = raw[len(BOM) :]
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        guess = guess_encoding(raw)
        hint = (
            (
                f"it looks like {guess}; convert it to UTF-8 (iconv -f gb18030 -t utf-8) or pass "
                "--encoding gb18030"
            )
            if guess
            else "convert it to UTF-8 or pass --encoding"
        )
        raise InputError(
            path, line, None, f"is not valid {encoding} text at byte {err.start}: {hint}"
        ) from None
    except LookupError:
        raise InputError(path, None, None, f"unknown encoding '{encoding}'") from None


def read_text_strict(
    path: str | os.PathLike[str], *, encoding: str = "utf-8", allow_bom: bool = False
) -> str:
    """Read a whole text file with `decode_strict`; missing files become a one-line error."""
    p = Path(path)
    if not p.exists():
        raise InputError(p, None, None, "no such file")
    if p.is_dir():
        raise InputError(p, None, None, "is a directory, expected a file")
    return decode_strict(p.read_bytes(), p, encoding=encoding, allow_bom=allow_bom)
