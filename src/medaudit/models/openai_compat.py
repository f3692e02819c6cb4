"""Backend for any OpenAI-compatible server: OpenAI, DeepSeek, Qwen/DashScope, vLLM, llama.cpp.

Spec: ``openai/MODEL?base_url=URL&api=chat|completions&timeout=30&max_retries=4&retry_budget=120
&rps=10&concurrency=16&max_tokens=N&top_logprobs=20&logprobs=auto|true|false&api_key_env=NAME``.

- ``base_url``: the API root ending in ``/v1`` (default ``$OPENAI_BASE_URL``, else
  https://api.openai.com/v1).
- ``max_retries``: retries after the first attempt (default 4, so at most 5 attempts);
  ``retry_budget``: total seconds one call may take, waits included (default 120). The rules of
  what is retried live in `medaudit.models.retry`.
- ``rps``: requests started per second (default unlimited); ``concurrency``: requests in flight.
- ``max_tokens``: overrides the request's own limit; ``timeout``: seconds per HTTP request.
- The API key comes only from the environment: ``$api_key_env`` when given, else
  ``MEDAUDIT_OPENAI_API_KEY``, else ``OPENAI_API_KEY``. A loopback server needs none. The key never
  appears in `info()`, `repr()`, logs or error messages (a server that echoes it is redacted).

Answers that are not a usable completion (an HTML page, malformed JSON, no choices) are not
retried: they come from a wrong ``base_url`` or a broken server, and repeating the request only
multiplies the same error. They raise `ModelCallError` at once, naming the server and the fix.

Logprob scoring (`choice_logprobs`) asks for one token with its top-k alternatives (``/completions``
with ``logprobs=k``, or chat with ``logprobs: true, top_logprobs: k``) and reads the first token's
list; `medaudit.models.letter_logprobs` maps it to option letters (absent letters get a floor).
A chat model whose first token is not the letter (e.g. "答案") scores badly this way: use
``--method generate`` for such models.
"""

from __future__ import annotations

import asyncio
import dataclasses
import ipaddress
import json
import os
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from medaudit.errors import MedauditError, ModelCallError, ModelSpecError
from medaudit.models.base import Capabilities, GenerateRequest, Generation, ModelInfo, OptionScores
from medaudit.models.letter_logprobs import letters_from_top
from medaudit.models.ratelimit import RateLimiter
from medaudit.models.retry import (
    Attempt,
    AttemptFailed,
    Retrier,
    RetryPolicy,
    is_retryable_status,
    parse_retry_after,
)
from medaudit.models.spec import ModelSpec

T = TypeVar("T")
Json = dict[str, Any]

DEFAULT_BASE_URL = "https://api.openai.com/v1"
KEY_ENV_VARS = ("MEDAUDIT_OPENAI_API_KEY", "OPENAI_API_KEY")
SPEC_KEYS = {"base_url", "api", "timeout", "max_retries", "retry_budget", "rps", "concurrency",
             "max_tokens", "top_logprobs", "logprobs", "api_key_env"}
LANE_WIDTH = 16  # connections per httpx client; see _LoopState
_HTML_HINT = "is base_url the API root ending in /v1?"
_DETAIL_CHARS = 200


