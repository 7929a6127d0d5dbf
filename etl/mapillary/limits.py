"""Client-side rate limits per request class: wait for a slot before each request.

The one limiter of the tool: the API client's endpoint classes (search, entity, tiles)
and the CDN downloads of `images download` (class cdn) wait here. Defaults are
Mapillary's documented limits (`etl.ratelimits`); cdn has none unless asked for. Each
class is an `aiolimiter.AsyncLimiter` (a leaky bucket that starts full: a burst of up to
one window's worth is allowed, as the API allows, then a steady rate; waiters are served
in order). Limits are per process: several crawlers sharing one token should split the
limits between them.
"""

from __future__ import annotations

import time

from aiolimiter import AsyncLimiter

from etl.errors import UserInputError
from etl.ratelimits import DEFAULT_LIMITS, Limit
from etl.ratelimits import parse_limits as _parse_limits

__all__ = ["DEFAULT_LIMITS", "Limit", "RateLimits", "parse_limits"]


class Bucket:
    def __init__(self, limit: Limit) -> None:
        self._limiter = AsyncLimiter(limit.requests, limit.window_s)

    async def acquire(self) -> float:
        """Wait for a slot; returns the seconds waited."""
        started = time.monotonic()
        await self._limiter.acquire()
        return time.monotonic() - started


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
