"""Build prompts from versioned templates (templates/prompts.yaml).

A prompt is split into a `prefix` shared by every item of a run (system text, header, few-shot
block) and an item-specific `body`, so local backends can reuse the prefix's KV cache. The
template's sha256 and the shot ids go into the manifest, so a figure can be tied to its exact
wording.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml

from medaudit.bench.schema import Item
from medaudit.errors import MedauditError
from medaudit.models.base import GenerateRequest, Message

Method = Literal["logprob", "generate"]


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@lru_cache(maxsize=1)
def _templates() -> dict[str, dict[str, Any]]:
    text = resources.files("medaudit.eval").joinpath("templates/prompts.yaml").read_text("utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return dict(data["templates"])


def template_names() -> list[str]:
    return sorted(_templates())


@dataclass(frozen=True)
class ItemView:
    """The parts of an item a prompt needs; options may be rotated for CircularEval."""

    id: str
    type: str
    question: str
    options: dict[str, str]
    answer: str

    @classmethod
    def of(cls, item: Item) -> ItemView:
        return cls(item.id, item.type, item.question, dict(item.options), item.answer)

    def rotated(self, shift: int) -> ItemView:
        """Rotate option texts by `shift` positions and remap the key letters accordingly."""
        letters = list(self.options)
        texts = [self.options[k] for k in letters]
        k = len(letters)
        new_texts = [texts[(i - shift) % k] for i in range(k)]
        old_to_new = {letters[i]: letters[(i + shift) % k] for i in range(k)}
        answer = "".join(sorted(old_to_new[ch] for ch in self.answer))
        return ItemView(
            self.id, self.type, self.question, dict(zip(letters, new_texts, strict=True)), answer
        )


@dataclass(frozen=True)
class Prompt:
    prefix: str
    body: str
    request: GenerateRequest
    letters: tuple[str, ...]

    @property
    def text(self) -> str:
        return self.prefix + self.body

    @property
    def hash(self) -> str:
        return sha256_text(self.text)


class PromptBuilder:
    """Turns items into prompts for one run: one template, one fixed set of shots."""

    def __init__(
        self,
        template: str,
        method: Method,
        shots: Sequence[Item] = (),
        max_tokens: int = 512,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> None:
        templates = _templates()
        if template not in templates:
            raise MedauditError(
                f"unknown prompt template '{template}'; choose one of "
                f"{', '.join(sorted(templates))}"
            )
        if method == "logprob" and "cot" in template:
            raise MedauditError(f"template '{template}' is chain-of-thought: use --method generate")
        self.template_id = template
        self.t = templates[template]
        self.method = method
        self.shots = list(shots)
        self.max_tokens = max_tokens
        self.temperature = temperature
        self.seed = seed
        self.prefix = self._prefix()

    def _item_text(self, view: ItemView) -> str:
        options = "\n".join(f"{k}. {v}" for k, v in view.options.items())
        return str(self.t["item"]).format(
            instruction=self.t["instruction"][view.type],
            question=view.question.strip(),
            options=options,
        )

    def _prefix(self) -> str:
        parts = [self.t["system"], self.t["header"]]
        if self.method == "generate":
            parts.append(self.t["generate_suffix"])
        prefix = "\n".join(parts) + self.t["shot_separator"]
        for shot in self.shots:
            prefix += (
                self._item_text(ItemView.of(shot))
                + self.t["answer_prefix"]
                + shot.answer
                + self.t["shot_separator"]
            )
        return prefix

    def build(self, view: ItemView) -> Prompt:
        body = self._item_text(view)
        if self.method == "logprob":
            body += self.t["answer_prefix"]
        text = self.prefix + body
        messages = (
            Message("system", self.t["system"]),
            Message("user", text.removeprefix(self.t["system"] + "\n")),
        )
        request = GenerateRequest(
            prompt=text,
            messages=messages,
            max_tokens=self.max_tokens,
            temperature=self.temperature,
            seed=self.seed,
        )
        return Prompt(self.prefix, body, request, tuple(view.options))

    def describe(self) -> dict[str, Any]:
        """The manifest's prompt section: template id, hash of its text, and the shots."""
        canonical = json.dumps(self.t, ensure_ascii=False, sort_keys=True)
        return {
            "template": self.template_id,
            "template_sha256": sha256_text(canonical),
            "method": self.method,
            "shots": [s.id for s in self.shots],
            "prefix_sha256": sha256_text(self.prefix),
        }


def pick_shots(pool: Sequence[Item], k: int, seed: int) -> list[Item]:
    """k shots from the dev pool, seeded, preferring one of each type so every format is shown."""
    if k <= 0:
        return []
    if len(pool) < k:
        raise MedauditError(
            f"--shots {k} needs at least {k} dev items; the benchmark has {len(pool)}"
        )
    rng = random.Random(seed)
    ordered = sorted(pool, key=lambda it: it.id)
    rng.shuffle(ordered)
    chosen: list[Item] = []
    for kind in ("single", "multi", "judge"):
        match = next((it for it in ordered if it.type == kind and it not in chosen), None)
        if match is not None and len(chosen) < k:
            chosen.append(match)
    for it in ordered:
        if len(chosen) >= k:
            break
        if it not in chosen:
            chosen.append(it)
    return chosen
