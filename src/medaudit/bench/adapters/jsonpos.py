"""Read a JSON file of records and remember the line where each record starts.

`json.load` forgets positions, so an error in element 4,000 of SafetyBench's questions file could
only say "element 4000". Decoding element by element with `raw_decode` keeps the offset, which is
turned into the line the user's editor shows.
"""

from __future__ import annotations

import bisect
import json
from pathlib import Path

from medaudit.errors import InputError
from medaudit.fsutil import read_text_strict

_DECODER = json.JSONDecoder()
_WS = " \t\r\n"


class _Text:
    """The file's text plus a cursor; errors name the line of the cursor."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text, self.pos = path, text, 0
        self._newlines = [i for i, ch in enumerate(text) if ch == "\n"]

    def line(self, pos: int | None = None) -> int:
        return bisect.bisect_left(self._newlines, self.pos if pos is None else pos) + 1

    def skip_ws(self) -> str:
        while self.pos < len(self.text) and self.text[self.pos] in _WS:
            self.pos += 1
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def expect(self, chars: str, what: str) -> str:
        ch = self.skip_ws()
        if not ch or ch not in chars:
            found = f"'{ch}'" if ch else "end of file"
            raise InputError(self.path, self.line(), None,
                             f"invalid JSON: expected {what}, found {found} (is the file cut "
                             "short?)")
        self.pos += 1
        return ch

    def value(self) -> tuple[int, object]:
        self.skip_ws()
        start = self.pos
        try:
            obj, self.pos = _DECODER.raw_decode(self.text, self.pos)
        except json.JSONDecodeError as err:
            raise InputError(self.path, err.lineno, None, f"invalid JSON ({err.msg} at column "
                             f"{err.colno}); fix the file") from None
        return start, obj

    def array(self) -> list[tuple[int, object]]:
        """Elements of the array at the cursor, with their start offsets."""
        self.expect("[", "'['")
        items: list[tuple[int, object]] = []
        if self.skip_ws() == "]":
            self.pos += 1
            return items
        while True:
            items.append(self.value())
            if self.expect(",]", "',' or ']'") == "]":
                return items


def load_json_records(path: Path, *, encoding: str = "utf-8"
                      ) -> list[tuple[int, str | None, dict[str, object]]]:
    """Records of a JSON array, or of a {group: [records]} object (SafetyBench's dev files).

    Returns (line, group or None, record) triples; anything that is not an object is an error.
    """
    text = read_text_strict(path, encoding=encoding, allow_bom=True).removeprefix("\ufeff")
    cur = _Text(path, text)
    first = cur.skip_ws()
    groups: list[tuple[str | None, list[tuple[int, object]]]] = []
    if first == "[":
        groups.append((None, cur.array()))
    elif first == "{":
        cur.pos += 1
        if cur.skip_ws() == "}":
            cur.pos += 1
        else:
            while True:
                key_pos, key = cur.value()
                if not isinstance(key, str):
                    raise InputError(path, cur.line(key_pos), None, "invalid JSON: expected a key")
                cur.expect(":", "':'")
                if cur.skip_ws() != "[":
                    raise InputError(path, cur.line(), str(key), "expected a list of records "
                                     "under each key, or a top-level list of records")
                groups.append((key, cur.array()))
                if cur.expect(",}", "',' or '}'") == "}":
                    break
    else:
        raise InputError(path, cur.line(), None, "expected a JSON list of records (or an object "
                         "of lists)" + ("; the file is empty" if not first else ""))
    if cur.skip_ws():
        raise InputError(path, cur.line(), None, "invalid JSON: extra data after the end")
    records: list[tuple[int, str | None, dict[str, object]]] = []
    for group, items in groups:
        for start, obj in items:
            if not isinstance(obj, dict):
                raise InputError(path, cur.line(start), None, "each record must be a JSON object")
            records.append((cur.line(start), group, obj))
    if not records:
        raise InputError(path, None, None, "contains no records")
    return records


def load_json(path: Path, *, encoding: str = "utf-8") -> object:
    """A whole JSON document, with decode errors as one line naming the line and column."""
    text = read_text_strict(path, encoding=encoding, allow_bom=True).removeprefix("\ufeff")
    try:
        return json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(path, err.lineno, None, f"invalid JSON ({err.msg} at column "
                         f"{err.colno}); fix the file") from None
