"""De-identification: replace each finding by a mask, a numbered tag or a surrogate.

One `DeidState` covers one document (a record, with all its fields): the same value always gets
the same tag or surrogate inside it, and all its dates move by the same offset.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from medaudit.errors import MedauditError
from medaudit.privacy import dateshift
from medaudit.privacy.engine import check_types, scan_text
from medaudit.privacy.finding import Finding

STRATEGIES = ("mask", "tag", "surrogate")
MAX_SHIFT_DAYS = 365


@dataclass
class DeidState:
    """Per-document memory: replacements chosen so far, tag counters, the date offset."""

    rng: random.Random = field(default_factory=random.Random)
    replacements: dict[tuple[str, str], str] = field(default_factory=dict)
    counters: dict[str, int] = field(default_factory=dict)
    date_offset: int | None = None
    _factory: object | None = None

    @classmethod
    def seeded(cls, seed: int | str | None) -> DeidState:
        return cls(rng=random.Random(seed))

    def offset(self) -> int:
        if self.date_offset is None:
            days = 0
            while days == 0:
                days = self.rng.randint(-MAX_SHIFT_DAYS, MAX_SHIFT_DAYS)
            self.date_offset = days
        return self.date_offset

    def factory(self):
        if self._factory is None:
            from medaudit.privacy.surrogate import SurrogateFactory

            self._factory = SurrogateFactory(self.rng)
        return self._factory


def _normal(value: str) -> str:
    return "".join(value.split()).upper()


def _replacement(value: str, f: Finding, strategy: str, shift_dates: bool,
                 state: DeidState) -> str:
    key = (f.type, _normal(value))
    if key in state.replacements:
        return state.replacements[key]
    new: str | None = None
    if f.type == "DATE" and (shift_dates or strategy == "surrogate"):
        new = dateshift.shift(value, state.offset())
    if new is None:
        if strategy == "mask":
            new = "*" * len(value)
        elif strategy == "tag":
            n = state.counters.get(f.type, 0) + 1
            state.counters[f.type] = n
            new = f"[{f.type}_{n}]"
        else:
            new = state.factory().for_type(f.type)(value)
    state.replacements[key] = new
    return new


def deidentify_text(text: str, strategy: str = "tag", types: set[str] | None = None, *,
                    shift_dates: bool = False, seed: int | str | None = None,
                    state: DeidState | None = None,
                    findings: list[Finding] | None = None) -> tuple[str, list[dict[str, object]]]:
    """Return `(new_text, mapping)`: `text` with its PHI replaced, and what replaced what.

    `mapping` has one entry per replaced span, `{"type","start","end","original","replacement"}`
    with offsets into the input; it is the re-identification key, so keep it out of logs.
    Pass the same `state` for all fields of one document; `seed` makes a fresh state
    reproducible.
    """
    if strategy not in STRATEGIES:
        raise MedauditError(f"unknown strategy '{strategy}'; use one of {', '.join(STRATEGIES)}")
    check_types(types)
    if state is None:
        state = DeidState.seeded(seed)
    found = findings if findings is not None else scan_text(text, types)
    parts: list[str] = []
    mapping: list[dict[str, object]] = []
    pos = 0
    for f in sorted(found):
        if f.start < pos:
            continue
        value = text[f.start:f.end]
        new = _replacement(value, f, strategy, shift_dates, state)
        parts.append(text[pos:f.start])
        parts.append(new)
        mapping.append({"type": f.type, "start": f.start, "end": f.end, "original": value,
                        "replacement": new})
        pos = f.end
    parts.append(text[pos:])
    return "".join(parts), mapping
