"""The benchmark item model (DESIGN.md, "Item schema").

Validation lives here so every reader, adapter and generator enforces the same rules; readers
turn pydantic errors into `file:line: field` messages (see `bench.io`).
"""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

ItemType = Literal["single", "multi", "judge"]
Split = Literal["train", "dev", "test"]

LETTERS = "ABCDEFGHIJ"
JUDGE_OPTIONS = {"A": "正确", "B": "错误"}
_DIMENSION_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_.:-]{0,63}$")
_CMES_DIMENSION_RE = re.compile(r"^[ES]\d\d$")


class Reference(BaseModel):
    """A norm behind the key: a law by article, a guideline by section, a textbook chapter."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    locator: str | None = None
    url: str | None = None


class Item(BaseModel):
    """One multiple-choice item. `answer` is a sorted letter string ("C", "ABD")."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1, max_length=128)
    dimension: str
    type: ItemType
    question: str = Field(min_length=1)
    options: dict[str, str]
    answer: str
    explanation: str = ""
    references: list[Reference] = Field(default_factory=list)
    family: str | None = None
    split: Split | None = None
    difficulty: int | None = Field(default=None, ge=1, le=5)
    source: str = "authored"
    subtopic: str | None = None

    @field_validator("dimension")
    @classmethod
    def _dimension_shape(cls, value: str) -> str:
        if not _DIMENSION_RE.match(value):
            raise ValueError(f"'{value}' is not a dimension id (letters, digits, . _ : -)")
        return value

    @field_validator("options")
    @classmethod
    def _options_shape(cls, options: dict[str, str]) -> dict[str, str]:
        if len(options) < 2:
            raise ValueError("needs at least two options")
        expected = list(LETTERS[: len(options)])
        if list(options) != expected:
            raise ValueError(
                f"option keys must be {''.join(expected)} in order, got {''.join(options)}"
            )
        for letter, text in options.items():
            if not text.strip():
                raise ValueError(f"option {letter} is empty")
        return options

    @field_validator("answer")
    @classmethod
    def _answer_shape(cls, value: str) -> str:
        letters = value.strip().upper()
        if not letters or any(ch not in LETTERS for ch in letters):
            raise ValueError(f"'{value}' is not a letter key like 'B' or 'ACD'")
        if len(set(letters)) != len(letters):
            raise ValueError(f"'{value}' repeats a letter")
        return "".join(sorted(letters))

    @model_validator(mode="after")
    def _answer_fits_type(self) -> Item:
        missing = [ch for ch in self.answer if ch not in self.options]
        if missing:
            raise ValueError(
                f"answer '{self.answer}' names {''.join(missing)}, not among the options "
                f"{''.join(self.options)}"
            )
        if self.type in ("single", "judge") and len(self.answer) != 1:
            raise ValueError(f"a {self.type} item has exactly one key letter, got '{self.answer}'")
        if self.type == "judge" and self.options != JUDGE_OPTIONS:
            raise ValueError('a judge item has options {"A": "正确", "B": "错误"}')
        return self

    @property
    def letters(self) -> list[str]:
        return list(self.options)

    @property
    def is_cmes_dimension(self) -> bool:
        return bool(_CMES_DIMENSION_RE.match(self.dimension))
