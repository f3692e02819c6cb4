"""The OpenAI-compatible backend against httpx.MockTransport: payloads, parsing, retries,
error messages and secrets. Back-off sleeps are recorded, not waited."""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from medaudit.errors import MedauditError, ModelCallError, ModelSpecError
from medaudit.models.base import GenerateRequest, Message
from medaudit.models.letter_logprobs import FLOOR_GAP, letters_from_top
from medaudit.models.openai_compat import OpenAICompatBackend
from medaudit.models.registry import load_model
from medaudit.models.spec import parse_spec

BASE = "http://127.0.0.1:1/v1"
SECRET = "sk-test-SECRET-0123456789abcdef"
Handler = Callable[[httpx.Request], httpx.Response]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "MEDAUDIT_OPENAI_API_KEY", "OPENAI_BASE_URL", "MY_KEY"):
        monkeypatch.delenv(name, raising=False)


class Recorder:
    """Collects requests and fake sleeps for one backend."""

    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.sleeps: list[float] = []

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)

    def body(self, i: int = -1) -> dict[str, Any]:
        parsed: dict[str, Any] = json.loads(self.requests[i].content)
        return parsed


def make(handler: Handler, params: str = "",
         base: str = BASE) -> tuple[OpenAICompatBackend, Recorder]:
    rec = Recorder()

    def wrapped(request: httpx.Request) -> httpx.Response:
        rec.requests.append(request)
        return handler(request)

    spec = parse_spec(f"openai/m1?base_url={base}" + (f"&{params}" if params else ""))
    backend = OpenAICompatBackend(spec, transport=httpx.MockTransport(wrapped), sleep=rec.sleep)
    return backend, rec


def chat_ok(text: str = "答案：B", **extra: Any) -> httpx.Response:
    return httpx.Response(200, json={
        "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                     "finish_reason": "stop", **extra}],
        "usage": {"prompt_tokens": 11, "completion_tokens": 3}})


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def generate(backend: OpenAICompatBackend, prompt: str = "题目\nA. 甲\nB. 乙") -> Any:
    async def go() -> Any:
        try:
            return await backend.generate(GenerateRequest(prompt=prompt))
        finally:
            await backend.aclose()

    return run(go())


# -- requests and parsing ------------------------------------------------------------------------
def test_chat_generate_sends_deterministic_payload_and_parses_reply() -> None:
    backend, rec = make(lambda r: chat_ok())
    gen = generate(backend)
    assert rec.requests[0].url == httpx.URL(f"{BASE}/chat/completions")
    assert rec.body() == {"model": "m1", "max_tokens": 512, "temperature": 0.0, "seed": 0,
                          "messages": [{"role": "user", "content": "题目\nA. 甲\nB. 乙"}]}
    assert (gen.text, gen.finish_reason, gen.attempts) == ("答案：B", "stop", 1)
    assert (gen.prompt_tokens, gen.completion_tokens) == (11, 3)


def test_chat_uses_messages_and_stop_and_spec_max_tokens() -> None:
    backend, rec = make(lambda r: chat_ok(), "max_tokens=64")
    request = GenerateRequest(prompt="flat", messages=(Message("system", "你是医生"),
                                                       Message("user", "问题")),
                              temperature=0.7, seed=9, stop=("\n\n",))

    async def go() -> None:
        await backend.generate(request)
        await backend.aclose()

    run(go())
    body = rec.body()
    assert body["messages"] == [{"role": "system", "content": "你是医生"},
                                {"role": "user", "content": "问题"}]
    assert (body["max_tokens"], body["temperature"], body["seed"], body["stop"]) == (
        64, 0.7, 9, ["\n\n"])


def test_completions_api_sends_prompt_and_reads_text() -> None:
    def handler(r: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"choices": [{"text": " C", "finish_reason": "length"}]})

    backend, rec = make(handler, "api=completions")
    gen = generate(backend, "问：")
    assert rec.requests[0].url.path == "/v1/completions"
    assert rec.body()["prompt"] == "问："
    assert (gen.text, gen.finish_reason) == (" C", "length")


