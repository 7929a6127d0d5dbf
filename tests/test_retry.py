"""The one retry policy and the one rate limiter (etl/retry.py, etl/mapillary/limits.py)."""

from __future__ import annotations

import asyncio
import time

import pytest

from etl.errors import UserInputError
from etl.mapillary.client import ClientSettings
from etl.mapillary.limits import Limit, RateLimits, parse_limits
from etl.retry import CONFLICTS, DATABASE, RetryPolicy


def test_pauses_grow_with_equal_jitter_and_a_cap() -> None:
    policy = RetryPolicy(max_retries=5, backoff_s=1.0, max_backoff_s=8.0)
    for attempt, ceiling in ((1, 1.0), (2, 2.0), (3, 4.0), (4, 8.0), (9, 8.0)):
        pauses = [policy.delay(attempt) for _ in range(200)]
        assert all(ceiling / 2 <= p <= ceiling for p in pauses)
        assert max(pauses) - min(pauses) > ceiling / 10  # jittered, not in lockstep


def test_retry_after_wins_when_longer_but_is_capped() -> None:
    policy = RetryPolicy(backoff_s=1.0, max_retry_after_s=30.0)
    assert policy.delay(1, retry_after=12.0) == 12.0
    assert policy.delay(1, retry_after=3600.0) == 30.0
    assert policy.delay(1, retry_after=0.01) <= 1.0


def test_gives_up_after_max_retries() -> None:
    policy = RetryPolicy(max_retries=2)
    assert not policy.gives_up(1) and not policy.gives_up(2) and policy.gives_up(3)
    assert CONFLICTS.gives_up(6) and not DATABASE.gives_up(10_000)


def test_the_client_and_the_downloads_share_the_policy_type() -> None:
    from etl.images.download import Tuning

    settings = ClientSettings(token="MLY|1|x", max_retries=3, backoff_s=0.5)
    assert settings.retry == RetryPolicy(max_retries=3, backoff_s=0.5, max_backoff_s=60.0, max_retry_after_s=600.0)
    assert Tuning(max_retries=2, backoff_s=0.25).retry == RetryPolicy(max_retries=2, backoff_s=0.25)


def test_the_limiter_allows_a_burst_then_the_rate() -> None:
    async def run() -> tuple[float, float]:
        limits = RateLimits({"cdn": Limit(4, 1.0)})
        started = time.monotonic()
        waited = [await limits.acquire("cdn") for _ in range(6)]
        assert await limits.acquire("search") == 0.0  # a class without a limit never waits
        return time.monotonic() - started, sum(waited)

    elapsed, waited = asyncio.run(run())
    assert 0.3 <= elapsed < 3.0 and waited > 0.3  # 4 at once, then one every 0.25 s


def test_cdn_is_a_rate_limit_class() -> None:
    assert parse_limits("cdn=20/s")["cdn"] == Limit(20, 1.0)
    assert "cdn" not in parse_limits(None)
    with pytest.raises(UserInputError, match="unknown rate-limit class 'thumbs'"):
        parse_limits("thumbs=1/s")
