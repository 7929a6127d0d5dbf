"""The one HTTP client of a crawl: auth, bounded concurrency, rate limits, retries.

- One aiohttp session; the requests in flight follow the answers (etl/mapillary/window.py:
  AIMD between 1 and `concurrency`), and a rate-limit answer lowers its class's rate
  (etl/mapillary/limits.py), so the crawl runs as fast as the API allows.
- Graph calls send the token in `Authorization: OAuth ...`; tile calls need the
  `access_token` query parameter, so no URL is ever put in a log line or an
  error message (errors name the endpoint class only).
- Transient failures (rate limits: code 4 with any status; 5xx, dropped or cut
  answers, timeouts) are retried at most `max_retries` times after the tool's
  one retry policy (etl/retry.py: exponential, equal jitter, Retry-After wins).
  Requests wait for the rate limiter of their class (etl/mapillary/limits.py),
  which the CDN downloads of `images` share. Terminal ones (bad or blocked
  token) raise TokenRejected at once; other 4xx are never retried.
- Only http(s) roots are accepted: anything else (file://, a bare path) is a
  usage error at once, not a connection failure to retry.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp

from etl.errors import UserInputError
from etl.mapillary import errors as E
from etl.mapillary.limits import DEFAULT_LIMITS, Limit, RateLimits
from etl.mapillary.window import AdaptiveWindow
from etl.retry import RetryPolicy

log = logging.getLogger(__name__)

GRAPH_URL = "https://graph.mapillary.com"
TILES_URL = "https://tiles.mapillary.com"
MAX_RETRY_AFTER_S = 600.0  # honour Retry-After, but never sleep unboundedly
QUERY_TIMEOUT_RETRIES = 1  # then the caller splits the box instead
RATE_WAIT_S = 0.002  # a request that waited longer for its rate limit counts as held by it
START_CONCURRENCY = 16  # the window's first size; it grows from here while answers are healthy
WINDOW_HEADROOM = 1.25  # after a rate limit, keep in flight what the lowered rate needs, and a quarter more


@dataclass
class ClientSettings:
    token: str
    graph_url: str = GRAPH_URL
    tiles_url: str = TILES_URL
    concurrency: int = 256  # the most requests in flight at once (the window's ceiling)
    start_concurrency: int = START_CONCURRENCY
    limits: dict[str, Limit] = field(default_factory=lambda: dict(DEFAULT_LIMITS))
    max_retries: int = 5  # per request, transient errors only
    backoff_s: float = 1.0  # first backoff; doubles each retry (full jitter)
    max_backoff_s: float = 60.0
    timeout_s: float = 60.0  # whole request, body included

    def __post_init__(self) -> None:
        for what, url, default in (("Graph API", self.graph_url, GRAPH_URL), ("tiles", self.tiles_url, TILES_URL)):
            check_api_url(what, url, default)

    @property
    def retry(self) -> RetryPolicy:
        return RetryPolicy(max_retries=self.max_retries, backoff_s=self.backoff_s, max_backoff_s=self.max_backoff_s,
                           max_retry_after_s=MAX_RETRY_AFTER_S)

    def __repr__(self) -> str:  # the token never shows, even in a debugger dump
        return f"ClientSettings(graph_url={self.graph_url!r}, tiles_url={self.tiles_url!r}, concurrency={self.concurrency})"


def check_api_url(what: str, url: str, default: str) -> None:
    """A usage error unless `url` is an http(s) root with a host."""
    try:
        parts = urlsplit(url)
        scheme, ok = parts.scheme, parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        scheme, ok = "", False
    if not ok:  # the URL itself is not echoed: it may hold a token
        got = f"a {scheme}: URL" if scheme and scheme not in ("http", "https") else "no host" if scheme else "no scheme"
        raise UserInputError(f"the {what} URL must be an http:// or https:// address with a host (got {got})",
                             hint=f"use the API's root, e.g. {default}, or the simulator's http://127.0.0.1:PORT")


@dataclass
class ClientStats:
    requests: Counter = field(default_factory=Counter)  # endpoint -> requests sent (retries included)
    retries: Counter = field(default_factory=Counter)  # endpoint -> retries
    errors: Counter = field(default_factory=Counter)  # kind -> count
    rate_wait_s: float = 0.0
    # minute (epoch s // 60) -> [calls, answers (200), failures]: the report's calls over time
    timeline: dict[int, list[int]] = field(default_factory=dict)

    def total_requests(self) -> int:
        return sum(self.requests.values())

    def count_call(self, answered: bool) -> None:
        slot = self.timeline.setdefault(int(time.time() // 60), [0, 0, 0])
        slot[0] += 1
        slot[1 if answered else 2] += 1


class MapillaryClient:
    def __init__(self, settings: ClientSettings) -> None:
        self.settings = settings
        self.stats = ClientStats()
        self.limits = RateLimits(settings.limits)
        self._retry = settings.retry
        self.window = AdaptiveWindow(settings.start_concurrency, settings.concurrency)
        self._session: aiohttp.ClientSession | None = None

    async def __aenter__(self) -> MapillaryClient:
        timeout = aiohttp.ClientTimeout(total=self.settings.timeout_s, sock_connect=10)
        connector = aiohttp.TCPConnector(limit=self.settings.concurrency, ttl_dns_cache=300)
        self._session = aiohttp.ClientSession(timeout=timeout, connector=connector, raise_for_status=False)
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    async def graph(self, endpoint: str, klass: str, path: str, params: dict[str, str]) -> bytes:
        """Body of a Graph API GET (token in the header)."""
        headers = {"Authorization": f"OAuth {self.settings.token}"}
        return await self._with_retries(endpoint, klass, self.settings.graph_url + path, params, headers)

    async def tile(self, tileset: str, z: int, x: int, y: int) -> bytes:
        """Body of a vector tile (token in the query, so the URL is never shown)."""
        url = f"{self.settings.tiles_url}/maps/vtp/{tileset}/2/{z}/{x}/{y}"
        return await self._with_retries("tiles", "tiles", url, {"access_token": self.settings.token}, {})

    async def _with_retries(self, endpoint: str, klass: str, url: str, params: dict, headers: dict) -> bytes:
        attempt = 0
        while True:
            try:
                return await self._once(endpoint, klass, url, params, headers)
            except E.TransientError as error:
                limit = QUERY_TIMEOUT_RETRIES if isinstance(error, E.QueryTimeout) else self.settings.max_retries
                self.stats.errors[_kind(error)] += 1
                if attempt >= limit:
                    raise
                delay = self._backoff(attempt, error.retry_after)
                log.debug("retry %d of %s in %.2f s: %s", attempt + 1, endpoint, delay, error)
                self.stats.retries[endpoint] += 1
                attempt += 1
                await asyncio.sleep(delay)

    def _backoff(self, attempt: int, retry_after: float | None) -> float:
        return self._retry.delay(attempt + 1, retry_after)

    async def _once(self, endpoint: str, klass: str, url: str, params: dict, headers: dict) -> bytes:
        assert self._session is not None, "use the client as an async context manager"
        bucket = self.limits.bucket(klass)
        await self.window.acquire()
        try:
            waited = await bucket.acquire()
            self.stats.rate_wait_s += waited
            self.stats.requests[endpoint] += 1
            sent_at = time.monotonic()
            try:
                async with self._session.get(url, params=params, headers=headers, allow_redirects=False) as resp:
                    body = await resp.read()
                    status, retry_after = resp.status, resp.headers.get("Retry-After")
            except asyncio.TimeoutError:
                self.stats.count_call(False)
                self.window.congested("timeout", sent_at)
                raise E.TransientError(endpoint, None, f"no answer within {self.settings.timeout_s:g} s") from None
            except (aiohttp.ClientError, OSError) as error:
                self.stats.count_call(False)
                # str(error) of some aiohttp errors holds the URL (and so the tile token)
                raise E.TransientError(endpoint, None, type(error).__name__) from None
        finally:
            self.window.release()
        self.stats.count_call(status == 200)
        error = None if status == 200 else E.classify(endpoint, status, body, retry_after)
        if isinstance(error, E.RateLimited):
            if bucket.refused(error.retry_after, sent_at):
                latency = self.window.latency_s() or (time.monotonic() - sent_at)
                floor = (bucket.rate() or 0.0) * latency * WINDOW_HEADROOM
                self.window.congested("rate_limited", sent_at, floor=floor)
        else:
            bucket.passed()
            self.window.answered(time.monotonic() - sent_at, waited > RATE_WAIT_S)
        if error is not None:
            raise error
        return body

    def usage(self) -> dict:
        """What the progress line and the summary show: calls/min per class, window, 429s."""
        return {"classes": self.limits.usage(), "concurrency": self.window.limit, "in_flight": self.window.in_flight,
                "peak_concurrency": self.window.peak, "window_cuts": dict(self.window.cuts)}


def usage_text(usage: dict, ceiling: int) -> str:
    """One line: calls per minute against the allowance per class, concurrency, 429s drawn."""
    parts = []
    for name, c in sorted(usage["classes"].items()):
        allowance = c["allowance_per_min"]
        against = f" of {allowance:,}{' found' if c['found'] else ''}" if allowance is not None else ""
        parts.append(f"{name} {c['calls_per_min']:,}/min{against}")
    drawn = sum(c["rate_limited"] for c in usage["classes"].values())
    return f"{', '.join(parts) or 'no calls'}; concurrency {usage['concurrency']}/{ceiling}; 429s {drawn:,}"


def _kind(error: E.ApiError) -> str:
    if isinstance(error, E.QueryTimeout):
        return "query_timeout"
    if isinstance(error, E.RateLimited):
        return f"rate_limited_{error.status}"
    return f"http_{error.status}" if error.status else "connection"
