"""transformers backend (`hf/PATH_OR_GGUF?adapter=DIR`), optionally with a peft LoRA adapter.

Why it exists: a LoRA adapter trained with transformers + peft can be evaluated without merging
or converting it, and the base it was trained on is read exactly as training read it. Logprob
scoring is one forward pass per item; concurrent calls from the runner are gathered into padded
batches (left padding, explicit position ids so padding does not move positions). A GGUF base is
dequantised by transformers once and cached as a transformers directory keyed by the file's
sha256, so later loads skip the slow GGUF conversion.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medaudit.errors import ModelCallError, ModelSpecError
from medaudit.models.base import Capabilities, GenerateRequest, Generation, ModelInfo, OptionScores
from medaudit.models.catalog import catalog, models_dir, resolve, verified_sha256
from medaudit.models.spec import ModelSpec

_LOAD_LOCK = threading.Lock()
DTYPES = ("float32", "bfloat16", "float16")


@dataclass(frozen=True)
class BaseSource:
    """Where base weights come from: a GGUF file or a transformers directory (or hub id)."""

    ref: str
    gguf: Path | None
    directory: Path | None

    @property
    def display(self) -> str:
        return str(self.gguf or self.directory or self.ref)


def base_source(name: str) -> BaseSource:
    """A catalog alias or .gguf path becomes a GGUF source; a directory a transformers one."""
    if name in catalog():
        return BaseSource(name, resolve(name), None)
    path = Path(name).expanduser()
    if path.is_file():
        if path.suffix.lower() != ".gguf":
            raise ModelSpecError(f"'{name}' is a file but not a .gguf; give a .gguf file, a "
                                 "transformers model directory or a catalog alias")
        return BaseSource(name, path, None)
    if path.is_dir():
        if not (path / "config.json").exists():
            raise ModelSpecError(f"'{name}' has no config.json: not a transformers model directory")
        return BaseSource(name, None, path)
    # A hub-style id only works if it is already in the local Hugging Face cache (no network).
    return BaseSource(name, None, None)


def base_sha256(source: BaseSource) -> str | None:
    """sha256 of the base weights: the GGUF file, or the sorted weight files of a directory."""
    if source.gguf is not None:
        return verified_sha256(source.gguf)
    if source.directory is not None:
        from medaudit.finetune.hashing import files_sha256

        files = sorted(p for p in source.directory.iterdir()
                       if p.suffix in (".safetensors", ".bin") and p.is_file())
        return files_sha256(files, source.directory) if files else None
    return None


def _converted_dir(gguf: Path) -> Path:
    return models_dir() / "hf" / verified_sha256(gguf)[:16]


def _convert_gguf(gguf: Path, target: Path) -> None:
    """Dequantise a GGUF once into a transformers directory (float32), written atomically."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
    model: Any = AutoModelForCausalLM.from_pretrained(str(gguf.parent), gguf_file=gguf.name,
                                                      dtype=torch.float32)
    # transformers refuses to save a model that still carries its GGUF quantizer (DESIGN.md).
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    model.save_pretrained(str(tmp))
    tokenizer.save_pretrained(str(tmp))
    tmp.replace(target)


def load_causal_lm(source: BaseSource, dtype: str = "float32") -> tuple[Any, Any]:
    """(model, tokenizer) for a base source, in eval mode on CPU."""
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    if dtype not in DTYPES:
        raise ModelSpecError(f"dtype must be one of {', '.join(DTYPES)}, got '{dtype}'")
    with _LOAD_LOCK:
        if source.gguf is not None:
            where = _converted_dir(source.gguf)
            if not (where / "config.json").exists():
                where.parent.mkdir(parents=True, exist_ok=True)
                _convert_gguf(source.gguf, where)
            location, local = str(where), True
        elif source.directory is not None:
            location, local = str(source.directory), True
        else:
            location, local = source.ref, True
        try:
            tokenizer = AutoTokenizer.from_pretrained(location, local_files_only=local)
            model = AutoModelForCausalLM.from_pretrained(location, dtype=getattr(torch, dtype),
                                                         local_files_only=local)
        except OSError as err:
            first = str(err).split("\n")[0]
            raise ModelSpecError(f"cannot load transformers model '{source.ref}': {first} (give a "
                                 "local directory or .gguf file; no hub downloads)") from None
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model.eval()
    return model, tokenizer


