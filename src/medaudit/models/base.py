"""The one small protocol every model backend implements.

Backends are async so API and local models share one runner; local backends run their blocking
work in a worker thread. Backends raise `ModelCallError` when a call fails after their own
bounded retries; the runner records such an item as `error`, never as `wrong`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True)
class GenerateRequest:
    """One generation call. `prompt` is the flat text for completion models and logprob scoring;
    `messages` is the same prompt as chat turns, used by chat APIs."""

    prompt: str
    messages: tuple[Message, ...] = ()
    max_tokens: int = 512
    temperature: float = 0.0
    seed: int = 0
    stop: tuple[str, ...] = ()

    def sampling(self) -> dict[str, Any]:
        return {
            "max_tokens": self.max_tokens,
            "temperature": self.temperature,
            "seed": self.seed,
            "stop": list(self.stop),
        }


@dataclass(frozen=True)
class Generation:
    text: str
    finish_reason: str | None = None
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    attempts: int = 1


@dataclass(frozen=True)
class OptionScores:
    """Log-probabilities of each option letter as the next token after the prompt."""

    logprobs: dict[str, float]
    attempts: int = 1

    def probs(self) -> dict[str, float]:
        """Softmax over the option letters only (renormalised), so they sum to 1."""
        top = max(self.logprobs.values())
        exp = {k: math.exp(v - top) for k, v in self.logprobs.items()}
        total = sum(exp.values())
        return {k: v / total for k, v in exp.items()}


@dataclass(frozen=True)
class Capabilities:
    logprobs: bool
    local: bool
    chat: bool = False
    default_method: Literal["logprob", "generate"] = "generate"
    max_concurrency: int = 1
    # An oracle backend (mock/gold) is told each prompt's key through `set_oracle` so tests can
    # check the whole pipeline scores 100%; no real backend ever sees a key.
    oracle: bool = False


@dataclass
class ModelInfo:
    """What the manifest records about a model: enough to say which weights gave a figure."""

    spec: str
    provider: str
    name: str
    file_sha256: str | None = None
    file_path: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


@runtime_checkable
class ModelBackend(Protocol):
    capabilities: Capabilities

    def info(self) -> ModelInfo: ...

    async def generate(self, request: GenerateRequest) -> Generation: ...

    async def choice_logprobs(self, prompt: str, letters: Sequence[str]) -> OptionScores: ...

    async def aclose(self) -> None: ...
