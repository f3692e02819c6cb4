"""Embedded llama.cpp backend (llama-cpp-python), the default.

Logprob scoring evaluates each prompt in one forward pass and reads the letter distribution at
the answer position. The KV cache is kept between items and only the tokens after the longest
common prefix are evaluated, so a run's shared prefix (system text, few-shot block) is computed
once. Weights are loaded with ggml's extra (repack) buffer types off: on these CPUs they crash
on AMX builds and make logits depend on batch splits, which breaks prefix reuse (DESIGN.md).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import threading
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from medaudit.errors import ModelCallError, ModelSpecError
from medaudit.models.base import Capabilities, GenerateRequest, Generation, ModelInfo, OptionScores
from medaudit.models.catalog import catalog, resolve, verified_sha256
from medaudit.models.spec import ModelSpec

_LOAD_LOCK = threading.Lock()


@contextlib.contextmanager
def _quiet_stderr() -> Iterator[None]:
    """llama.cpp prints load chatter to fd 2 even with verbose=False; silence it while loading."""
    try:
        saved = os.dup(2)
    except OSError:
        yield
        return
    with open(os.devnull, "wb") as devnull:
        os.dup2(devnull.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)


def _load(path: Path, n_ctx: int, n_threads: int, seed: int) -> Any:
    import llama_cpp
    from llama_cpp import llama_cpp as capi

    original = capi.llama_model_default_params

    def params_without_repack() -> Any:
        params = original()
        params.use_extra_bufts = False
        return params

    with _LOAD_LOCK, _quiet_stderr():
        capi.llama_model_default_params = params_without_repack
        try:
            llm = llama_cpp.Llama(
                model_path=str(path),
                n_ctx=n_ctx,
                n_threads=n_threads,
                n_threads_batch=n_threads,
                seed=seed,
                verbose=False,
                logits_all=False,
            )
        finally:
            capi.llama_model_default_params = original
    # llama.cpp logs some notices at level NONE, which llama-cpp-python prints unless the
    # logger is above CRITICAL; failures still surface as exceptions.
    logging.getLogger("llama-cpp-python").setLevel(logging.CRITICAL + 10)
    return llm


class LlamaCppBackend:
    """`llamacpp/ALIAS` (catalog) or `llamacpp/PATH.gguf`; options n_ctx, threads, seed, chat."""

    def __init__(self, spec: ModelSpec) -> None:
        spec.check_keys({"n_ctx", "threads", "seed", "chat", "prefix_cache"})
        self.spec = spec
        if spec.name in catalog():
            self.path = resolve(spec.name)
            self.expected_sha256: str | None = catalog()[spec.name].sha256
        else:
            self.path = Path(spec.name).expanduser()
            self.expected_sha256 = None
            if not self.path.is_file():
                raise ModelSpecError(
                    f"model spec '{spec.text}': no catalog alias or .gguf file named "
                    f"'{spec.name}' (medaudit models list)"
                )
        self.n_ctx = spec.int_param("n_ctx", 4096)
        self.threads = spec.int_param("threads", max(1, os.cpu_count() or 1))
        self.seed = spec.int_param("seed", 0)
        self.prefix_cache = spec.param("prefix_cache", "on") != "off"
        self.llm = _load(self.path, self.n_ctx, self.threads, self.seed)
        chat_mode = spec.param("chat", "auto")
        has_template = bool(self.llm.metadata.get("tokenizer.chat_template"))
        self.chat = has_template if chat_mode == "auto" else chat_mode == "on"
        self.capabilities = Capabilities(
            logprobs=True, local=True, chat=self.chat, default_method="logprob", max_concurrency=1
        )
        self._lock = threading.Lock()
        self._letter_ids: dict[str, list[int]] = {}
        self.tokens_evaluated = 0

    def info(self) -> ModelInfo:
        return ModelInfo(
            spec=self.spec.text,
            provider="llamacpp",
            name=self.spec.name,
            file_sha256=verified_sha256(self.path),
            file_path=str(self.path),
            extra={
                "n_ctx": self.n_ctx,
                "threads": self.threads,
                "chat": self.chat,
                "prefix_cache": self.prefix_cache,
                "arch": self.llm.metadata.get("general.architecture"),
                "gguf_name": self.llm.metadata.get("general.name"),
            },
        )

    def _candidate_ids(self, letter: str) -> list[int]:
        """First token of the letter alone and after a space: a model may emit either."""
        if letter not in self._letter_ids:
            ids = {
                self.llm.tokenize(form.encode(), add_bos=False, special=False)[0]
                for form in (letter, " " + letter)
            }
            self._letter_ids[letter] = sorted(ids)
        return self._letter_ids[letter]

    def _eval_prompt(self, prompt: str) -> None:
        tokens = self.llm.tokenize(prompt.encode("utf-8"), add_bos=True, special=False)
        if len(tokens) >= self.n_ctx:
            raise ModelCallError(
                f"prompt has {len(tokens)} tokens, over n_ctx={self.n_ctx}; "
                "raise it with ?n_ctx=8192"
            )
        llm = self.llm
        common = 0
        if self.prefix_cache:
            cached = llm._input_ids[: llm.n_tokens]
            limit = min(len(cached), len(tokens) - 1)
            while common < limit and cached[common] == tokens[common]:
                common += 1
        llm.n_tokens = common  # eval() drops KV entries from n_tokens on
        llm.eval(tokens[common:])
        self.tokens_evaluated += len(tokens) - common

    def _score_sync(self, prompt: str, letters: Sequence[str]) -> OptionScores:
        with self._lock:
            self._eval_prompt(prompt)
            logits = np.ctypeslib.as_array(self.llm._ctx.get_logits(), shape=(self.llm.n_vocab(),))
            logits = logits.astype(np.float64)
        log_z = float(np.logaddexp.reduce(logits))
        scores = {}
        for letter in letters:
            ids = self._candidate_ids(letter)
            scores[letter] = float(np.logaddexp.reduce(logits[ids])) - log_z
        return OptionScores(scores)

    def _generate_sync(self, request: GenerateRequest) -> Generation:
        with self._lock:
            sampling: dict[str, Any] = {
                "max_tokens": request.max_tokens,
                "temperature": request.temperature,
                "seed": request.seed,
                "stop": list(request.stop) or None,
            }
            if self.chat and request.messages:
                out = self.llm.create_chat_completion(
                    messages=[{"role": m.role, "content": m.content} for m in request.messages],
                    **sampling,
                )
                text = out["choices"][0]["message"]["content"] or ""
            else:
                out = self.llm.create_completion(prompt=request.prompt, **sampling)
                text = out["choices"][0]["text"]
        usage = out.get("usage") or {}
        return Generation(
            text=text,
            finish_reason=out["choices"][0].get("finish_reason"),
            prompt_tokens=usage.get("prompt_tokens"),
            completion_tokens=usage.get("completion_tokens"),
        )

    async def choice_logprobs(self, prompt: str, letters: Sequence[str]) -> OptionScores:
        return await asyncio.to_thread(self._score_sync, prompt, letters)

    async def generate(self, request: GenerateRequest) -> Generation:
        return await asyncio.to_thread(self._generate_sync, request)

    async def aclose(self) -> None:
        with self._lock:
            self.llm.close()
