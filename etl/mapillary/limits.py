"""Client-side rate limits per endpoint class: wait for a token before each request.

Defaults are Mapillary's documented limits (`etl.ratelimits`). A bucket starts
full (a burst of up to one window's worth is allowed, as the API allows) and
refills continuously. Limits are per process: several crawlers sharing one
token should split the limits between them.
"""

from __future__ import annotations

import asyncio
import time

from etl.errors import UserInputError
from etl.ratelimits import DEFAULT_LIMITS, Limit, TokenBucket
from etl.ratelimits import parse_limits as _parse_limits

__all__ = ["DEFAULT_LIMITS", "Limit", "RateLimits", "parse_limits"]


class Bucket:
    def __init__(self, limit: Limit) -> None:
        self._bucket = TokenBucket(limit, time.monotonic())
        self._lock = asyncio.Lock()

    async def acquire(self) -> float:
        """Wait for a token; returns the seconds waited."""
        waited = 0.0
        async with self._lock:  # FIFO: waiters are served in order
            while (pause := self._bucket.take(time.monotonic())) > 0:
                waited += pause
                await asyncio.sleep(pause)
        return waited


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
    """`etl.ratelimits.parse_limits`, with a bad spec as a one-line usage error."""
    try:
        return _parse_limits(text)
    except ValueError as error:
        raise UserInputError(str(error), hint="e.g. --rate-limit search=10000/min,tiles=off") from None
