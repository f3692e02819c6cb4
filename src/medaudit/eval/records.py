"""Typed records a run writes: one `SampleRecord` per item, a `Summary` and a `Manifest`.

Field names follow DESIGN.md ("Run outputs") and stay stable: reports, comparisons and external
checks parse them. Both files carry a `schema_version` so readers can migrate old runs.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

SCHEMA_VERSION = 1


class Outcome(StrEnum):
    CORRECT = "correct"
    WRONG = "wrong"
    UNPARSED = "unparsed"
    REFUSED = "refused"
    ERROR = "error"


OUTCOMES: tuple[str, ...] = tuple(o.value for o in Outcome)


class SampleRecord(BaseModel):
    """What happened to one item in one run. `extracted` is a sorted letter string or None."""

    model_config = ConfigDict(extra="allow")

    id: str
    dimension: str
    type: str
    answer: str
    question: str | None = None
    options: dict[str, str] | None = None
    outcome: Outcome
    extracted: str | None = None
    rule: str | None = None
    response: str | None = None
    prompt: str | None = None
    prompt_hash: str
    probs: dict[str, float] | None = None
    partial_credit: float | None = None
    rotations: list[str | None] | None = None
    latency_s: float = 0.0
    attempts: int = 1
    error: str | None = None
    cached: bool = False
    family: str | None = None


class Interval(BaseModel):
    n: int
    accuracy: float | None
    ci95: list[float] | None


class Summary(BaseModel):
    model_config = ConfigDict(extra="allow")

    schema_version: int = SCHEMA_VERSION
    run_id: str
    model: str
    benchmark: str
    split: str | None
    method: str
    n_items: int
    accuracy: float | None
    ci95: list[float] | None
    n_scored: int | None = None
    macro_accuracy: float | None = None
    outcomes: dict[str, int]
    by_type: dict[str, dict[str, Any]] | None = None
    by_dimension: dict[str, dict[str, Any]]
    multi: dict[str, Any] | None = None
    calibration: dict[str, Any] | None = None
    circular: bool = False
    elapsed_s: float = 0.0
    items_per_s: float = 0.0


class Manifest(BaseModel):
    """Everything needed to say which model, prompt and items produced a figure."""

    model_config = ConfigDict(extra="allow")

    schema_version: int = SCHEMA_VERSION
    run_id: str
    created_at: str
    model: dict[str, Any]
    benchmark: dict[str, Any]
    prompt: dict[str, Any]
    config: dict[str, Any]
    seed: int
    temperature: float
    packages: dict[str, str] = Field(default_factory=dict)
    platform: dict[str, str] = Field(default_factory=dict)
    git_revision: str | None = None
    lineage: dict[str, Any] | None = None