def letter_token_ids(tokenizer: Any, letter: str) -> list[int]:
    """First token of the letter alone and after a space, as the llamacpp backend reads them."""
    ids = set()
    for form in (letter, " " + letter):
        encoded = tokenizer(form, add_special_tokens=False).input_ids
        if encoded:
            ids.add(int(encoded[0]))
    return sorted(ids)


def left_pad(sequences: Sequence[Sequence[int]], pad_id: int) -> tuple[Any, Any, Any]:
    """(input_ids, attention_mask, position_ids) with left padding, so every row's last position
    is its own last token; positions count real tokens only, so padding changes nothing."""
    import torch

    longest = max(len(s) for s in sequences)
    ids = torch.full((len(sequences), longest), pad_id, dtype=torch.long)
    mask = torch.zeros((len(sequences), longest), dtype=torch.long)
    for row, seq in enumerate(sequences):
        ids[row, longest - len(seq):] = torch.tensor(list(seq), dtype=torch.long)
        mask[row, longest - len(seq):] = 1
    positions = (mask.cumsum(-1) - 1).clamp(min=0)
    return ids, mask, positions


def score_prompts(model: Any, tokenizer: Any, prompts: Sequence[str],
                  letters: Sequence[Sequence[str]], max_len: int = 4096) -> list[OptionScores]:
    """Letter log-probabilities after each prompt in one padded forward pass (the backend's
    scoring, shared with the trainer's dev evaluation so both read the model the same way)."""
    import torch

    encoded = [tokenizer(p, add_special_tokens=True).input_ids for p in prompts]
    longest = max(len(e) for e in encoded)
    if longest > max_len:
        raise ModelCallError(f"prompt has {longest} tokens, over max_len={max_len}")
    ids, mask, positions = left_pad(encoded, int(tokenizer.pad_token_id))
    with torch.inference_mode():
        logits = model(input_ids=ids, attention_mask=mask, position_ids=positions,
                       logits_to_keep=1).logits[:, -1, :].double()
    logz = torch.logsumexp(logits, dim=-1)
    out = []
    for row, wanted in enumerate(letters):
        scores = {}
        for letter in wanted:
            cand = torch.tensor(letter_token_ids(tokenizer, letter))
            scores[letter] = float(torch.logsumexp(logits[row, cand], dim=0) - logz[row])
        out.append(OptionScores(scores))
    return out


