"""Rate limits per endpoint class: documented defaults, test-sized overrides."""

from __future__ import annotations

from etl.simulator.ratelimit import DEFAULT_RATE_LIMITS, RateLimit, TokenBucket, parse_rate_limits
from etl.simulator.geo import lonlat_to_tile

from .conftest import Api

SMALL = (6.630, 46.519, 6.6315, 46.5205)


def test_documented_defaults() -> None:
    assert DEFAULT_RATE_LIMITS["search"] == RateLimit(10_000, 60)
    assert DEFAULT_RATE_LIMITS["entity"] == RateLimit(60_000, 60)
    assert DEFAULT_RATE_LIMITS["tiles"] == RateLimit(50_000, 86_400)
    assert parse_rate_limits("search=5/s,tiles=off") == {"search": RateLimit(5, 1.0), "entity": RateLimit(60_000, 60)}
    assert parse_rate_limits("off") == {}


def test_bucket_refills() -> None:
    now = [0.0]
    bucket = TokenBucket(RateLimit(2, 10.0), clock=lambda: now[0])
    assert bucket.take() == 0 and bucket.take() == 0
    assert 4.9 < bucket.take() <= 5.0  # one token every 5 s
    now[0] = 5.0
    assert bucket.take() == 0


def test_search_limit_gives_429_and_leaves_other_classes_alone(make_server) -> None:  # noqa: ANN001
    sim = make_server(rate_limits=parse_rate_limits("search=3/min,entity=5/min,tiles=2/day"))
    api = Api(sim)
    statuses = [api.images(SMALL).status for _ in range(5)]
    assert statuses == [200, 200, 200, 429, 429]
    limited = api.images(SMALL)
    assert int(limited.headers["Retry-After"]) >= 1 and limited.json()["error"]["code"] == 4
    assert [api.get("/1").status for _ in range(6)] == [400] * 5 + [429]
    x, y = lonlat_to_tile(6.632, 46.521, 14)
    tiles = [api.get(f"/maps/vtp/mly1_public/2/14/{x}/{y}", auth="query").status for _ in range(3)]
    assert tiles == [200, 200, 429]
    assert sim.stats["faults"]["rate_limited"] == 5
    sim.set_rate_limits("off")
    assert api.images(SMALL).status == 200


def test_latency_delays_every_answer_and_the_allowance_holds_per_class(make_server) -> None:  # noqa: ANN001
    import time
    from concurrent.futures import ThreadPoolExecutor

    sim = make_server(rate_limits=parse_rate_limits("search=4/s,entity=off,tiles=off"), latency_s=0.3)
    api = Api(sim)
    with ThreadPoolExecutor(8) as pool:  # eight at once: the latency does not queue them
        started = time.monotonic()
        replies = list(pool.map(lambda _: api.images(SMALL), range(8)))
        elapsed = time.monotonic() - started
    assert 0.3 <= elapsed < 1.5, elapsed
    statuses = sorted(r.status for r in replies)
    assert statuses == [200] * 4 + [429] * 4  # a burst of one second's worth, then 429 with Retry-After
    assert all(int(r.headers["Retry-After"]) >= 1 for r in replies if r.status == 429)
    started = time.monotonic()
    assert api.get("/1").status == 400  # another class, not limited; late all the same
    assert time.monotonic() - started >= 0.3
    sim.set_latency(0.0)
    started = time.monotonic()
    api.get("/1")
    assert time.monotonic() - started < 0.3