def test_chat_null_content_becomes_empty_text_not_an_error() -> None:
    backend, _ = make(lambda r: chat_ok(text=None))  # type: ignore[arg-type]
    assert generate(backend).text == ""


# -- retries -------------------------------------------------------------------------------------
def test_429_with_retry_after_is_retried_after_that_wait() -> None:
    limited = httpx.Response(429, headers={"Retry-After": "2"}, json={"error": {"message": "slow"}})
    replies = [limited, chat_ok()]
    backend, rec = make(lambda r: replies.pop(0))
    gen = generate(backend)
    assert gen.attempts == 2
    assert rec.sleeps == [2.0]


def test_5xx_exhausts_bounded_attempts_then_raises() -> None:
    backend, rec = make(lambda r: httpx.Response(500, json={"error": {"message": "boom"}}))
    with pytest.raises(ModelCallError) as info:
        generate(backend)
    assert len(rec.requests) == 5 and info.value.attempts == 5 and info.value.retryable
    message = str(info.value)
    assert message.startswith(f"server at {BASE} answered HTTP 500")
    assert "boom" in message and "gave up after 5 attempts" in message
    assert "\n" not in message


def test_max_retries_sets_the_number_of_retries() -> None:
    backend, rec = make(lambda r: httpx.Response(503), "max_retries=1")
    with pytest.raises(ModelCallError) as info:
        generate(backend)
    assert len(rec.requests) == 2 and info.value.attempts == 2


@pytest.mark.parametrize("status", [400, 401, 403, 404, 422])
def test_other_4xx_are_not_retried(status: int) -> None:
    body = {"error": {"message": f"nope {status}", "type": "invalid_request_error"}}
    backend, rec = make(lambda r: httpx.Response(status, json=body))
    with pytest.raises(ModelCallError) as info:
        generate(backend)
    assert len(rec.requests) == 1
    assert info.value.attempts == 1 and not info.value.retryable
    assert f"HTTP {status}" in str(info.value) and f"nope {status}" in str(info.value)


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("read timed out"),
                                 httpx.ConnectTimeout("connect timed out")])
def test_timeouts_are_retried(exc: Exception) -> None:
    def handler(r: httpx.Request) -> httpx.Response:
        raise exc

    backend, rec = make(handler, "timeout=7")
    with pytest.raises(ModelCallError) as info:
        generate(backend)
    assert len(rec.requests) == 5 and info.value.retryable
    assert "did not answer within 7 s (timeout)" in str(info.value)