class HFBackend:
    """`hf/ALIAS|PATH.gguf|DIR[?adapter=DIR&batch=8&dtype=float32&threads=N&chat=auto]`."""

    def __init__(self, spec: ModelSpec) -> None:
        spec.check_keys({"adapter", "batch", "dtype", "threads", "chat", "max_len"})
        import torch

        self.spec = spec
        threads = spec.int_param("threads", 0)
        if threads > 0:
            torch.set_num_threads(threads)
        self.source = base_source(spec.name)
        self.dtype = spec.param("dtype", "float32") or "float32"
        self.batch = max(1, spec.int_param("batch", 8))
        self.max_len = spec.int_param("max_len", 4096)
        self.model, self.tokenizer = load_causal_lm(self.source, self.dtype)
        adapter = spec.param("adapter")
        self.adapter = Path(adapter).expanduser() if adapter else None
        if self.adapter is not None:
            if not (self.adapter / "adapter_config.json").exists():
                raise ModelSpecError(f"model spec '{spec.text}': adapter '{adapter}' has no "
                                     "adapter_config.json (give the directory medaudit finetune "
                                     "lora wrote, e.g. runs/ft/NAME/adapter)")
            from peft import PeftModel

            self.model = PeftModel.from_pretrained(self.model, str(self.adapter))
            self.model.eval()
        chat_mode = spec.param("chat", "auto")
        has_template = bool(getattr(self.tokenizer, "chat_template", None))
        self.chat = has_template if chat_mode == "auto" else chat_mode == "on"
        self.capabilities = Capabilities(logprobs=True, local=True, chat=self.chat,
                                         default_method="logprob", max_concurrency=self.batch)
        self._pending: list[tuple[str, Sequence[str], asyncio.Future[OptionScores]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self._lock = threading.Lock()

    def info(self) -> ModelInfo:
        extra: dict[str, Any] = {"dtype": self.dtype, "batch": self.batch, "chat": self.chat,
                                 "arch": type(self.model).__name__}
        if self.adapter is not None:
            from medaudit.finetune.hashing import adapter_sha256

            extra.update(adapter=str(self.adapter), adapter_sha256=adapter_sha256(self.adapter))
        return ModelInfo(spec=self.spec.text, provider="hf", name=self.spec.name,
                         file_sha256=base_sha256(self.source), file_path=self.source.display,
                         extra=extra)

    # -- scoring ---------------------------------------------------------------------------
    def score_batch(self, prompts: Sequence[str], letters: Sequence[Sequence[str]]
                    ) -> list[OptionScores]:
        """Letter log-probabilities at the next position for each prompt, one padded pass."""
        with self._lock:
            return score_prompts(self.model, self.tokenizer, prompts, letters, self.max_len)

    async def choice_logprobs(self, prompt: str, letters: Sequence[str]) -> OptionScores:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[OptionScores] = loop.create_future()
        self._pending.append((prompt, letters, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        """Drain the queue in batches; callers that arrive during a batch join the next one."""
        while self._pending:
            await asyncio.sleep(0)
            chunk, self._pending = self._pending[: self.batch], self._pending[self.batch:]
            try:
                scores = await asyncio.to_thread(self.score_batch, [c[0] for c in chunk],
                                                 [c[1] for c in chunk])
            except Exception as err:  # every failure becomes an item error
                failure = err if isinstance(err, ModelCallError) else ModelCallError(
                    f"hf forward pass failed: {type(err).__name__}: {err}")
                for _p, _l, fut in chunk:
                    if not fut.done():
                        fut.set_exception(failure)
                continue
            for (_p, _l, fut), score in zip(chunk, scores, strict=True):
                if not fut.done():
                    fut.set_result(score)

    # -- generation ------------------------------------------------------------------------
    def _generate_sync(self, request: GenerateRequest) -> Generation:
        import torch

        tok = self.tokenizer
        if self.chat and request.messages:
            text = tok.apply_chat_template([{"role": m.role, "content": m.content}
                                            for m in request.messages],
                                           tokenize=False, add_generation_prompt=True)
            ids = tok(text, add_special_tokens=False, return_tensors="pt").input_ids
        else:
            ids = tok(request.prompt, add_special_tokens=True, return_tensors="pt").input_ids
        sampling: dict[str, Any] = {"max_new_tokens": request.max_tokens,
                                    "pad_token_id": tok.pad_token_id}
        if request.temperature > 0:
            torch.manual_seed(request.seed)
            sampling.update(do_sample=True, temperature=request.temperature)
        else:
            sampling.update(do_sample=False)
        with self._lock, torch.inference_mode():
            out = self.model.generate(input_ids=ids, attention_mask=torch.ones_like(ids),
                                      **sampling)
        new = out[0, ids.shape[1]:]
        text = tok.decode(new, skip_special_tokens=True)
        finish = "length" if len(new) >= request.max_tokens else "stop"
        for stop in request.stop:
            if stop in text:
                text, finish = text[: text.index(stop)], "stop"
        return Generation(text=text, finish_reason=finish, prompt_tokens=int(ids.shape[1]),
                          completion_tokens=len(new))

    async def generate(self, request: GenerateRequest) -> Generation:
        return await asyncio.to_thread(self._generate_sync, request)

    async def aclose(self) -> None:
        self._pending.clear()
