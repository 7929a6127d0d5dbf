"""Client-side rate limits per endpoint class, as asyncio token buckets.

Defaults are Mapillary's documented limits. A bucket starts full (a burst of up
to one window's worth is allowed, as the API allows) and refills continuously;
`acquire` sleeps until a request may go. Limits are per process: several
crawlers sharing one token should split the limits between them.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from etl.errors import UserInputError

WINDOWS = {"s": 1.0, "min": 60.0, "h": 3600.0, "day": 86400.0}


@dataclass(frozen=True)
class Limit:
    requests: int
    window_s: float

    def __str__(self) -> str:
        return f"{self.requests}/{self.window_s:g}s"


# Documented: search 10,000/min, entity 60,000/min, tiles 50,000/day (per app).
DEFAULT_LIMITS: dict[str, Limit] = {
    "search": Limit(10_000, 60.0),
    "entity": Limit(60_000, 60.0),
    "tiles": Limit(50_000, 86_400.0),
}


class Bucket:
    def __init__(self, limit: Limit) -> None:
        self.capacity = float(limit.requests)
        self.rate = limit.requests / limit.window_s
        self.tokens = self.capacity
        self.stamp = time.monotonic()
        self._lock = asyncio.Lock()

    async def acquire(self) -> float:
        """Wait for a token; returns the seconds waited."""
        waited = 0.0
        async with self._lock:  # FIFO: waiters are served in order
            while True:
                now = time.monotonic()
                self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.rate)
                self.stamp = now
                if self.tokens >= 1.0:
                    self.tokens -= 1.0
                    return waited
                pause = (1.0 - self.tokens) / self.rate
                waited += pause
                await asyncio.sleep(pause)


class RateLimits:
    """One bucket per class; a class without a limit never waits."""

    def __init__(self, limits: dict[str, Limit]) -> None:
        self.limits = dict(limits)
        self._buckets = {name: Bucket(limit) for name, limit in limits.items()}

    async def acquire(self, klass: str) -> float:
        bucket = self._buckets.get(klass)
        return await bucket.acquire() if bucket else 0.0

    def describe(self) -> dict[str, str]:
        return {name: str(limit) for name, limit in self.limits.items()}


def parse_limits(text: str | None) -> dict[str, Limit]:
    """"search=10000/min,entity=60000/min,tiles=50000/day"; "off" or CLASS=off disables."""
    limits = dict(DEFAULT_LIMITS)
    if not text:
        return limits
    if text.strip() == "off":
        return {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, _, spec = item.partition("=")
        if name not in DEFAULT_LIMITS:
            raise UserInputError(f"unknown rate-limit class {name!r}", hint="use search, entity or tiles")
        if spec == "off":
            limits.pop(name, None)
            continue
        limits[name] = _parse_one(name, spec)
    return limits


def _parse_one(name: str, spec: str) -> Limit:
    count, _, window = spec.partition("/")
    try:
        requests, window_s = int(count), WINDOWS[window or "min"]
    except (ValueError, KeyError):
        raise UserInputError(f"bad rate limit {name}={spec}", hint="write N/s, N/min, N/h or N/day, e.g. search=10000/min") from None
    if requests < 1:
        raise UserInputError(f"bad rate limit {name}={spec}", hint="the count must be at least 1 (or 'off')")
    return Limit(requests, window_s)