def test_connection_errors_are_retried_then_succeed() -> None:
    calls = 0

    def handler(r: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls < 3:
            raise httpx.ConnectError("[Errno 111] Connection refused")
        return chat_ok()

    backend, _ = make(handler)
    assert generate(backend).attempts == 3


# -- answers that are not completions ------------------------------------------------------------
def test_html_body_is_not_retried_and_says_how_to_fix() -> None:
    page = "<!DOCTYPE html><html><body>Welcome</body></html>"
    backend, rec = make(lambda r: httpx.Response(200, text=page,
                                                 headers={"content-type": "text/html"}))
    with pytest.raises(ModelCallError) as info:
        generate(backend)
    assert len(rec.requests) == 1 and not info.value.retryable
    assert str(info.value) == (f"server at {BASE} returned HTML, not JSON: is base_url the API "
                               "root ending in /v1?")


def test_html_error_page_names_the_fix_too() -> None:
    backend, _ = make(lambda r: httpx.Response(404, text="<html>Not Found</html>"))
    with pytest.raises(ModelCallError) as info:
        generate(backend)
    assert "HTTP 404" in str(info.value) and "ending in /v1?" in str(info.value)


def test_empty_choices_are_not_retried() -> None:
    backend, rec = make(lambda r: httpx.Response(200, json={"choices": []}))
    with pytest.raises(ModelCallError) as info:
        generate(backend)
    assert len(rec.requests) == 1 and not info.value.retryable
    assert "returned no choices for model 'm1'" in str(info.value)


def test_malformed_json_is_not_retried() -> None:
    backend, rec = make(lambda r: httpx.Response(200, content=b'{"choices": [{"mess',
                                                 headers={"content-type": "application/json"}))
    with pytest.raises(ModelCallError) as info:
        generate(backend)
    assert len(rec.requests) == 1 and "malformed JSON" in str(info.value)


# -- logprob scoring -----------------------------------------------------------------------------
def test_completions_logprobs_map_letters_merge_variants_and_floor_missing() -> None:
    top = {"A": -0.5, " A": -2.0, "Ｂ": -1.5, "答": -3.0, "a": -0.1}

    def handler(r: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json={"choices": [{"text": "A", "logprobs": {
            "tokens": ["A"], "token_logprobs": [-0.5], "top_logprobs": [top]}}]})

    backend, rec = make(handler, "api=completions")
    scores = run(backend.choice_logprobs("题目", ["A", "B", "C"]))
    body = rec.body()
    assert (body["max_tokens"], body["logprobs"], body["temperature"]) == (1, 20, 0.0)
    assert scores.logprobs["A"] == pytest.approx(math.log(math.exp(-0.5) + math.exp(-2.0)))
    assert scores.logprobs["B"] == pytest.approx(-1.5)
    assert scores.logprobs["C"] == pytest.approx(-3.0 - FLOOR_GAP)
    assert backend.capabilities.logprobs


def test_chat_logprobs_read_the_first_tokens_top_list() -> None:
    content = [{"token": "B", "logprob": -0.2, "top_logprobs": [
        {"token": "B", "logprob": -0.2}, {"token": "A", "logprob": -2.2}]}]
    backend, rec = make(lambda r: chat_ok("B", logprobs={"content": content}), "top_logprobs=5")
    scores = run(backend.choice_logprobs("题目", ["A", "B"]))
    body = rec.body()
    assert (body["logprobs"], body["top_logprobs"], body["max_tokens"]) == (True, 5, 1)
    assert max(scores.probs(), key=scores.probs().__getitem__) == "B"


def test_server_without_logprobs_says_use_generate() -> None:
    backend, rec = make(lambda r: chat_ok("B"))
    with pytest.raises(ModelCallError) as info:
        run(backend.choice_logprobs("题目", ["A", "B"]))
    assert len(rec.requests) == 1 and "--method generate" in str(info.value)


@pytest.mark.parametrize(("token", "letter"), [
    ("A", "A"), (" B", "B"), ("C.", "C"), ("(D", "D"), ("Ｅ", "E"), ("**A**", "A"), ("（B）", "B"),
    ("a", None), ("Answer", None), ("AB", None), ("答", None), ("F", None), (" ", None)])
def test_token_to_letter_mapping(token: str, letter: str | None) -> None:
    scores = letters_from_top([(token, -1.0), ("zzz", -5.0)], ["A", "B", "C", "D", "E"])
    hits = [k for k, v in scores.items() if v == -1.0]
    assert hits == ([letter] if letter else [])
    as_string = letters_from_top([(token, -1.0), ("zzz", -5.0)], "ABCDE")
    assert [k for k, v in as_string.items() if v == -1.0] == hits


def test_no_letter_in_the_top_list_gives_a_uniform_floor() -> None:
    scores = letters_from_top([("我", -0.1), ("作为", -2.0)], ["A", "B"])
    assert scores == {"A": -2.0 - FLOOR_GAP, "B": -2.0 - FLOOR_GAP}


# -- configuration, capabilities and secrets -----------------------------------------------------
def test_capabilities_follow_the_spec() -> None:
    chat, _ = make(lambda r: chat_ok(), "concurrency=7")
    assert (chat.capabilities.logprobs, chat.capabilities.local,
            chat.capabilities.default_method, chat.capabilities.max_concurrency) == (
        False, False, "generate", 7)
    forced, _ = make(lambda r: chat_ok(), "logprobs=true")
    assert forced.capabilities.logprobs


def test_registry_builds_this_backend() -> None:
    backend = load_model(f"openai/qwen2.5-7b?base_url={BASE}")
    assert isinstance(backend, OpenAICompatBackend) and backend.model == "qwen2.5-7b"


@pytest.mark.parametrize("params", ["api=embeddings", "colour=red", "timeout=abc", "timeout=0",
                                    "concurrency=0", "max_retries=-1", "logprobs=maybe"])
def test_bad_spec_options_are_rejected(params: str) -> None:
    with pytest.raises(ModelSpecError):
        load_model(f"openai/m?base_url={BASE}&{params}")


def test_bad_base_url_is_rejected() -> None:
    with pytest.raises(ModelSpecError, match="http"):
        load_model("openai/m?base_url=ftp://example.com/v1")


def test_openai_base_url_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_BASE_URL", "http://localhost:8000/v1/")
    backend = load_model("openai/m")
    assert backend.info().extra["base_url"] == "http://localhost:8000/v1"


def test_remote_server_without_key_is_a_one_line_error() -> None:
    with pytest.raises(MedauditError) as info:
        load_model("openai/gpt-4o-mini")
    assert "MEDAUDIT_OPENAI_API_KEY" in str(info.value) and "\n" not in str(info.value)


def test_named_key_variable_must_be_set() -> None:
    with pytest.raises(MedauditError, match="MY_KEY"):
        load_model(f"openai/m?base_url={BASE}&api_key_env=MY_KEY")


def test_key_in_spec_is_refused_without_echoing_it() -> None:
    with pytest.raises(ModelSpecError) as info:
        load_model(f"openai/m?base_url={BASE}&api_key={SECRET}")
    assert SECRET not in str(info.value)


def test_loopback_needs_no_key_and_sends_none() -> None:
    backend, rec = make(lambda r: chat_ok())
    generate(backend)
    assert "authorization" not in rec.requests[0].headers


def test_key_is_sent_but_never_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MY_KEY", SECRET)
    echo = {"error": {"message": f"Incorrect API key provided: {SECRET}. Bearer {SECRET}"}}
    backend, rec = make(lambda r: httpx.Response(401, json=echo),
                        "api_key_env=MY_KEY", base="https://api.example.com/v1")
    with pytest.raises(ModelCallError) as info:
        generate(backend)
    assert rec.requests[0].headers["authorization"] == f"Bearer {SECRET}"
    shown = [str(info.value), repr(info.value), repr(backend), str(backend.info()),
             json.dumps(backend.info().extra), backend.spec.text]
    assert all(SECRET not in text for text in shown)
    assert "Incorrect API key provided: ***" in str(info.value)
    assert backend.info().extra["api_key_env"] == "MY_KEY"


def test_default_key_variables_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-second")
    monkeypatch.setenv("MEDAUDIT_OPENAI_API_KEY", "sk-first")
    backend, rec = make(lambda r: chat_ok(), base="https://api.example.com/v1")
    generate(backend)
    assert rec.requests[0].headers["authorization"] == "Bearer sk-first"


def test_credentials_in_base_url_are_hidden() -> None:
    backend = load_model("openai/m?base_url=http://user:pw@127.0.0.1:8000/v1")
    assert "pw" not in backend.info().extra["base_url"] and "pw" not in repr(backend)


# -- concurrency, rate limit, event loops ---------------------------------------------------------
def test_concurrency_caps_requests_in_flight() -> None:
    in_flight = peak = 0

    async def handler(r: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return chat_ok()

    spec = parse_spec(f"openai/m?base_url={BASE}&concurrency=3")
    backend = OpenAICompatBackend(spec, transport=httpx.MockTransport(handler))

    async def go() -> None:
        await asyncio.gather(*(backend.generate(GenerateRequest(prompt=str(i))) for i in range(12)))
        await backend.aclose()

    run(go())
    assert peak == 3


def test_concurrency_above_one_client_width_uses_all_lanes() -> None:
    in_flight = peak = 0

    async def handler(r: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.02)
        in_flight -= 1
        return chat_ok()

    spec = parse_spec(f"openai/m?base_url={BASE}&concurrency=40")
    backend = OpenAICompatBackend(spec, transport=httpx.MockTransport(handler))

    async def go() -> list[Any]:
        out = await asyncio.gather(*(backend.generate(GenerateRequest(prompt=str(i)))
                                     for i in range(100)))
        await backend.aclose()
        return list(out)

    assert all(g.text == "答案：B" for g in run(go()))
    assert peak == 40


def test_set_concurrency_resizes_before_the_first_call() -> None:
    backend, _ = make(lambda r: chat_ok(), "concurrency=4")
    backend.set_concurrency(64)
    assert backend.capabilities.max_concurrency == 64
    run(backend.generate(GenerateRequest(prompt="1")))
    assert backend._state is not None and backend._state.lanes.qsize() == 64
    assert len(backend._state.clients) == 4  # 64 lanes over clients of 16 connections
    with pytest.raises(ModelSpecError):
        backend.set_concurrency(0)


def test_rps_limit_paces_requests() -> None:
    backend, rec = make(lambda r: chat_ok(), "rps=5")

    async def go() -> None:
        for i in range(3):
            await backend.generate(GenerateRequest(prompt=str(i)))

    run(go())
    # The fake sleep does not move the clock, so each start is one more 1/5 s slot away.
    assert rec.sleeps == pytest.approx([0.2, 0.4], abs=0.02)


def test_backend_survives_a_new_event_loop() -> None:
    backend, rec = make(lambda r: chat_ok())
    run(backend.generate(GenerateRequest(prompt="1")))
    run(backend.generate(GenerateRequest(prompt="2")))
    assert len(rec.requests) == 2


# -- preflight -------------------------------------------------------------------------------------
def test_preflight_unreachable_is_one_line_medaudit_error() -> None:
    def handler(r: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("All connection attempts failed")

    backend, rec = make(handler)
    with pytest.raises(MedauditError) as info:
        run(backend.preflight())
    message = str(info.value)
    assert BASE in message and "is the server running" in message and "\n" not in message
    assert len(rec.requests) == 3  # a short preflight budget, not the full retry policy


def test_preflight_html_points_at_v1() -> None:
    backend, _ = make(lambda r: httpx.Response(200, text="<html>hi</html>"))
    with pytest.raises(MedauditError, match="ending in /v1"):
        run(backend.preflight())


def test_preflight_rejected_key_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", SECRET)
    backend, _ = make(lambda r: httpx.Response(401, json={"error": {"message": SECRET}}),
                      base="https://api.example.com/v1")
    with pytest.raises(MedauditError) as info:
        run(backend.preflight())
    assert "$OPENAI_API_KEY" in str(info.value) and SECRET not in str(info.value)


def test_preflight_tolerates_missing_models_route_then_probes() -> None:
    def handler(r: httpx.Request) -> httpx.Response:
        if r.url.path.endswith("/models"):
            return httpx.Response(404, json={"error": {"message": "no such route"}})
        return chat_ok("A")

    backend, rec = make(handler)
    run(backend.preflight())
    assert [r.url.path for r in rec.requests] == ["/v1/models", "/v1/chat/completions"]
    assert rec.body()["max_tokens"] == 1


def test_preflight_catches_a_server_with_empty_choices() -> None:
    def handler(r: httpx.Request) -> httpx.Response:
        if r.url.path.endswith("/models"):
            return httpx.Response(200, json={"data": [{"id": "m1"}]})
        return httpx.Response(200, json={"choices": []})

    backend, _ = make(handler)
    with pytest.raises(MedauditError, match="no choices"):
        run(backend.preflight())
