"""A real OpenAI-compatible HTTP server with faults on demand, for tests and benchmarks.

Why our own: reliability tests must show that a run survives 429s, 500s, timeouts and broken
answers, that retries stay bounded and that nothing is counted twice. That needs a server whose
latency, fault rate and answers are set by the test, and which *counts* what it received. It is
plain asyncio (no web framework), so it starts in well under a second, serves hundreds of
concurrent keep-alive connections on two cores, and needs no optional extra.

Endpoints: ``GET /v1/models``, ``POST /v1/chat/completions`` (with ``logprobs``/``top_logprobs``),
``POST /v1/completions`` (with ``logprobs: k``), ``GET /stats`` (counters as JSON) and
``POST /stats/reset``. Any other path gets an HTML 404 page, as a web server would, so a base_url
without ``/v1`` reproduces the "HTML, not JSON" mistake.

Answers (``policy``): ``always-A``; ``hash`` (a letter chosen by a hash of seed and prompt, so the
same prompt always gets the same answer, whatever the order or number of retries); ``random``
(a seeded stream: reproducible only for the same request order). Option letters are read from
lines like ``B. …`` in the prompt (default A–D).

Faults: each completion request fails with probability ``error_rate``, its kind drawn from
``faults``: ``429`` (with ``Retry-After`` when set), ``500``, ``503``, ``timeout`` (holds the
request ``hang_s`` seconds, then drops it), ``disconnect``, ``html``, ``empty`` (no choices) and
``malformed`` (truncated JSON). ``fail_first=N`` makes the first N requests of every prompt fail
with the first listed fault, deterministically. ``/v1/models`` is never faulted.

Counting: each completion request is counted under ``prompt_key`` of its prompt (the last user
message for chat) with how many were answered ``ok`` and how many faulted, by kind.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import random
import re
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

FAULTS = ("429", "500", "503", "timeout", "disconnect", "html", "empty", "malformed")
POLICIES = ("always-A", "hash", "random")
_OPTION_LINE = re.compile(r"^\s*([A-J])\s*[.．、:：)）]", re.MULTILINE)
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            411: "Length Required", 429: "Too Many Requests", 500: "Internal Server Error",
            503: "Service Unavailable"}
_HTML_PAGE = ("<!DOCTYPE html><html><head><title>{title}</title></head>"
              "<body><h1>{title}</h1><p>medaudit stub server</p></body></html>")
_MAX_BODY = 16 * 1024 * 1024


def prompt_key(text: str) -> str:
    """Short stable id of a prompt, as used in `/stats` (first 16 hex digits of its sha256)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def option_letters(prompt: str) -> list[str]:
    found = list(dict.fromkeys(_OPTION_LINE.findall(prompt)))
    return found or ["A", "B", "C", "D"]


def answer_letter(policy: str, seed: int, prompt: str, rng: random.Random | None = None) -> str:
    """The letter the stub answers for `prompt` under `policy` (tests use it as the expectation)."""
    letters = option_letters(prompt)
    if policy == "always-A":
        return "A"
    if policy == "random":
        return (rng or random.Random(seed)).choice(letters)
    digest = hashlib.sha256(f"{seed}\x1f{prompt}".encode()).digest()
    return letters[int.from_bytes(digest[:8], "big") % len(letters)]


@dataclass(frozen=True)
class StubConfig:
    host: str = "127.0.0.1"
    port: int = 0
    model: str = "stub"
    latency_s: float = 0.0
    jitter_s: float = 0.0
    error_rate: float = 0.0
    faults: tuple[str, ...] = ("429", "500", "timeout")
    policy: str = "hash"
    seed: int = 0
    retry_after: str | None = None
    hang_s: float = 60.0
    fail_first: int = 0
    api_key: str | None = None

    def __post_init__(self) -> None:
        unknown = [f for f in self.faults if f not in FAULTS]
        if unknown or not self.faults:
            raise ValueError(f"unknown fault {unknown}; choose from {', '.join(FAULTS)}")
        if self.policy not in POLICIES:
            raise ValueError(f"unknown policy '{self.policy}'; choose from {', '.join(POLICIES)}")
        if not 0.0 <= self.error_rate <= 1.0:
            raise ValueError("error_rate must be between 0 and 1")


@dataclass
class _Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class _Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False  # close the connection without answering


def _json_reply(status: int, obj: Any, headers: dict[str, str] | None = None) -> _Reply:
    body = json.dumps(obj, ensure_ascii=False).encode("utf-8")
    return _Reply(status, body, headers=headers or {})


def _error(status: int, message: str, kind: str, headers: dict[str, str] | None = None) -> _Reply:
    return _json_reply(status, {"error": {"message": message, "type": kind, "code": None}}, headers)