def _is_loopback(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _one_line(text: str, limit: int = _DETAIL_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _status(err: ModelCallError) -> int | None:
    """The HTTP status behind a failed call, if the last attempt got one."""
    cause = err.__cause__
    return cause.status if isinstance(cause, AttemptFailed) else None


@dataclass
class _LoopState:
    """Objects bound to one event loop; rebuilt if the backend is used from a new loop.

    Concurrency is a queue of *lanes* (one token per allowed request in flight), each lane tied
    to one of several small `httpx.AsyncClient`s of at most `LANE_WIDTH` connections. Why not one
    client with `concurrency` connections: httpcore scans its whole pool for every request, so
    one pool of 128 connections spent most of its time in that scan (measured 0.14 of the
    theoretical throughput against the stub server at 128 in flight on 2 cores).
    """

    loop: asyncio.AbstractEventLoop
    clients: list[httpx.AsyncClient]
    lanes: asyncio.Queue[int]
    limiter: RateLimiter | None


class OpenAICompatBackend:
    """`ModelBackend` over HTTP. Extra keyword arguments exist for tests only."""

    def __init__(self, spec: ModelSpec, *, transport: httpx.AsyncBaseTransport | None = None,
                 sleep: Callable[[float], Awaitable[None]] | None = None,
                 policy: RetryPolicy | None = None) -> None:
        if any(k.lower() in ("api_key", "key", "apikey", "token") for k in spec.params):
            raise ModelSpecError(f"model spec 'openai/{spec.name}': never put an API key in the "
                                 f"spec; set {KEY_ENV_VARS[0]} in the environment "
                                 "(or api_key_env=NAME)")
        spec.check_keys(SPEC_KEYS)
        self.spec = spec
        self.model = spec.name
        self.api = spec.param("api", "chat") or "chat"
        if self.api not in ("chat", "completions"):
            raise ModelSpecError(f"model spec '{spec.text}': api must be chat or completions")
        raw_base = spec.param("base_url") or os.environ.get("OPENAI_BASE_URL") or DEFAULT_BASE_URL
        self.base_url = raw_base.strip().rstrip("/")
        try:
            url = httpx.URL(self.base_url)
        except httpx.InvalidURL:
            url = None
        if url is None or url.scheme not in ("http", "https") or not url.host:
            raise ModelSpecError(f"model spec '{spec.text}': base_url '{self.base_url}' is not an "
                                 "http(s) URL; write e.g. base_url=http://127.0.0.1:8000/v1")
        self.display_url = re.sub(r"//[^/@]*@", "//***@", self.base_url)
        self.timeout = spec.float_param("timeout", 30.0)
        self.concurrency = spec.int_param("concurrency", 16)
        self.rps = spec.float_param("rps", 0.0)
        self.max_tokens = spec.int_param("max_tokens", 0) or None
        self.top_logprobs = spec.int_param("top_logprobs", 20)
        retries = spec.int_param("max_retries", 4)
        budget = spec.float_param("retry_budget", 120.0)
        if self.timeout <= 0 or self.concurrency < 1 or self.rps < 0 or retries < 0 or budget <= 0:
            raise ModelSpecError(f"model spec '{spec.text}': timeout, retry_budget and concurrency "
                                 "must be positive, rps and max_retries not negative")
        self.policy = policy or RetryPolicy(max_attempts=retries + 1, total_budget_s=budget)
        self._sleep = sleep
        self._retrier = Retrier(self.policy, sleep=sleep)
        self._transport = transport
        self._key_env, self._api_key = self._resolve_key(url.host)
        logprobs = (spec.param("logprobs", "auto") or "auto").lower()
        if logprobs not in ("auto", "true", "false"):
            raise ModelSpecError(f"model spec '{spec.text}': logprobs must be auto, true or false")
        has_logprobs = self.api == "completions" if logprobs == "auto" else logprobs == "true"
        self.capabilities = Capabilities(logprobs=has_logprobs, local=False,
                                         chat=self.api == "chat", default_method="generate",
                                         max_concurrency=self.concurrency)
        self._state: _LoopState | None = None

    # -- configuration -------------------------------------------------------------------------
    def _resolve_key(self, host: str) -> tuple[str | None, str | None]:
        named = self.spec.param("api_key_env")
        for name in ([named] if named else KEY_ENV_VARS):
            value = os.environ.get(name, "").strip()
            if value:
                return name, value
        if named:
            raise MedauditError(f"model spec 'openai/{self.model}': api_key_env={named} but the "
                                f"environment variable {named} is not set: export it first")
        if not _is_loopback(host):
            raise MedauditError(
                f"openai/{self.model} at {self.display_url} needs an API key: set "
                f"{KEY_ENV_VARS[0]} or {KEY_ENV_VARS[1]} in the environment, or name another "
                "variable with api_key_env=NAME (for a server without keys, set any value)")
        return None, None

    def __repr__(self) -> str:
        return (f"OpenAICompatBackend(model={self.model!r}, base_url={self.display_url!r}, "
                f"api={self.api!r})")

    def info(self) -> ModelInfo:
        return ModelInfo(spec=self.spec.text, provider="openai", name=self.model, extra={
            "base_url": self.display_url, "api": self.api, "timeout_s": self.timeout,
            "max_attempts": self.policy.max_attempts, "retry_budget_s": self.policy.total_budget_s,
            "rps": self.rps or None, "concurrency": self.concurrency,
            "max_tokens": self.max_tokens, "api_key_env": self._key_env})

    def set_concurrency(self, concurrency: int) -> None:
        """Size the connection pool to the runner's `--concurrency` (before the first call)."""
        if concurrency < 1:
            raise ModelSpecError("concurrency must be at least 1")
        self.concurrency = concurrency
        self.capabilities = dataclasses.replace(self.capabilities, max_concurrency=concurrency)
        self._state = None

    def _loop_state(self) -> _LoopState:
        loop = asyncio.get_running_loop()
        if self._state is None or self._state.loop is not loop:
            headers = {"User-Agent": "medaudit"}
            if self._api_key:
                headers["Authorization"] = f"Bearer {self._api_key}"
            n_clients = -(-self.concurrency // LANE_WIDTH)
            width = -(-self.concurrency // n_clients)
            limits = httpx.Limits(max_connections=width, max_keepalive_connections=width)
            clients = [httpx.AsyncClient(base_url=self.base_url + "/", headers=headers,
                                         limits=limits, transport=self._transport,
                                         timeout=self.timeout, follow_redirects=False)
                       for _ in range(n_clients)]
            lanes: asyncio.Queue[int] = asyncio.Queue()
            for lane in range(self.concurrency):
                lanes.put_nowait(lane % n_clients)
            limiter = RateLimiter(self.rps, sleep=self._sleep) if self.rps > 0 else None
            self._state = _LoopState(loop, clients, lanes, limiter)
        return self._state

    # -- one HTTP exchange ---------------------------------------------------------------------
    def _redact(self, text: str) -> str:
        if self._api_key:
            text = text.replace(self._api_key, "***")
        return re.sub(r"(?i)bearer\s+\S+", "Bearer ***", text)

    def _fail(self, what: str, *, retryable: bool, retry_after_s: float | None = None,
              status: int | None = None) -> AttemptFailed:
        message = self._redact(f"server at {self.display_url} {what}")
        return AttemptFailed(message, retryable=retryable, retry_after_s=retry_after_s,
                             status=status)

    def _server_detail(self, response: httpx.Response) -> str:
        try:
            data = response.json()
            error = data.get("error") if isinstance(data, dict) else None
            if isinstance(error, dict):
                error = error.get("message")
            text = str(error if error else data)
        except ValueError:
            text = response.text
        return _one_line(self._redact(text))

    async def _exchange(self, client: httpx.AsyncClient, method: str, path: str,
                        payload: Json | None, timeout: float) -> Json:
        """Send one request; return the JSON object or raise `AttemptFailed`, classified."""
        try:
            response = await client.request(method, path, json=payload, timeout=timeout)
        except httpx.TimeoutException:
            raise self._fail(f"did not answer within {timeout:g} s (timeout)",
                             retryable=True) from None
        except httpx.ConnectError as err:
            raise self._fail(f"is unreachable ({_one_line(str(err)) or 'connection refused'})",
                             retryable=True) from None
        except httpx.TransportError as err:
            raise self._fail(f"broke the connection ({type(err).__name__}: {_one_line(str(err))})",
                             retryable=True) from None
        status = response.status_code
        body = response.content
        html = "html" in response.headers.get("content-type", "").lower() or (
            body.lstrip()[:1] == b"<")
        if not 200 <= status < 300:
            detail = (f"an HTML page, not JSON: {_HTML_HINT}" if html
                      else self._server_detail(response))
            if 300 <= status < 400:
                location = response.headers.get("location", "?")
                detail = f"redirect to {location}: use that as base_url"
            retryable = is_retryable_status(status)
            header = response.headers.get("retry-after")
            retry_after = parse_retry_after(header) if retryable else None
            raise self._fail(f"answered HTTP {status} to {method} /{path}" +
                             (f" with {detail}" if html else f": {detail}" if detail else ""),
                             retryable=retryable, retry_after_s=retry_after, status=status)
        if html:
            raise self._fail(f"returned HTML, not JSON: {_HTML_HINT}", retryable=False)
        try:
            data = json.loads(body)
        except ValueError as err:
            raise self._fail(f"returned malformed JSON ({err}): is it an OpenAI-compatible API?",
                             retryable=False) from None
        if not isinstance(data, dict):
            raise self._fail("returned JSON that is not an object: is it an OpenAI-compatible API?",
                             retryable=False)
        return data

    async def _call(self, method: str, path: str, payload: Json | None,
                    parse: Callable[[Json], T], *, retrier: Retrier | None = None) -> tuple[T, int]:
        """One logical call: concurrency slot, rate limit per attempt, bounded retries."""
        state = self._loop_state()
        lane = await state.lanes.get()
        client = state.clients[lane]

        async def attempt(at: Attempt) -> T:
            if state.limiter is not None:
                await state.limiter.acquire()
            timeout = max(0.05, min(self.timeout, at.remaining_s))
            return parse(await self._exchange(client, method, path, payload, timeout))

        try:
            return await (retrier or self._retrier).run(attempt)
        finally:
            state.lanes.put_nowait(lane)

    def _first_choice(self, data: Json) -> Json:
        choices = data.get("choices")
        if not isinstance(choices, list) or not choices or not isinstance(choices[0], dict):
            error = data.get("error")
            why = f": {_one_line(self._redact(str(error)))}" if error else ""
            raise self._fail(f"returned no choices for model '{self.model}'{why}", retryable=False)
        first: Json = choices[0]
        return first

    # -- protocol ------------------------------------------------------------------------------
    def _generation_payload(self, request: GenerateRequest) -> tuple[str, Json]:
        payload: Json = {"model": self.model, "max_tokens": self.max_tokens or request.max_tokens,
                         "temperature": request.temperature, "seed": request.seed}
        if request.stop:
            payload["stop"] = list(request.stop)
        if self.api == "chat":
            messages = [{"role": m.role, "content": m.content} for m in request.messages]
            payload["messages"] = messages or [{"role": "user", "content": request.prompt}]
            return "chat/completions", payload
        payload["prompt"] = request.prompt
        return "completions", payload

    def _parse_generation(self, data: Json) -> Generation:
        choice = self._first_choice(data)
        if self.api == "chat":
            message = choice.get("message")
            if not isinstance(message, dict):
                raise self._fail("returned a chat choice without a message", retryable=False)
            content = message.get("content")
            if isinstance(content, list):  # content parts
                content = "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
            if content is None:
                content = message.get("refusal") or ""
        else:
            content = choice.get("text")
            if content is None:
                raise self._fail("returned a completion choice without text", retryable=False)
        usage = data.get("usage")
        if not isinstance(usage, dict):
            usage = {}
        return Generation(text=str(content), finish_reason=choice.get("finish_reason"),
                          prompt_tokens=usage.get("prompt_tokens"),
                          completion_tokens=usage.get("completion_tokens"))

    async def generate(self, request: GenerateRequest) -> Generation:
        path, payload = self._generation_payload(request)
        generation, attempts = await self._call("POST", path, payload, self._parse_generation)
        return Generation(text=generation.text, finish_reason=generation.finish_reason,
                          prompt_tokens=generation.prompt_tokens,
                          completion_tokens=generation.completion_tokens, attempts=attempts)

    def _parse_top(self, data: Json) -> list[tuple[str, float]]:
        choice = self._first_choice(data)
        logprobs = choice.get("logprobs")
        try:
            if self.api == "chat":
                entries = logprobs["content"][0]["top_logprobs"]  # type: ignore[index]
                top = [(str(e["token"]), float(e["logprob"])) for e in entries]
            else:
                first = logprobs["top_logprobs"][0]  # type: ignore[index]
                top = [(str(t), float(lp)) for t, lp in first.items()]
        except (TypeError, KeyError, IndexError, ValueError, AttributeError):
            top = []
        if not top:
            raise self._fail(f"returned no top logprobs for the first token on /{self.api}: this "
                             "server does not support logprob scoring; use --method generate",
                             retryable=False)
        return top

    async def choice_logprobs(self, prompt: str, letters: Sequence[str]) -> OptionScores:
        payload: Json = {"model": self.model, "max_tokens": 1, "temperature": 0.0, "seed": 0}
        if self.api == "chat":
            path = "chat/completions"
            payload.update(messages=[{"role": "user", "content": prompt}], logprobs=True,
                           top_logprobs=self.top_logprobs)
        else:
            path = "completions"
            payload.update(prompt=prompt, logprobs=self.top_logprobs)
        top, attempts = await self._call("POST", path, payload, self._parse_top)
        return OptionScores(letters_from_top(top, letters), attempts=attempts)

    async def preflight(self) -> None:
        """Fail fast, in one line, when the server is unreachable, is not an OpenAI-compatible
        API, rejects the key or does not know the model: GET /models (a 404 there is tolerated,
        some servers lack it) and then one generation of one token."""
        quick = Retrier(RetryPolicy(max_attempts=min(3, self.policy.max_attempts),
                                    total_budget_s=min(self.policy.total_budget_s, 60.0)),
                        sleep=self._sleep)
        key_hint = f"check the API key in ${self._key_env}" if self._key_env else (
            f"set an API key in ${KEY_ENV_VARS[0]}")
        try:
            await self._call("GET", "models", None, lambda data: data, retrier=quick)
        except ModelCallError as err:
            # A JSON 404 means an API without /models (tolerated); an HTML 404 is a wrong base_url.
            if _status(err) != 404 or _HTML_HINT in str(err):
                raise MedauditError(self._preflight_line(err, key_hint)) from None
        probe = GenerateRequest(prompt="ping", max_tokens=1)
        path, payload = self._generation_payload(probe)
        payload["max_tokens"] = 1
        try:
            await self._call("POST", path, payload, self._parse_generation, retrier=quick)
        except ModelCallError as err:
            raise MedauditError(self._preflight_line(err, key_hint)) from None

    def _preflight_line(self, err: ModelCallError, key_hint: str) -> str:
        text = str(err)
        if _status(err) in (401, 403):
            return f"model {self.model}: {text}: {key_hint}"
        if err.retryable:
            return f"model {self.model}: {text}: is the server running, and is base_url right?"
        return f"model {self.model}: {text}"

    async def aclose(self) -> None:
        state, self._state = self._state, None
        if state is not None and state.loop is asyncio.get_running_loop():
            for client in state.clients:
                await client.aclose()
