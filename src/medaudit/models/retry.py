"""The one retry policy for remote model calls: bounded, jittered, and honest about giving up.

Why this module exists: an evaluation of thousands of items must neither hang on a flaky server
(inspect_ai retries forever when no limit is set) nor hammer it with retries of requests that can
never succeed (lm-eval retries every exception, 4xx included). The rules are:

- retry only HTTP 429, HTTP 5xx, timeouts and connection errors; every other 4xx, and every
  answer that is not a usable completion, fails at once;
- wait with exponential back-off and *full jitter* (uniform in ``[0, min(cap, base * 2**k)]``)
  so that many clients that failed together do not retry together;
- when the server sends ``Retry-After`` (seconds or an HTTP date) wait that long instead, capped
  at ``retry_after_cap_s``;
- stop after ``max_attempts`` attempts (first one included) or when the next wait would pass the
  total time budget, whichever comes first, and raise `ModelCallError` saying how many attempts
  were made. The runner then records the item as ``error``, never as ``wrong``.

The clock, the wall clock, the sleep function and the random source are injectable, so tests
check every rule without waiting.
"""

from __future__ import annotations

import asyncio
import email.utils
import math
import random
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TypeVar

from medaudit.errors import ModelCallError

T = TypeVar("T")

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


def is_retryable_status(status: int) -> bool:
    """429 (rate limited) and 5xx (server trouble) may succeed later; any other status will not."""
    return status == 429 or 500 <= status <= 599


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: delta-seconds or an HTTP date.

    `now` is the wall-clock time (epoch seconds) to measure a date against. Returns ``None`` for
    a missing or unreadable header (the caller then falls back to back-off) and never a negative
    number. Fractional seconds are accepted because some servers send them.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not math.isnan(seconds):
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # RFC 9110 dates are GMT; a naive result means "-0000"
        return None
    reference = time.time() if now is None else now
    return max(0.0, when.timestamp() - reference)


@dataclass(frozen=True)
class RetryPolicy:
    """Limits of one retried call. ``max_attempts`` counts the first attempt (1 = no retry)."""

    max_attempts: int = 5
    total_budget_s: float = 120.0
    base_delay_s: float = 0.5
    max_delay_s: float = 30.0
    retry_after_cap_s: float = 60.0

    def __post_init__(self) -> None:
        if self.max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        if self.total_budget_s <= 0 or self.base_delay_s < 0 or self.max_delay_s < 0:
            raise ValueError("retry budget and delays must be positive")

    def backoff_ceiling(self, failures: int) -> float:
        """Upper bound of the jittered wait after the `failures`-th failed attempt (1-based)."""
        exponent = min(failures - 1, 60)  # avoid float overflow on absurd attempt counts
        return min(self.max_delay_s, self.base_delay_s * (2.0**exponent))

    def backoff(self, failures: int, rng: random.Random) -> float:
        """Full jitter: uniform in [0, ceiling], the AWS-recommended spread for herds of clients."""
        return rng.uniform(0.0, self.backoff_ceiling(failures))

    def delay(self, failures: int, retry_after_s: float | None, rng: random.Random) -> float:
        """The wait before the next attempt: the server's Retry-After (capped) or back-off."""
        if retry_after_s is not None:
            return min(max(0.0, retry_after_s), self.retry_after_cap_s)
        return self.backoff(failures, rng)


class AttemptFailed(Exception):
    """One attempt failed. `message` is a one-line description that must not contain secrets."""

    def __init__(self, message: str, *, retryable: bool, retry_after_s: float | None = None,
                 status: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.retryable = retryable
        self.retry_after_s = retry_after_s
        self.status = status


@dataclass(frozen=True)
class Attempt:
    """What an attempt function is told: its number (1-based) and the seconds left in the budget,
    so it can cap its own request timeout and never overrun the total budget."""

    number: int
    remaining_s: float


class Retrier:
    """Runs an async attempt function under a `RetryPolicy`."""

    def __init__(self, policy: RetryPolicy | None = None, *, sleep: Sleep | None = None,
                 clock: Clock | None = None, rng: random.Random | None = None) -> None:
        self.policy = policy or RetryPolicy()
        self._sleep: Sleep = sleep or asyncio.sleep
        self._clock: Clock = clock or time.monotonic
        self._rng = rng or random.Random()

    async def run(self, attempt_fn: Callable[[Attempt], Awaitable[T]]) -> tuple[T, int]:
        """Return ``(result, attempts)`` or raise `ModelCallError` with ``attempts`` set.

        `attempt_fn` raises `AttemptFailed` to report a failure; any other exception is a bug and
        propagates unchanged. The raised error's ``__cause__`` is the last `AttemptFailed`, so a
        caller can read its HTTP ``status``.
        """
        policy = self.policy
        start = self._clock()
        number = 0
        while True:
            number += 1
            remaining = policy.total_budget_s - (self._clock() - start)
            try:
                return await attempt_fn(Attempt(number, remaining)), number
            except AttemptFailed as failed:
                failure = failed
            if not failure.retryable:
                raise ModelCallError(failure.message, retryable=False, attempts=number) from failure
            if number >= policy.max_attempts:
                raise ModelCallError(f"{failure.message}; gave up after {_n_attempts(number)}",
                                     retryable=True, attempts=number) from failure
            wait = policy.delay(number, failure.retry_after_s, self._rng)
            elapsed = self._clock() - start
            if elapsed + wait >= policy.total_budget_s:
                raise ModelCallError(
                    f"{failure.message}; gave up after {_n_attempts(number)} and {elapsed:.1f} s "
                    f"(the retry budget is {policy.total_budget_s:g} s)",
                    retryable=True, attempts=number) from failure
            await self._sleep(wait)


def _n_attempts(n: int) -> str:
    return f"{n} attempt" if n == 1 else f"{n} attempts"
