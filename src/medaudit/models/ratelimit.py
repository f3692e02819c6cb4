"""An async token bucket that caps requests per second to one API.

Why: providers enforce requests-per-minute quotas; staying under them costs less than
collecting 429s and backing off. Concurrency (a semaphore) bounds requests *in flight*; this
bounds requests *started per second*. Each caller reserves a token (going into debt if none is
left) without awaiting, which is atomic under asyncio, and then sleeps for its reserved slot, so
waiters are served in arrival order and no lock (bound to one event loop) is needed. Clock and
sleep are injectable for tests.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable


class RateLimiter:
    """Token bucket: `rate` tokens per second, at most `burst` saved up (default 1: even pacing)."""

    def __init__(self, rate: float, burst: float = 1.0, *,
                 clock: Callable[[], float] | None = None,
                 sleep: Callable[[float], Awaitable[None]] | None = None) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive; use no limiter for unlimited")
        if burst < 1:
            raise ValueError("burst must be at least 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock or time.monotonic
        self._sleep = sleep or asyncio.sleep
        self._tokens = burst
        self._updated = self._clock()

    def _reserve(self) -> float:
        """Take one token (possibly going into debt) and return how long to wait for it."""
        now = self._clock()
        self._tokens = min(self.burst, self._tokens + (now - self._updated) * self.rate)
        self._updated = now
        self._tokens -= 1.0
        return 0.0 if self._tokens >= 0 else -self._tokens / self.rate

    async def acquire(self) -> float:
        """Wait until this caller may start a request; returns the seconds waited."""
        wait = self._reserve()
        if wait > 0:
            await self._sleep(wait)
        return wait
