"""The retry policy, checked with a fake clock and sleep: nothing here waits for real."""

from __future__ import annotations

import asyncio
import email.utils
import random

import pytest

from medaudit.errors import ModelCallError
from medaudit.models.retry import (
    Attempt,
    AttemptFailed,
    Retrier,
    RetryPolicy,
    is_retryable_status,
    parse_retry_after,
)


class FakeTime:
    """A monotonic clock that only moves when the code sleeps or a request 'takes time'."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def _retrier(policy: RetryPolicy | None = None, seed: int = 0) -> tuple[Retrier, FakeTime]:
    fake = FakeTime()
    return Retrier(policy, sleep=fake.sleep, clock=fake.clock, rng=random.Random(seed)), fake


def _failing(failures: list[AttemptFailed], result: str = "ok", took: float = 0.0,
             fake: FakeTime | None = None, seen: list[Attempt] | None = None):
    """An attempt function that raises the given failures in order, then returns `result`."""
    queue = list(failures)

    async def attempt(at: Attempt) -> str:
        if seen is not None:
            seen.append(at)
        if fake is not None:
            fake.now += took
        if queue:
            raise queue.pop(0)
        return result

    return attempt


def _retryable(retry_after: float | None = None) -> AttemptFailed:
    return AttemptFailed("server at http://x/v1 answered HTTP 429", retryable=True,
                         retry_after_s=retry_after)


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, 599])
def test_429_and_5xx_are_retryable(status: int) -> None:
    assert is_retryable_status(status)


@pytest.mark.parametrize("status", [200, 301, 400, 401, 403, 404, 408, 409, 413, 422, 600])
def test_other_statuses_are_not_retried(status: int) -> None:
    assert not is_retryable_status(status)


def test_retries_until_success_and_counts_attempts() -> None:
    retrier, fake = _retrier()
    result, attempts = asyncio.run(retrier.run(_failing([_retryable(), _retryable()])))
    assert (result, attempts) == ("ok", 3)
    assert len(fake.sleeps) == 2


def test_non_retryable_failure_is_raised_after_one_attempt() -> None:
    retrier, fake = _retrier()
    failure = AttemptFailed("server at http://x/v1 answered HTTP 400: bad", retryable=False)
    with pytest.raises(ModelCallError) as info:
        asyncio.run(retrier.run(_failing([failure])))
    assert info.value.attempts == 1
    assert info.value.retryable is False
    assert str(info.value) == "server at http://x/v1 answered HTTP 400: bad"
    assert info.value.__cause__ is failure
    assert fake.sleeps == []


def test_attempts_are_bounded_by_max_attempts() -> None:
    retrier, fake = _retrier(RetryPolicy(max_attempts=5))
    seen: list[Attempt] = []
    with pytest.raises(ModelCallError) as info:
        asyncio.run(retrier.run(_failing([_retryable()] * 50, seen=seen)))
    assert len(seen) == 5
    assert [a.number for a in seen] == [1, 2, 3, 4, 5]
    assert info.value.attempts == 5
    assert info.value.retryable is True
    assert "gave up after 5 attempts" in str(info.value)
    assert len(fake.sleeps) == 4


def test_max_attempts_one_means_no_retry() -> None:
    retrier, fake = _retrier(RetryPolicy(max_attempts=1))
    with pytest.raises(ModelCallError) as info:
        asyncio.run(retrier.run(_failing([_retryable()])))
    assert info.value.attempts == 1
    assert "gave up after 1 attempt" in str(info.value)
    assert fake.sleeps == []


def test_retry_after_is_honoured_exactly() -> None:
    retrier, fake = _retrier()
    _, attempts = asyncio.run(retrier.run(_failing([_retryable(7.0), _retryable(0.0)])))
    assert attempts == 3
    assert fake.sleeps == [7.0, 0.0]


def test_retry_after_is_capped() -> None:
    retrier, fake = _retrier(RetryPolicy(retry_after_cap_s=60.0, total_budget_s=1000.0))
    asyncio.run(retrier.run(_failing([_retryable(3600.0)])))
    assert fake.sleeps == [60.0]


def test_retry_after_beyond_the_budget_gives_up_without_waiting() -> None:
    retrier, fake = _retrier(RetryPolicy(total_budget_s=10.0))
    with pytest.raises(ModelCallError) as info:
        asyncio.run(retrier.run(_failing([_retryable(30.0)])))
    assert info.value.attempts == 1
    assert "retry budget is 10 s" in str(info.value)
    assert fake.sleeps == []


def test_total_time_is_bounded_by_the_budget() -> None:
    """Attempts that each time out after 25 s: the budget, not max_attempts, stops the loop."""
    retrier, fake = _retrier(RetryPolicy(max_attempts=100, total_budget_s=120.0))
    seen: list[Attempt] = []
    with pytest.raises(ModelCallError) as info:
        asyncio.run(retrier.run(_failing([_retryable()] * 100, took=25.0, fake=fake, seen=seen)))
    assert fake.now <= 120.0 + 25.0  # the last attempt started inside the budget
    assert all(a.remaining_s > 0 for a in seen)
    assert [a.remaining_s for a in seen] == sorted((a.remaining_s for a in seen), reverse=True)
    assert info.value.attempts == len(seen) < 100


def test_remaining_budget_lets_the_last_attempt_finish_in_time() -> None:
    """An attempt that caps its own timeout by `remaining_s` never overruns the budget."""
    fake = FakeTime()
    retrier = Retrier(RetryPolicy(max_attempts=100, total_budget_s=60.0), sleep=fake.sleep,
                      clock=fake.clock, rng=random.Random(1))

    async def attempt(at: Attempt) -> str:
        fake.now += min(30.0, at.remaining_s)  # a 30 s request timeout, capped by the budget
        raise _retryable()

    with pytest.raises(ModelCallError):
        asyncio.run(retrier.run(attempt))
    assert fake.now <= 60.0


def test_backoff_is_full_jitter_under_a_doubling_capped_ceiling() -> None:
    policy = RetryPolicy(base_delay_s=0.5, max_delay_s=30.0)
    assert [policy.backoff_ceiling(n) for n in range(1, 9)] == [
        0.5, 1.0, 2.0, 4.0, 8.0, 16.0, 30.0, 30.0]
    rng = random.Random(42)
    for failures in range(1, 9):
        draws = [policy.backoff(failures, rng) for _ in range(200)]
        ceiling = policy.backoff_ceiling(failures)
        assert all(0.0 <= d <= ceiling for d in draws)
        assert min(draws) < 0.1 * ceiling and max(draws) > 0.9 * ceiling  # spread, not fixed


def test_backoff_waits_come_from_the_policy_when_no_retry_after() -> None:
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=4.0)
    retrier, fake = _retrier(policy, seed=3)
    asyncio.run(retrier.run(_failing([_retryable()] * 4)))
    ceilings = [1.0, 2.0, 4.0, 4.0]
    assert len(fake.sleeps) == 4
    assert all(0.0 <= s <= c for s, c in zip(fake.sleeps, ceilings, strict=True))


def test_unexpected_exceptions_propagate_unretried() -> None:
    retrier, fake = _retrier()
    calls = 0

    async def attempt(at: Attempt) -> str:
        nonlocal calls
        calls += 1
        raise RuntimeError("bug")

    with pytest.raises(RuntimeError):
        asyncio.run(retrier.run(attempt))
    assert calls == 1 and fake.sleeps == []


@pytest.mark.parametrize(("header", "expected"), [
    ("5", 5.0), ("0", 0.0), ("1.5", 1.5), (" 12 ", 12.0), ("-3", 0.0),
    (None, None), ("", None), ("soon", None), ("inf", None), ("nan", None),
])
def test_parse_retry_after_seconds(header: str | None, expected: float | None) -> None:
    assert parse_retry_after(header, now=1_000_000.0) == expected


def test_parse_retry_after_http_date() -> None:
    now = 1_700_000_000.0
    future = email.utils.formatdate(now + 30, usegmt=True)  # e.g. "Tue, 14 Nov 2023 22:13:50 GMT"
    past = email.utils.formatdate(now - 30, usegmt=True)
    assert parse_retry_after(future, now=now) == pytest.approx(30.0)
    assert parse_retry_after(past, now=now) == 0.0


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
    with pytest.raises(ValueError):
        RetryPolicy(total_budget_s=0)
