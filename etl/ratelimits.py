"""Mapillary's rate limits: their definition, parsing, and the token bucket.

Shared by the client (`etl.mapillary.limits`, which waits for a token) and the
simulator (`etl.simulator.ratelimit`, which answers 429 instead), so both read
the same spec syntax and count the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

WINDOWS = {"s": 1.0, "sec": 1.0, "min": 60.0, "h": 3600.0, "hour": 3600.0, "day": 86400.0}


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


# Classes a limit can be given for: the API's, and the CDN downloads (no default limit).
CLASSES = (*DEFAULT_LIMITS, "cdn")


def parse_limits(text: str | None) -> dict[str, Limit]:
    """"search=10000/min,entity=60000/min,tiles=50000/day" (also N/30s); "off" or CLASS=off disables.

    Classes left out keep their defaults. Raises ValueError with a readable message.
    """
    limits = dict(DEFAULT_LIMITS)
    if not text:
        return limits
    if text.strip() == "off":
        return {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        name, _, spec = item.partition("=")
        if name not in CLASSES:
            raise ValueError(f"unknown rate-limit class {name!r}; known: {', '.join(CLASSES)}")
        if spec == "off":
            limits.pop(name, None)
            continue
        limits[name] = _parse_one(name, spec)
    return limits


def _parse_one(name: str, spec: str) -> Limit:
    count, _, window = spec.partition("/")
    window = window or "min"
    try:
        requests = int(count)
        window_s = WINDOWS[window] if window in WINDOWS else float(window.rstrip("s"))
    except ValueError:
        raise ValueError(f"bad rate limit {name}={spec}: write N/s, N/min, N/h, N/day or N/<seconds>") from None
    if requests < 1 or window_s <= 0:
        raise ValueError(f"bad rate limit {name}={spec}: the count must be at least 1 (or 'off')")
    return Limit(requests, window_s)


class TokenBucket:
    """Holds up to `requests` tokens, refilled at requests/window per second (a burst is allowed).

    Not locked: the async client and the threaded simulator each guard it their own way.
    """

    def __init__(self, limit: Limit, now: float) -> None:
        self.capacity = float(limit.requests)
        self.per_second = limit.requests / limit.window_s
        self.tokens = self.capacity
        self.stamp = now

    def take(self, now: float) -> float:
        """0.0 when a token was taken, else the seconds until one would be there."""
        self.tokens = min(self.capacity, self.tokens + (now - self.stamp) * self.per_second)
        self.stamp = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.per_second
