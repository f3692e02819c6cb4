"""The OpenAI-compatible backend against the stub server running as a real process on loopback.

These are the reliability checks of issue 3: with 20% injected 429/500/timeouts every call ends
as an answer or a reported error, attempts stay bounded, and the server's own counts show that
each request the client made was received once and each answered prompt was answered once.
"""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner

from medaudit.cli.dev import app as dev_app
from medaudit.devtools.stub_server import answer_letter, prompt_key
from medaudit.errors import MedauditError, ModelCallError
from medaudit.models.base import GenerateRequest, Generation
from medaudit.models.openai_compat import OpenAICompatBackend
from medaudit.models.retry import RetryPolicy
from medaudit.models.spec import parse_spec

FAST_RETRY = RetryPolicy(max_attempts=5, total_budget_s=30.0, base_delay_s=0.02, max_delay_s=0.2)
StartStub = Callable[..., str]


@pytest.fixture(autouse=True)
def _no_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OPENAI_API_KEY", "MEDAUDIT_OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def start_stub(stub_server: StartStub) -> StartStub:
    """`start_stub(*args, env=None) -> base URL` (conftest's real stub-server processes)."""
    return stub_server


def backend_for(url: str, params: str = "") -> OpenAICompatBackend:
    spec = parse_spec(f"openai/stub?base_url={url}" + (f"&{params}" if params else ""))
    return OpenAICompatBackend(spec, policy=FAST_RETRY)


def stats(url: str) -> dict[str, Any]:
    data: dict[str, Any] = httpx.get(url.removesuffix("/v1") + "/stats").json()
    return data


def reset_stats(url: str) -> None:
    httpx.post(url.removesuffix("/v1") + "/stats/reset")


def prompts(n: int) -> list[str]:
    return [f"第{i}题：下列哪项正确？\nA. 甲\nB. 乙\nC. 丙\nD. 丁\nE. 戊" for i in range(n)]


async def call_all(backend: OpenAICompatBackend, texts: list[str]) -> list[Any]:
    try:
        return list(await asyncio.gather(
            *(backend.generate(GenerateRequest(prompt=t)) for t in texts), return_exceptions=True))
    finally:
        await backend.aclose()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


# -- reliability -----------------------------------------------------------------------------------
@pytest.mark.parametrize("faults", ["429,500,timeout", "429,503,disconnect,timeout"])
def test_20_percent_faults_every_call_accounted_once(start_stub: StartStub, faults: str) -> None:
    url = start_stub("--error-rate", "0.2", "--errors", faults, "--latency", "0.005",
                     "--hang", "30", "--seed", "11", "--retry-after", "0")
    backend = backend_for(url, "timeout=0.5&concurrency=32")
    asyncio.run(backend.preflight())
    reset_stats(url)
    texts = prompts(300)
    results = asyncio.run(call_all(backend, texts))

    by_prompt = stats(url)["by_prompt"]
    answered = errors = 0
    for text, result in zip(texts, results, strict=True):
        record = by_prompt[prompt_key(text)]
        if isinstance(result, Generation):
            answered += 1
            assert result.text == f"答案：{answer_letter('hash', 11, text)}"
            assert 1 <= result.attempts <= FAST_RETRY.max_attempts
            assert record["requests"] == result.attempts  # each attempt reached the server once
            assert record["ok"] == 1  # and exactly one was answered
        else:
            assert isinstance(result, ModelCallError), repr(result)  # nothing else escapes
            errors += 1
            assert result.retryable and result.attempts <= FAST_RETRY.max_attempts
            assert record["requests"] == result.attempts and record["ok"] == 0
    totals = stats(url)
    assert answered + errors == len(texts)
    assert answered >= 0.98 * len(texts)  # 0.2**5 per item: a lost item is rare, never silent
    assert totals["requests"] == sum(r["requests"] for r in by_prompt.values())
    injected = totals["faults"]
    assert set(injected) == set(faults.split(","))  # every fault kind was really exercised
    assert 0.12 < sum(injected.values()) / totals["requests"] < 0.28


def test_answers_with_faults_equal_answers_without(start_stub: StartStub) -> None:
    clean = start_stub("--seed", "5")
    faulty = start_stub("--seed", "5", "--error-rate", "0.2", "--errors", "429,500,timeout",
                        "--hang", "30")
    texts = prompts(120)
    a = asyncio.run(call_all(backend_for(clean), texts))
    b = asyncio.run(call_all(backend_for(faulty, "timeout=0.5"), texts))
    assert all(isinstance(x, Generation) for x in a)
    same = [x.text == y.text for x, y in zip(a, b, strict=True) if isinstance(y, Generation)]
    assert len(same) >= 117 and all(same)


