"""Client-side rate limits per request class: wait for a slot before each request.

The one limiter of the tool: the API client's endpoint classes (search, entity, tiles)
and the CDN downloads of `images download` (class cdn) wait here. Defaults are
Mapillary's documented limits (`etl.ratelimits`); cdn has none unless asked for. Each
class is an `aiolimiter.AsyncLimiter` (a leaky bucket that starts full: a burst of up to
one window's worth is allowed, as the API allows, then a steady rate; waiters are served
in order).

The server has the last word. Rate-limit answers (429 / code 4) of a class that make an
overload (at least 2, and 5% of its answers in the last seconds; a stray one only delays
its own request's retry):
- pause every request of that class for their Retry-After;
- lower the class's rate to a little under what the server let through in the last
  seconds (never above a rate found before), held by a second limiter whose burst is a
  fraction of a second, so a real allowance below the documented one is kept, not hammered;
- after `PROBE_S` without one, the rate rises by `PROBE_STEP` (an allowance may grow
  back), up to the configured limit, where the found rate is dropped again.
Each process finds its own rate: crawlers sharing a token each lower theirs on their own
429s and settle on shares of the allowance together (as TCP flows share a link).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque

from aiolimiter import AsyncLimiter

from etl.errors import UserInputError
from etl.ratelimits import DEFAULT_LIMITS, Limit
from etl.ratelimits import parse_limits as _parse_limits

__all__ = ["DEFAULT_LIMITS", "Limit", "RateLimits", "parse_limits"]

MEASURE_S = 3.0  # what the server let through is counted over this many seconds
DECREASE = 0.9  # a found rate is this share of what passed
OVERLOAD_SHARE = 0.05  # rate limits among a class's recent answers that make an overload ...
OVERLOAD_MIN = 2  # ... and at least this many
PROBE_S = 10.0
PROBE_STEP = 1.05
FOUND_BURST_S = 0.2  # the found rate's limiter lets this many seconds' worth through at once
MIN_RATE = 0.1  # calls per second: a rate is never lowered below this
MAX_PAUSE_S = 600.0  # honour Retry-After, but never pause a class unboundedly
RECENT_S = 60.0  # calls per minute are shown over this window


class Bucket:
    """One class: the configured limit (if any), the found rate (if any), the Retry-After pause."""

    def __init__(self, limit: Limit | None) -> None:
        self.limit = limit
        self._limiter = AsyncLimiter(limit.requests, limit.window_s) if limit else None
        self.found_rate: float | None = None  # calls/s, after the server said no
        self._found: AsyncLimiter | None = None
        self._paused_until = 0.0
        self._last_change = 0.0
        self._last_cut = float("-inf")
        self._passed: deque[float] = deque()  # answer times of calls the server let through
        self._refused: deque[float] = deque()  # answer times of rate-limit answers
        self._sent: deque[float] = deque()  # send times, for calls per minute
        self.started = time.monotonic()
        self.calls = 0
        self.refusals = 0  # rate-limit answers drawn

    def configured_rate(self) -> float | None:
        return self.limit.requests / self.limit.window_s if self.limit else None

    def rate(self) -> float | None:
        """Calls per second in force: the found rate, else the configured one (None: no limit)."""
        return self.found_rate if self.found_rate is not None else self.configured_rate()

    async def acquire(self) -> float:
        """Wait for a slot; returns the seconds waited."""
        started = now = time.monotonic()
        self._probe(now)
        if self._limiter is not None or self._found is not None or self._paused_until > now:
            while (pause := self._paused_until - time.monotonic()) > 0:
                await asyncio.sleep(pause)
            if self._limiter is not None:
                await self._limiter.acquire()
            if self._found is not None:
                await self._found.acquire()
            now = time.monotonic()
        self.calls += 1
        self._sent.append(now)
        _trim(self._sent, now - RECENT_S)
        return now - started

    def passed(self) -> None:
        """The server answered a call of this class (anything but a rate-limit answer)."""
        now = time.monotonic()
        self._passed.append(now)
        _trim(self._passed, now - MEASURE_S)

    def refused(self, retry_after: float | None, sent_at: float) -> bool:
        """A rate-limit answer to the call sent at `sent_at`; True when it cut the rate.

        Only an overload counts: at least `OVERLOAD_MIN` of the class's answers in the last
        `MEASURE_S` seconds, and `OVERLOAD_SHARE` of them, were rate limits. A stray 429 is left
        to the retry of its own request (which waits its Retry-After): lowering the rate on
        each would slow a crawl to a crawl.
        """
        now = time.monotonic()
        self.refusals += 1
        self._refused.append(now)
        _trim(self._refused, now - MEASURE_S)
        _trim(self._passed, now - MEASURE_S)
        refused = len(self._refused)
        if refused < OVERLOAD_MIN or refused < OVERLOAD_SHARE * (refused + len(self._passed)):
            return False
        if retry_after:  # the server's word for the class, not only for this request
            self._paused_until = max(self._paused_until, now + min(retry_after, MAX_PAUSE_S))
        # sent before the last cut, or too soon after it to show its effect: counted already
        if sent_at <= self._last_cut or now - self._last_cut < MEASURE_S:
            return False
        seconds = max(1e-3, min(MEASURE_S, now - self.started))
        _trim(self._sent, now - RECENT_S)
        through = len(self._passed) / seconds
        # not the configured rate: a per-day limit's average is far below what its burst allows
        candidates = [r for r in (self.found_rate, through) if r]
        if not candidates:  # nothing got through lately: half of what was sent
            candidates = [0.5 * sum(1 for t in self._sent if t >= now - seconds) / seconds]
        self._set_found(max(MIN_RATE, min(candidates) * DECREASE))
        self._last_cut = now
        return True

    def calls_per_minute(self) -> float:
        now = time.monotonic()
        _trim(self._sent, now - RECENT_S)
        return len(self._sent) * 60.0 / max(1e-3, min(RECENT_S, now - self.started))

    def _probe(self, now: float) -> None:
        if self.found_rate is None or now - self._last_change < PROBE_S:
            return
        configured = self.configured_rate()
        higher = self.found_rate * PROBE_STEP
        if configured is not None and higher >= configured:
            self.found_rate, self._found = None, None
            return
        self._set_found(higher)

    def _set_found(self, rate: float) -> None:
        burst = max(1.0, rate * FOUND_BURST_S)
        self.found_rate = rate
        self._found = AsyncLimiter(burst, burst / rate)
        self._last_change = time.monotonic()


def _trim(times: deque[float], before: float) -> None:
    while times and times[0] < before:
        times.popleft()


class RateLimits:
    """One bucket per class; a class without a limit waits only after the server said no."""

    def __init__(self, limits: dict[str, Limit]) -> None:
        self.limits = dict(limits)
        self.buckets = {name: Bucket(limit) for name, limit in limits.items()}

    def bucket(self, klass: str) -> Bucket:
        if klass not in self.buckets:
            self.buckets[klass] = Bucket(None)
        return self.buckets[klass]

    async def acquire(self, klass: str) -> float:
        return await self.bucket(klass).acquire()

    def describe(self) -> dict[str, str]:
        return {name: str(limit) for name, limit in self.limits.items()}

    def usage(self) -> dict[str, dict]:
        """Per class with calls: calls/min over the last minute, the allowance in force, 429s drawn."""
        out = {}
        for name, b in self.buckets.items():
            if not b.calls:
                continue
            rate = b.rate()
            out[name] = {"calls": b.calls, "calls_per_min": round(b.calls_per_minute()),
                         "allowance_per_min": round(rate * 60) if rate is not None else None,
                         "found": b.found_rate is not None, "rate_limited": b.refusals}
        return out


def parse_limits(text: str | None) -> dict[str, Limit]:
    """`etl.ratelimits.parse_limits`, with a bad spec as a one-line usage error."""
    try:
        return _parse_limits(text)
    except ValueError as error:
        raise UserInputError(str(error), hint="e.g. --rate-limit search=10000/min,tiles=off") from None
