"""Per-class token buckets: the documented Mapillary limits, or test-sized ones.

A bucket holds `limit` requests and refills at limit/window per second, so a
client may burst up to the limit and then gets 429 with a Retry-After saying
when the next request would pass.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

WINDOWS = {"s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0, "hour": 3600.0, "day": 86400.0}


@dataclass(frozen=True)
class RateLimit:
    limit: int
    window_seconds: float

    def __str__(self) -> str:
        return f"{self.limit}/{self.window_seconds:g}s"


DEFAULT_RATE_LIMITS: dict[str, RateLimit] = {
    "search": RateLimit(10_000, 60.0),
    "entity": RateLimit(60_000, 60.0),
    "tiles": RateLimit(50_000, 86_400.0),
}


class TokenBucket:
    def __init__(self, limit: RateLimit, clock: Callable[[], float] = time.monotonic) -> None:
        self.capacity = float(limit.limit)
        self.per_second = limit.limit / limit.window_seconds
        self.tokens = self.capacity
        self.clock = clock
        self.stamp = clock()
        self._lock = threading.Lock()

    def take(self) -> float:
        """0.0 if the request may pass, else the seconds until it would."""
        with self._lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.per_second)
            self.stamp = now
            if self.tokens >= 1.0:
                self.tokens -= 1.0
                return 0.0
            return (1.0 - self.tokens) / self.per_second


class RateLimiter:
    """One bucket per class; classes without a limit always pass."""

    def __init__(self, limits: dict[str, RateLimit]) -> None:
        self.buckets = {name: TokenBucket(limit) for name, limit in limits.items()}

    def take(self, klass: str | None) -> float:
        bucket = self.buckets.get(klass) if klass else None
        return bucket.take() if bucket else 0.0


def parse_rate_limits(text: str) -> dict[str, RateLimit]:
    """"search=10000/min,entity=60000/min,tiles=50000/day" (also N/30s); "off" disables all.

    Classes left out keep their defaults.
    """
    limits = dict(DEFAULT_RATE_LIMITS)
    if text.strip() == "off":
        return {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, _, spec = item.partition("=")
        if name not in DEFAULT_RATE_LIMITS:
            raise ValueError(f"unknown rate limit class {name!r}; known: {', '.join(DEFAULT_RATE_LIMITS)}")
        if spec == "off":
            limits.pop(name, None)
            continue
        count, _, window = spec.partition("/")
        limits[name] = RateLimit(int(count), _window_seconds(window or "min"))
    return limits


def _window_seconds(text: str) -> float:
    if text in WINDOWS:
        return WINDOWS[text]
    number = text.rstrip("s")
    try:
        return float(number)
    except ValueError:
        raise ValueError(f"rate limit window {text!r}: use s, min, h, day or a number of seconds") from None
