"""Score one item with one backend: build the prompt(s), call the model, extract, score.

This is the only place that talks to a backend during a run, so the cache and the error policy
live here: a `ModelCallError` becomes an `error` record and the run goes on.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from medaudit.bench.schema import Item
from medaudit.errors import ModelCallError
from medaudit.eval.prompts import ItemView, Prompt, PromptBuilder
from medaudit.eval.records import Outcome, SampleRecord
from medaudit.eval.score import (
    Scored,
    combine_rotations,
    letters_from_probs,
    letters_from_yesno,
    score_letters,
)
from medaudit.models.base import ModelBackend, OptionScores

MultiMode = Literal["threshold", "yesno"]
YES, NO = "是", "否"
YESNO_SUFFIX = "\n选项{letter}“{text}”是否为正确答案之一？请回答“是”或“否”。答："


class Cache(Protocol):
    """The response cache interface the solver needs (the store implements it)."""

    def cache_get(self, key: str) -> dict[str, Any] | None: ...

    def cache_put(self, key: str, payload: dict[str, Any]) -> None: ...


@dataclass
class Solver:
    backend: ModelBackend
    builder: PromptBuilder
    model_key: str
    multi_mode: MultiMode = "threshold"
    circular: bool = False
    cache: Cache | None = None
    keep_prompt: bool = True

    def _cache_key(self, kind: str, prompt: str, extra: Any) -> str:
        blob = json.dumps([self.model_key, kind, prompt, extra], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()

    async def _logprobs(self, prompt: str, letters: list[str]) -> tuple[dict[str, float], bool]:
        key = self._cache_key("logprob", prompt, letters)
        if self.cache and (hit := self.cache.cache_get(key)) is not None:
            return hit["logprobs"], True
        scores: OptionScores = await self.backend.choice_logprobs(prompt, letters)
        if self.cache:
            self.cache.cache_put(key, {"logprobs": scores.logprobs})
        return scores.logprobs, False

    async def _generate(self, prompt: Prompt) -> tuple[str, bool]:
        key = self._cache_key("generate", prompt.text, prompt.request.sampling())
        if self.cache and (hit := self.cache.cache_get(key)) is not None:
            return str(hit["text"]), True
        gen = await self.backend.generate(prompt.request)
        if self.cache:
            self.cache.cache_put(key, {"text": gen.text})
        return gen.text, False

    async def _one_view(self, view: ItemView) -> tuple[Scored, Prompt, dict[str, Any]]:
        prompt = self.builder.build(view)
        detail: dict[str, Any] = {"cached": False}
        if self.builder.method == "logprob":
            logprobs, cached = await self._logprobs(prompt.text, list(prompt.letters))
            probs = OptionScores(logprobs).probs()
            detail.update(probs=probs, cached=cached)
            if view.type == "multi" and self.multi_mode == "yesno":
                yes = {}
                for letter, text in view.options.items():
                    lp, _ = await self._logprobs(
                        prompt.text + YESNO_SUFFIX.format(letter=letter, text=text), [YES, NO]
                    )
                    yes[letter] = OptionScores(lp).probs()[YES]
                chosen, rule = letters_from_yesno(yes)
                detail["yes_probs"] = yes
            else:
                chosen, rule = letters_from_probs(probs, view.type)
            return score_letters(chosen, view.answer, view.type, rule), prompt, detail
        from medaudit.eval.extract import extract_answer

        text, cached = await self._generate(prompt)
        ext = extract_answer(text, view.options, view.type)  # type: ignore[arg-type]
        detail.update(response=text, cached=cached)
        return (
            score_letters(ext.letters, view.answer, view.type, ext.rule, ext.refused),
            prompt,
            detail,
        )

    async def solve(self, item: Item) -> SampleRecord:
        base = ItemView.of(item)
        views = [base.rotated(s) for s in range(len(base.options))] if self.circular else [base]
        started = time.perf_counter()
        first_prompt = self.builder.build(base)
        common: dict[str, Any] = {
            "id": item.id,
            "dimension": item.dimension,
            "type": item.type,
            "answer": item.answer,
            "family": item.family,
            "question": item.question,
            "options": dict(item.options),
            "prompt_hash": first_prompt.hash,
            "prompt": first_prompt.text if self.keep_prompt else None,
        }
        try:
            results = [await self._one_view(v) for v in views]
        except ModelCallError as err:
            return SampleRecord(
                **common,
                outcome=Outcome.ERROR,
                rule="error",
                error=str(err),
                attempts=err.attempts,
                latency_s=time.perf_counter() - started,
            )
        scored, _prompt, detail = results[0]
        record: dict[str, Any] = {
            **common,
            "outcome": scored.outcome,
            "extracted": scored.extracted,
            "rule": scored.rule,
            "response": detail.get("response"),
            "probs": detail.get("probs"),
            "partial_credit": scored.partial_credit,
            "cached": all(d["cached"] for _s, _p, d in results),
            "latency_s": time.perf_counter() - started,
        }
        if self.builder.method == "logprob" and record["response"] is None and scored.extracted:
            record["response"] = scored.extracted
        if self.circular:
            record["outcome"] = combine_rotations([s.outcome for s, _p, _d in results])
            record["rotations"] = [s.extracted for s, _p, _d in results]
        return SampleRecord(**record)
