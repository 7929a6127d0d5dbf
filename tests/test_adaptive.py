"""The adaptive parts of the client: the request window (AIMD) and the rates found by 429s."""

from __future__ import annotations

import asyncio
import time

import pytest

from etl.mapillary import limits as L
from etl.mapillary.limits import Limit, RateLimits
from etl.mapillary.window import AdaptiveWindow


def _round(window: AdaptiveWindow, latency: float = 1.0, rate_waits: int = 0, full: bool = True) -> None:
    """One round of answers, with the window full (or not) while they were in flight."""
    n = window.limit
    window._round.peak = n if full else n - 1
    for i in range(n):
        window.answered(latency, i < rate_waits)


def test_slow_start_doubles_then_congestion_halves_once_then_one_more_per_round() -> None:
    w = AdaptiveWindow(16, 256)
    _round(w)
    assert w.limit == 32
    _round(w)
    assert w.limit == 64
    sent_before = time.monotonic()
    w.congested("rate_limited", sent_before)
    w.congested("rate_limited", sent_before)  # the same overload's other answers
    assert w.limit == 32 and w.cuts == {"rate_limited": 1}
    _round(w)  # the round of the cut
    _round(w)
    assert w.limit == 33 and w.peak == 64
    w.congested("timeout", time.monotonic())
    assert w.limit == 16 and w.cuts["timeout"] == 1


def test_no_growth_without_work_or_while_the_rate_limit_holds_requests() -> None:
    w = AdaptiveWindow(16, 256)
    _round(w, full=False)
    assert w.limit == 16
    _round(w, rate_waits=8)  # half the round waited for the client-side limit
    assert w.limit == 16
    _round(w, rate_waits=1)
    assert w.limit == 32


def test_the_ceiling_and_the_floor_of_a_rate_limit_cut() -> None:
    w = AdaptiveWindow(16, 20)
    for _ in range(3):
        _round(w)
    assert w.limit == 20
    w.congested("rate_limited", time.monotonic(), floor=18.0)  # the lowered rate still needs 18
    assert w.limit == 18
    w.congested("rate_limited", time.monotonic(), floor=0.0)
    assert w.limit == 9
    for _ in range(4):
        w.congested("timeout", time.monotonic())
    assert w.limit == 1


def test_rising_latency_shrinks_the_window_but_not_below_its_start() -> None:
    w = AdaptiveWindow(16, 256)
    _round(w, latency=0.1)
    _round(w, latency=0.1)
    assert w.limit == 64
    _round(w, latency=0.5)  # five times the baseline: queued at the server
    assert w.limit == 48 and w.cuts == {"latency": 1} and not w.slow_start
    for _ in range(5):
        _round(w, latency=0.5)
    assert w.limit == 16


def test_acquire_waits_for_room_and_a_grown_window_lets_more_in() -> None:
    async def run() -> list[int]:
        w = AdaptiveWindow(2, 8)
        await w.acquire()
        await w.acquire()
        third = asyncio.create_task(w.acquire())
        await asyncio.sleep(0.01)
        seen = [w.in_flight, int(third.done())]
        w.answered(0.01, False)
        w.answered(0.01, False)  # a full round: the window doubles, the waiter gets in
        await asyncio.wait_for(third, 1)
        seen += [w.in_flight, w.limit]
        return seen

    assert asyncio.run(run()) == [2, 0, 3, 4]


def test_an_overload_of_429s_lowers_the_class_rate_to_what_passed_and_honours_retry_after() -> None:
    async def run() -> tuple[bool, float | None, float, float | None]:
        limits = RateLimits({"search": Limit(100, 1.0)})
        bucket = limits.bucket("search")
        bucket.started -= L.MEASURE_S  # the run is older than the measuring window
        for _ in range(30):  # 30 answered in the last few seconds: 10 a second
            await limits.acquire("search")
            bucket.passed()
        first = bucket.refused(0.3, sent_at=time.monotonic())  # one alone is no overload
        assert bucket.refused(0.3, sent_at=time.monotonic())
        found = bucket.found_rate
        started = time.monotonic()
        await limits.acquire("search")  # paused by Retry-After
        paused = time.monotonic() - started
        assert not bucket.refused(None, sent_at=started - 10)  # sent before the cut: counted already
        return first, found, paused, bucket.found_rate

    first, found, paused, again = asyncio.run(run())
    assert not first
    assert found == pytest.approx(0.9 * 30 / L.MEASURE_S, rel=0.01)
    assert 0.25 <= paused < 1.0
    assert again == found
    assert RateLimits({}).usage() == {}


def test_stray_429s_among_many_answers_leave_the_rate_alone() -> None:
    async def run() -> tuple[bool, bool, float | None]:
        limits = RateLimits({"search": Limit(1000, 1.0)})
        bucket = limits.bucket("search")
        for _ in range(100):
            await limits.acquire("search")
            bucket.passed()
        return bucket.refused(1.0, time.monotonic()), bucket.refused(1.0, time.monotonic()), bucket.found_rate

    assert asyncio.run(run()) == (False, False, None)  # 2 of 102: a fault, not the allowance


def test_a_found_rate_is_kept_then_probed_upwards_to_the_configured_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    monkeypatch.setattr(L.time, "monotonic", lambda: now[0])
    bucket = L.Bucket(Limit(60, 1.0))
    bucket._set_found(50.0)
    bucket._probe(now[0] + L.PROBE_S / 2)
    assert bucket.found_rate == 50.0
    now[0] += L.PROBE_S
    bucket._probe(now[0])
    assert bucket.found_rate == pytest.approx(50.0 * L.PROBE_STEP)
    for _ in range(10):
        now[0] += L.PROBE_S
        bucket._probe(now[0])
    assert bucket.found_rate is None and bucket.rate() == 60.0  # back at the configured limit


def test_a_class_without_a_limit_finds_one_too() -> None:
    async def run() -> dict:
        limits = RateLimits({})
        bucket = limits.bucket("entity")
        for _ in range(10):
            await limits.acquire("entity")
            bucket.passed()
        bucket.refused(None, sent_at=time.monotonic())
        bucket.refused(None, sent_at=time.monotonic())
        await limits.acquire("entity")
        return limits.usage()

    usage = asyncio.run(run())["entity"]
    assert usage["found"] and usage["rate_limited"] == 2 and usage["calls"] == 11
    assert usage["allowance_per_min"] > 0


def test_a_window_whose_answers_slow_down_stops_growing() -> None:
    w = AdaptiveWindow(16, 256)
    _round(w, latency=0.1)
    assert w.limit == 32
    _round(w, latency=0.15)  # half as slow again: more in flight only queued
    assert w.limit == 32 and w.cuts == {}
    _round(w, latency=0.11)
    assert w.limit == 64


def test_the_progress_status_names_calls_per_minute_against_the_allowance_concurrency_and_429s() -> None:
    from etl.mapillary.client import ClientSettings, MapillaryClient, usage_text

    async def run() -> str:
        client = MapillaryClient(ClientSettings(token="MLY|1|x", limits={"search": Limit(3000, 60.0)}))
        bucket = client.limits.bucket("search")
        for _ in range(10):
            await client.limits.acquire("search")
            bucket.passed()
        bucket.refused(1.0, time.monotonic())
        bucket.refused(1.0, time.monotonic())
        return usage_text(client.usage(), 256)

    text = asyncio.run(run())
    assert text.startswith("search ") and "/min of " in text and " found" in text
    assert text.endswith("; concurrency 16/256; 429s 2"), text
