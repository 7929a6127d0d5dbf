"""Per-class token buckets on the server side: the documented Mapillary limits, or test-sized ones.

A bucket holds `limit` requests and refills at limit/window per second, so a
client may burst up to the limit and then gets 429 with a Retry-After saying
when the next request would pass. The definitions and the bucket arithmetic
are shared with the client (`etl.ratelimits`).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from etl.ratelimits import DEFAULT_LIMITS as DEFAULT_RATE_LIMITS
from etl.ratelimits import Limit as RateLimit
from etl.ratelimits import TokenBucket as _Bucket
from etl.ratelimits import parse_limits

__all__ = ["DEFAULT_RATE_LIMITS", "RateLimit", "RateLimiter", "TokenBucket", "parse_rate_limits"]


class TokenBucket:
    """A thread-safe bucket with an injectable clock (tests drive time by hand)."""

    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._bucket = _Bucket(limit, clock())
        self._lock = threading.Lock()

    def take(self) -> float:
        """0.0 if the request may pass, else the seconds until it would."""
        with self._lock:
            return self._bucket.take(self.clock())


class RateLimiter:
    """One bucket per class; classes without a limit always pass."""

    def __init__(self, limits: dict[str, RateLimit]) -> None:
        self.buckets = {name: TokenBucket(limit) for name, limit in limits.items()}

    def take(self, klass: str | None) -> float:
        bucket = self.buckets.get(klass) if klass else None
        return bucket.take() if bucket else 0.0


def parse_rate_limits(text: str) -> dict[str, RateLimit]:
    """"search=10000/min,entity=60000/min,tiles=50000/day" (also N/30s); "off" disables all."""
    return parse_limits(text)