class StubStats:
    """What the server received, for tests to assert on."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.requests = 0
        self.by_endpoint: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.by_prompt: dict[str, dict[str, Any]] = {}
        self.in_flight = 0
        self.max_in_flight = 0

    def prompt(self, key: str) -> dict[str, Any]:
        return self.by_prompt.setdefault(key, {"requests": 0, "ok": 0, "faults": {}})

    def as_json(self) -> dict[str, Any]:
        return {"requests": self.requests, "by_endpoint": dict(self.by_endpoint),
                "faults": dict(self.faults), "by_prompt": self.by_prompt,
                "in_flight": self.in_flight, "max_in_flight": self.max_in_flight}


def _top_tokens(letter: str, letters: list[str], k: int) -> list[tuple[str, float]]:
    """A plausible next-token distribution: the answer first, other letters, then noise."""
    top = [(letter, -0.1)]
    others = [x for x in letters if x != letter]
    top += [(x, -3.0 - 0.5 * i) for i, x in enumerate(others)]
    top += [(" " + letter, -6.0), ("答", -6.5), ("\n", -7.0)]
    return sorted(top, key=lambda t: -t[1])[: max(1, k)]


class StubServer:
    """Run with ``await server.start()`` then ``await server.serve_forever()``."""

    def __init__(self, config: StubConfig) -> None:
        self.config = config
        self.stats = StubStats()
        self._rng = random.Random(config.seed)
        self._answer_rng = random.Random(config.seed + 1)
        self._server: asyncio.Server | None = None
        self.port = config.port
        self._serial = 0

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}/v1"

    async def start(self) -> int:
        self._server = await asyncio.start_server(self._connection, self.config.host,
                                                  self.config.port, backlog=1024)
        self.port = self._server.sockets[0].getsockname()[1]
        return self.port

    async def serve_forever(self) -> None:
        assert self._server is not None, "call start() first"
        await self._server.serve_forever()

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
            with contextlib.suppress(Exception):
                await self._server.wait_closed()

    # -- HTTP/1.1 ------------------------------------------------------------------------------
    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                try:
                    reply = await self._route(request)
                except Exception as err:  # a bug here must show as a 500, not a hung client
                    reply = _error(500, f"stub server error: {type(err).__name__}: {err}",
                                   "server_error")
                if reply.drop:
                    break
                keep = request.headers.get("connection", "").lower() != "close"
                await _write_reply(writer, reply, keep)
                if not keep:
                    break
        except (ConnectionError, asyncio.IncompleteReadError, ValueError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _route(self, request: _Request) -> _Reply:
        path = request.path
        if path == "/stats" and request.method == "GET":
            return _json_reply(200, self.stats.as_json())
        if path == "/stats/reset" and request.method == "POST":
            self.stats.reset()
            return _json_reply(200, {"reset": True})
        if not path.startswith("/v1/"):
            page = _HTML_PAGE.format(title="404 Not Found").encode()
            return _Reply(404, page, content_type="text/html; charset=utf-8")
        if self.config.api_key is not None:
            given = request.headers.get("authorization", "")
            if given != f"Bearer {self.config.api_key}":
                # Echo the key like a careless server would, to test that clients redact it.
                return _error(401, f"Incorrect API key provided: {given.removeprefix('Bearer ')}",
                              "invalid_request_error")
        if path == "/v1/models" and request.method == "GET":
            return _json_reply(200, {"object": "list", "data": [
                {"id": self.config.model, "object": "model", "owned_by": "medaudit-stub"}]})
        if request.method == "POST" and path in ("/v1/chat/completions", "/v1/completions"):
            return await self._completion(request, chat=path.endswith("chat/completions"))
        return _error(404, f"no route for {request.method} {path}", "invalid_request_error")

    async def _completion(self, request: _Request, *, chat: bool) -> _Reply:
        try:
            body = json.loads(request.body)
            prompt = _prompt_of(body, chat)
        except (ValueError, TypeError, KeyError, IndexError):
            return _error(400, "request body is not a valid completion request",
                          "invalid_request_error")
        if body.get("model") != self.config.model:
            return _error(404, f"The model `{body.get('model')}` does not exist; this server "
                          f"serves `{self.config.model}`", "invalid_request_error")
        stats = self.stats
        key = prompt_key(prompt)
        record = stats.prompt(key)
        stats.requests += 1
        stats.by_endpoint["chat" if chat else "completions"] += 1
        record["requests"] += 1
        stats.in_flight += 1
        stats.max_in_flight = max(stats.max_in_flight, stats.in_flight)
        try:
            fault = self._pick_fault(record["requests"])
            delay = self.config.latency_s + self._rng.uniform(0.0, self.config.jitter_s)
            if delay > 0:
                await asyncio.sleep(delay)
            if fault is not None:
                stats.faults[fault] += 1
                record["faults"][fault] = record["faults"].get(fault, 0) + 1
                return await self._fault(fault)
            reply = self._answer(body, prompt, chat)
            record["ok"] += 1
            return reply
        finally:
            stats.in_flight -= 1

    def _pick_fault(self, nth_request: int) -> str | None:
        config = self.config
        if nth_request <= config.fail_first:
            return config.faults[0]
        if config.error_rate > 0 and self._rng.random() < config.error_rate:
            return self._rng.choice(config.faults)
        return None

    async def _fault(self, fault: str) -> _Reply:
        headers = {"Retry-After": self.config.retry_after} if self.config.retry_after else {}
        if fault == "429":
            return _error(429, "Rate limit reached (stub)", "rate_limit_error", headers)
        if fault in ("500", "503"):
            return _error(int(fault), "The server had an error (stub)", "server_error",
                          headers if fault == "503" else None)
        if fault == "timeout":
            await asyncio.sleep(self.config.hang_s)
            return _Reply(drop=True)
        if fault == "disconnect":
            return _Reply(drop=True)
        if fault == "html":
            page = _HTML_PAGE.format(title="502 Bad Gateway").encode()
            return _Reply(200, page, content_type="text/html")
        if fault == "empty":
            return _json_reply(200, {"id": "stub-empty", "object": "chat.completion",
                                     "choices": []})
        return _Reply(200, b'{"id": "stub-malformed", "choices": [{"index": 0, "mess')

    def _answer(self, body: dict[str, Any], prompt: str, chat: bool) -> _Reply:
        config = self.config
        letter = answer_letter(config.policy, config.seed, prompt, self._answer_rng)
        max_tokens = int(body.get("max_tokens") or 512)
        text = letter if max_tokens <= 2 else f"答案：{letter}"
        self._serial += 1
        usage = {"prompt_tokens": len(prompt), "completion_tokens": len(text),
                 "total_tokens": len(prompt) + len(text)}
        choice: dict[str, Any] = {"index": 0, "finish_reason": "stop", "logprobs": None}
        letters = option_letters(prompt)
        if chat:
            choice["message"] = {"role": "assistant", "content": text}
            if body.get("logprobs") is True:
                top = _top_tokens(letter, letters, int(body.get("top_logprobs") or 1))
                choice["logprobs"] = {"content": [{
                    "token": top[0][0], "logprob": top[0][1], "bytes": list(top[0][0].encode()),
                    "top_logprobs": [{"token": t, "logprob": lp, "bytes": list(t.encode())}
                                     for t, lp in top]}]}
            obj = "chat.completion"
        else:
            choice["text"] = text
            k = body.get("logprobs")
            if isinstance(k, int) and not isinstance(k, bool) and k > 0:
                top = _top_tokens(letter, letters, k)
                choice["logprobs"] = {"tokens": [top[0][0]], "token_logprobs": [top[0][1]],
                                      "top_logprobs": [dict(top)], "text_offset": [0]}
            obj = "text_completion"
        return _json_reply(200, {"id": f"stub-{self._serial}", "object": obj,
                                 "created": int(time.time()), "model": config.model,
                                 "choices": [choice], "usage": usage})


def _prompt_of(body: dict[str, Any], chat: bool) -> str:
    if chat:
        users = [m for m in body["messages"] if m.get("role") == "user"]
        content = (users or body["messages"])[-1]["content"]
        if isinstance(content, list):
            content = "".join(str(p.get("text", "")) for p in content)
        return str(content)
    prompt = body["prompt"]
    return str(prompt[0] if isinstance(prompt, list) else prompt)


async def _read_request(reader: asyncio.StreamReader) -> _Request | None:
    line = await reader.readline()
    if not line:
        return None
    parts = line.decode("latin-1").split()
    if len(parts) != 3:
        raise ValueError("bad request line")
    method, target, _ = parts
    headers: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if raw in (b"\r\n", b"\n", b""):
            break
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    if "chunked" in headers.get("transfer-encoding", "").lower():
        raise ValueError("chunked request bodies are not supported")
    length = int(headers.get("content-length", "0") or 0)
    if length < 0 or length > _MAX_BODY:
        raise ValueError("bad content-length")
    body = await reader.readexactly(length) if length else b""
    return _Request(method.upper(), target.split("?", 1)[0], headers, body)


async def _write_reply(writer: asyncio.StreamWriter, reply: _Reply, keep_alive: bool) -> None:
    head = [f"HTTP/1.1 {reply.status} {_REASONS.get(reply.status, 'Status')}",
            f"Content-Type: {reply.content_type}", f"Content-Length: {len(reply.body)}",
            f"Connection: {'keep-alive' if keep_alive else 'close'}"]
    head += [f"{k}: {v}" for k, v in reply.headers.items()]
    writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + reply.body)
    await writer.drain()


async def run_stub_server(config: StubConfig, *, announce: bool = True) -> None:
    """Start, print the base URL on one flushed line (tests read it), and serve until killed."""
    server = StubServer(config)
    await server.start()
    if announce:
        print(f"stub server listening on {server.url}", flush=True)
    try:
        await server.serve_forever()
    finally:
        await server.close()
