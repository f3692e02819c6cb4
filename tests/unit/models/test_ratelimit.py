"""The token-bucket limiter, with a fake clock (plus one short real-time check)."""

from __future__ import annotations

import asyncio
import time

import pytest

from medaudit.models.ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        """Record the wait without moving time: every caller reserved at the same instant."""
        self.sleeps.append(seconds)


def test_simultaneous_callers_are_spaced_one_interval_apart() -> None:
    clock = FakeClock()
    limiter = RateLimiter(10.0, clock=clock, sleep=clock.sleep)

    async def burst() -> list[float]:
        return list(await asyncio.gather(*(limiter.acquire() for _ in range(5))))

    waits = asyncio.run(burst())
    assert waits == pytest.approx([0.0, 0.1, 0.2, 0.3, 0.4])


def test_burst_allows_that_many_immediate_starts() -> None:
    clock = FakeClock()
    limiter = RateLimiter(2.0, burst=3, clock=clock, sleep=clock.sleep)

    async def burst() -> list[float]:
        return [await limiter.acquire() for _ in range(4)]

    assert asyncio.run(burst()) == pytest.approx([0.0, 0.0, 0.0, 0.5])


def test_idle_time_refills_only_up_to_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter(1.0, burst=2, clock=clock, sleep=clock.sleep)

    async def run() -> list[float]:
        await limiter.acquire()
        clock.now += 100.0  # a long pause must not bank 100 tokens
        return [await limiter.acquire() for _ in range(3)]

    assert asyncio.run(run()) == pytest.approx([0.0, 0.0, 1.0])


def test_rejects_non_positive_rate() -> None:
    with pytest.raises(ValueError):
        RateLimiter(0.0)
    with pytest.raises(ValueError):
        RateLimiter(1.0, burst=0.5)


def test_real_time_rate_is_respected() -> None:
    limiter = RateLimiter(100.0)

    async def run() -> float:
        start = time.monotonic()
        await asyncio.gather(*(limiter.acquire() for _ in range(21)))
        return time.monotonic() - start

    elapsed = asyncio.run(run())
    assert elapsed >= 0.19  # 20 intervals of 10 ms after the first free token