def test_attempts_are_bounded_when_a_prompt_keeps_failing(start_stub: StartStub) -> None:
    url = start_stub("--fail-first", "100", "--errors", "500")
    texts = prompts(20)
    results = asyncio.run(call_all(backend_for(url), texts))
    assert all(isinstance(r, ModelCallError) and r.attempts == 5 for r in results)
    by_prompt = stats(url)["by_prompt"]
    assert all(by_prompt[prompt_key(t)] == {"requests": 5, "ok": 0, "faults": {"500": 5}}
               for t in texts)


def test_fail_first_two_then_success_takes_exactly_three_attempts(start_stub: StartStub) -> None:
    url = start_stub("--fail-first", "2", "--errors", "429", "--retry-after", "0")
    results = asyncio.run(call_all(backend_for(url), prompts(30)))
    assert [r.attempts for r in results] == [3] * 30
    assert stats(url)["requests"] == 90


# -- logprobs --------------------------------------------------------------------------------------
@pytest.mark.parametrize("api", ["chat", "completions"])
def test_logprob_scoring_picks_the_servers_answer(start_stub: StartStub, api: str) -> None:
    url = start_stub("--seed", "3")
    backend = backend_for(url, f"api={api}")
    texts = prompts(10)

    async def score() -> list[str]:
        out = []
        for text in texts:
            scores = await backend.choice_logprobs(text, ["A", "B", "C", "D", "E"])
            probs = scores.probs()
            out.append(max(probs, key=probs.__getitem__))
        await backend.aclose()
        return out

    assert asyncio.run(score()) == [answer_letter("hash", 3, t) for t in texts]


# -- bad servers and bad base_urls -----------------------------------------------------------------
def test_unreachable_base_url_fails_preflight_in_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}/v1"
    with pytest.raises(MedauditError) as info:
        asyncio.run(backend_for(url).preflight())
    assert url in str(info.value) and "\n" not in str(info.value)


def test_base_url_without_v1_fails_preflight_with_the_fix(start_stub: StartStub) -> None:
    url = start_stub()
    with pytest.raises(MedauditError, match="ending in /v1"):
        asyncio.run(backend_for(url.removesuffix("/v1")).preflight())


def test_unknown_model_fails_preflight(start_stub: StartStub) -> None:
    url = start_stub()
    spec = parse_spec(f"openai/gpt-typo?base_url={url}")
    with pytest.raises(MedauditError, match="gpt-typo"):
        asyncio.run(OpenAICompatBackend(spec, policy=FAST_RETRY).preflight())


@pytest.mark.parametrize(("fault", "says"), [("html", "returned HTML"), ("empty", "no choices"),
                                             ("malformed", "malformed JSON")])
def test_broken_answers_fail_fast(start_stub: StartStub, fault: str, says: str) -> None:
    url = start_stub("--error-rate", "1", "--errors", fault)
    with pytest.raises(MedauditError, match=says):
        asyncio.run(backend_for(url).preflight())
    reset_stats(url)
    results = asyncio.run(call_all(backend_for(url), prompts(5)))
    assert all(isinstance(r, ModelCallError) and r.attempts == 1 and says in str(r)
               for r in results)
    assert stats(url)["requests"] == 5  # not retried


def test_required_key_is_checked_and_never_echoed(start_stub: StartStub,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    url = start_stub(env={"MEDAUDIT_STUB_API_KEY": "sk-right"})
    monkeypatch.setenv("MEDAUDIT_OPENAI_API_KEY", "sk-wrong-but-secret")
    with pytest.raises(MedauditError) as info:
        asyncio.run(backend_for(url).preflight())
    assert "sk-wrong-but-secret" not in str(info.value)
    assert "$MEDAUDIT_OPENAI_API_KEY" in str(info.value)
    monkeypatch.setenv("MEDAUDIT_OPENAI_API_KEY", "sk-right")
    asyncio.run(backend_for(url).preflight())


# -- CLI -------------------------------------------------------------------------------------------
def test_dev_cli_help_and_bad_options() -> None:
    runner = CliRunner()
    result = runner.invoke(dev_app, ["stub-server", "--help"])
    assert result.exit_code == 0 and "--error-rate" in result.output
    bad = runner.invoke(dev_app, ["stub-server", "--errors", "teapot"])
    assert isinstance(bad.exception, MedauditError) and "teapot" in str(bad.exception)


def test_stub_stats_are_json(start_stub: StartStub) -> None:
    url = start_stub()
    asyncio.run(call_all(backend_for(url), prompts(3)))
    assert json.loads(json.dumps(stats(url)))["requests"] == 3


def test_stub_answers_bad_requests_and_keeps_serving(start_stub: StartStub) -> None:
    url = start_stub()
    with httpx.Client() as client:
        assert client.post(f"{url}/chat/completions", content=b"not json").status_code == 400
        odd = {"model": "stub", "messages": [{"role": "user", "content": "q"}], "max_tokens": "x"}
        reply = client.post(f"{url}/chat/completions", json=odd)
        assert reply.status_code == 500 and "stub server error" in reply.json()["error"]["message"]
        assert client.get(f"{url}/models").json()["data"][0]["id"] == "stub"
