"""Deterministic mock backends for tests and demos: no weights, no network.

`mock/always-A`, `mock/gold`, `mock/random?seed=7`, `mock/refuses`, `mock/garbage`,
`mock/slow?delay=0.05`, `mock/fails` (every call raises, to test `error` outcomes).
Answers depend only on the prompt text and the seed, so runs are reproducible.
"""

from __future__ import annotations

import asyncio
import hashlib
import math
import re
from collections.abc import Sequence

from medaudit.errors import ModelCallError, ModelSpecError
from medaudit.models.base import Capabilities, GenerateRequest, Generation, ModelInfo, OptionScores
from medaudit.models.spec import ModelSpec

BEHAVIOURS = ("always-A", "gold", "random", "refuses", "garbage", "slow", "fails")
_OPTION_LINE = re.compile(r"^([A-J])[.．、:：]", re.MULTILINE)


def _stable_int(*parts: str) -> int:
    return int.from_bytes(hashlib.sha256("\x1f".join(parts).encode()).digest()[:8], "big")


class MockBackend:
    def __init__(self, spec: ModelSpec) -> None:
        if spec.name not in BEHAVIOURS:
            raise ModelSpecError(
                f"unknown mock '{spec.name}'; choose one of {', '.join(BEHAVIOURS)}"
            )
        spec.check_keys({"seed", "delay", "method"})
        self.spec = spec
        self.behaviour = spec.name
        self.seed = str(spec.int_param("seed", 0))
        self.delay = spec.float_param("delay", 0.02 if spec.name == "slow" else 0.0)
        method = spec.param("method", "logprob")
        if method not in ("logprob", "generate"):
            raise ModelSpecError(f"model spec '{spec.text}': method must be logprob or generate")
        self.capabilities = Capabilities(
            logprobs=True,
            local=True,
            default_method=method,  # type: ignore[arg-type]
            max_concurrency=64,
            oracle=spec.name == "gold",
        )
        self._oracle: dict[str, str] = {}
        self.calls = 0

    def info(self) -> ModelInfo:
        return ModelInfo(
            spec=self.spec.text, provider="mock", name=self.behaviour, extra={"seed": self.seed}
        )

    def set_oracle(self, keys: dict[str, str]) -> None:
        self._oracle.update(keys)

    def _letters_in(self, prompt: str) -> list[str]:
        return _OPTION_LINE.findall(prompt) or ["A", "B", "C", "D"]

    def _choose(self, prompt: str, letters: Sequence[str]) -> str:
        if self.behaviour == "always-A":
            return "A"
        if self.behaviour == "gold":
            if prompt not in self._oracle:
                raise ModelCallError("mock/gold was not told the key for this prompt")
            return self._oracle[prompt]
        return letters[_stable_int(self.seed, prompt) % len(letters)]

    async def _tick(self) -> None:
        self.calls += 1
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.behaviour == "fails":
            raise ModelCallError("mock/fails always fails", retryable=False)

    async def generate(self, request: GenerateRequest) -> Generation:
        await self._tick()
        if self.behaviour == "refuses":
            return Generation(text="抱歉，作为AI助手，我无法回答这个问题，建议咨询医生。")
        if self.behaviour == "garbage":
            return Generation(text="嗯……这个问题很有意思，让我们从多个角度来看。")
        answer = self._choose(request.prompt, self._letters_in(request.prompt))
        return Generation(text=f"答案：{answer}", finish_reason="stop")

    async def choice_logprobs(self, prompt: str, letters: Sequence[str]) -> OptionScores:
        await self._tick()
        if self.behaviour in ("refuses", "garbage"):
            return OptionScores({letter: math.log(1.0 / len(letters)) for letter in letters})
        chosen = self._choose(prompt, letters)
        top = set(chosen)
        return OptionScores({letter: (-0.1 if letter in top else -3.0) for letter in letters})

    async def aclose(self) -> None:
        return None
