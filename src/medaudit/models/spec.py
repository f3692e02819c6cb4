"""Parse model specs: `provider/name[?key=value&...]`.

Values stay strings (no type guessing: "3.10" stays "3.10"); each backend converts the keys it
knows and rejects the ones it does not, so a typo in a key is an error, not a silent default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qsl

from medaudit.errors import ModelSpecError

_PROVIDER_RE = re.compile(r"^[a-z][a-z0-9_-]*$")


@dataclass(frozen=True)
class ModelSpec:
    provider: str
    name: str
    params: dict[str, str] = field(default_factory=dict)

    @property
    def text(self) -> str:
        query = "&".join(f"{k}={v}" for k, v in sorted(self.params.items()))
        return f"{self.provider}/{self.name}" + (f"?{query}" if query else "")

    def param(self, key: str, default: str | None = None) -> str | None:
        return self.params.get(key, default)

    def int_param(self, key: str, default: int) -> int:
        raw = self.params.get(key)
        if raw is None:
            return default
        try:
            return int(raw)
        except ValueError:
            raise ModelSpecError(
                f"model spec '{self.text}': '{key}' must be an integer, got '{raw}'"
            ) from None

    def float_param(self, key: str, default: float) -> float:
        raw = self.params.get(key)
        if raw is None:
            return default
        try:
            return float(raw)
        except ValueError:
            raise ModelSpecError(
                f"model spec '{self.text}': '{key}' must be a number, got '{raw}'"
            ) from None

    def check_keys(self, allowed: set[str]) -> None:
        unknown = sorted(set(self.params) - allowed)
        if unknown:
            raise ModelSpecError(
                f"model spec '{self.text}': unknown option {', '.join(unknown)}; "
                f"allowed for {self.provider}: {', '.join(sorted(allowed)) or 'none'}"
            )


def parse_spec(text: str) -> ModelSpec:
    raw = text.strip()
    if "/" not in raw:
        raise ModelSpecError(
            f"model spec '{text}' has no provider: write provider/name, e.g. llamacpp/gemma3-270m "
            "or openai/gpt-4o-mini (medaudit models list)"
        )
    provider, rest = raw.split("/", 1)
    if not _PROVIDER_RE.match(provider):
        raise ModelSpecError(f"model spec '{text}': '{provider}' is not a provider name")
    name, _, query = rest.partition("?")
    if not name:
        raise ModelSpecError(f"model spec '{text}' has an empty model name after '{provider}/'")
    params: dict[str, str] = {}
    if query:
        for key, value in parse_qsl(query, keep_blank_values=True, strict_parsing=False):
            if not key:
                raise ModelSpecError(f"model spec '{text}': empty option name in '?{query}'")
            params[key] = value
        if "=" not in query:
            raise ModelSpecError(f"model spec '{text}': options are key=value pairs after '?'")
    return ModelSpec(provider=provider, name=name, params=params)
