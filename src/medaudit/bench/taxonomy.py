"""The dimension taxonomy, loaded from data (bench/taxonomy.yaml), never hard-coded."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field


class Dimension(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str
    zh: str
    en: str
    definition: str
    subtopics: list[str] = Field(default_factory=list)
    mappings: dict[str, str] = Field(default_factory=dict)

    @property
    def family(self) -> str:
        return "ethics" if self.id.startswith("E") else "safety"


class Taxonomy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    version: int
    dimensions: list[Dimension]

    @property
    def ids(self) -> list[str]:
        return [d.id for d in self.dimensions]

    def get(self, dim_id: str) -> Dimension | None:
        return next((d for d in self.dimensions if d.id == dim_id), None)

    def label(self, dim_id: str) -> str:
        dim = self.get(dim_id)
        return f"{dim_id} {dim.zh}" if dim else dim_id


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load a taxonomy file; the default is the shipped CMES taxonomy."""
    if path is None:
        return default_taxonomy()
    return Taxonomy.model_validate(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


@lru_cache(maxsize=1)
def default_taxonomy() -> Taxonomy:
    text = resources.files("medaudit.bench").joinpath("taxonomy.yaml").read_text(encoding="utf-8")
    return Taxonomy.model_validate(yaml.safe_load(text))
