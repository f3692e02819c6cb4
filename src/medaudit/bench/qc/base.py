"""What every quality check returns, and the thresholds they read.

A check never prints: it returns `CheckResult`s with a status (`pass`, `fail` or `skipped`), the
measured value and the threshold it was held to, so the CLI table, the `--json` output and the
datasheet all show the same figures. `skipped` is not a pass: it says the check could not be
judged on this file (no splits, too few items) and why.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml

from medaudit.bench.schema import Item
from medaudit.errors import InputError
from medaudit.fsutil import read_text_strict

Status = Literal["pass", "fail", "skipped"]
Thresholds = dict[str, Any]


@dataclass
class CheckResult:
    """One line of the QC table."""

    name: str
    status: Status
    value: float | int | str | None
    threshold: str
    detail: str = ""
    offenders: list[str] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def family(self) -> str:
        return self.name.split(".", 1)[0]

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status, "value": self.value,
                "threshold": self.threshold, "detail": self.detail,
                "offenders": self.offenders, "data": self.data}


def judged(name: str, value: float | int, ok: bool, threshold: str, detail: str = "",
           offenders: Sequence[str] = (), data: dict[str, Any] | None = None) -> CheckResult:
    """A pass/fail result; rounds floats so the table and JSON agree."""
    shown: float | int = round(value, 4) if isinstance(value, float) else value
    return CheckResult(name, "pass" if ok else "fail", shown, threshold, detail,
                       list(offenders), data or {})


def skipped(name: str, threshold: str, reason: str,
            data: dict[str, Any] | None = None) -> CheckResult:
    return CheckResult(name, "skipped", None, threshold, f"skipped: {reason}", [], data or {})


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def default_thresholds() -> Thresholds:
    text = resources.files("medaudit.bench.qc").joinpath("thresholds.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    assert isinstance(data, dict)
    return data


def load_thresholds(path: str | Path | None = None) -> Thresholds:
    """The shipped thresholds, overlaid with a user file's keys when `path` is given."""
    base = default_thresholds()
    if path is None:
        return base
    try:
        data = yaml.safe_load(read_text_strict(path))
    except yaml.YAMLError as err:
        raise InputError(path, None, None, f"is not valid YAML ({err}); fix the file") from None
    if data is None:
        return base
    if not isinstance(data, dict):
        raise InputError(path, None, None, "must be a YAML mapping like qc/thresholds.yaml")
    return _merge(base, data)


def single5(items: Iterable[Item], n_options: int = 5) -> list[Item]:
    """Single-answer items with exactly `n_options` options: the ones chance 1/n applies to."""
    return [it for it in items if it.type == "single" and len(it.options) == n_options]


def has_splits(items: Sequence[Item]) -> bool:
    """True when every item carries a split (split-dependent checks need all of them)."""
    return bool(items) and all(it.split is not None for it in items)


def split_state(items: Sequence[Item]) -> str | None:
    """None when splits are usable, else the reason split-dependent checks are skipped."""
    if not items or all(it.split is None for it in items):
        return "no splits"
    missing = sum(1 for it in items if it.split is None)
    if missing:
        return f"{missing} item(s) have no split"
    return None


def family_of(item: Item) -> str:
    """An item without a family is a family of its own."""
    return item.family or f"(item){item.id}"


def pct(value: float) -> str:
    return f"{100 * value:.1f}%"
