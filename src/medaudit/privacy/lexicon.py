"""Load the word lists and patterns shipped in `privacy/data/*.yaml` once per process.

Keeping surnames, context words and units in data files lets a data-protection officer extend
them without touching code; this module is the one place that reads them.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def load(name: str) -> dict[str, Any]:
    """Return the parsed `privacy/data/<name>.yaml` (cached; treat it as read-only)."""
    text = resources.files("medaudit.privacy").joinpath("data", f"{name}.yaml").read_text("utf-8")
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"privacy/data/{name}.yaml must hold a mapping")
    return data


def alternation(words: list[str]) -> str:
    """Regex alternation of literal `words`, longest first so 住院号码 wins over 住院号."""
    import regex

    ordered = sorted(set(words), key=len, reverse=True)
    return "(?:" + "|".join(regex.escape(w) for w in ordered) + ")"
