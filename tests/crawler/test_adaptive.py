"""Acceptance: against an API that answers after a second and allows 3,000 search calls a
minute, the default crawl finds the allowance, uses most of it, draws few 429s, and stores
exactly the truth; two crawlers sharing the token stay under it together."""

from __future__ import annotations

import re

from etl.simulator.ratelimit import parse_rate_limits
from tests.crawler.conftest import assert_complete, crawl, make_simulator, start_crawl

# the whole tiny world in boxes of 0.002 degrees: ~1,000 search calls of a few images each
AREA = "6.60,46.50,6.68,46.55"
BOX = "0.002"
ALLOWANCE_PER_MIN = 3000
# 50 a second is 3,000 a minute with a burst of one second's worth (a per-minute bucket would
# let the whole crawl through at once: nothing to find)
SERVER_LIMITS = "search=50/s,entity=off,tiles=off"


def _seconds(stdout: str) -> float:
    return float(re.search(r"crawl \d+ \((?:new|resumed)\) in ([\d.]+) s", stdout).group(1))


def test_default_crawl_uses_the_allowance_and_stores_the_truth(db_dsn: str) -> None:
    with make_simulator("tiny") as sim:
        sim.set_rate_limits(SERVER_LIMITS)
        sim.set_latency(1.0)
        result = crawl(sim, db_dsn, "--box-size", BOX, "--min-box", "0.0005", area=AREA, timeout=300)
        assert result.returncode == 0, result.stderr
        stats = sim.stats
        assert_complete(sim, db_dsn, AREA)
    calls = stats["requests"]["images_bbox"]
    refused = stats["faults"].get("rate_limited", 0)
    seconds = _seconds(result.stdout)
    per_min = 60 * (calls - refused) / seconds
    print(f"{calls - refused} answered, {refused} 429s in {seconds:.1f} s: {per_min:.0f}/min of {ALLOWANCE_PER_MIN}")
    assert 900 <= calls - refused <= 1300, calls
    assert per_min >= 0.6 * ALLOWANCE_PER_MIN, f"{per_min:.0f} calls/min answered in {seconds:.1f} s"
    assert refused <= 0.15 * calls, f"{refused} of {calls} calls drew a 429"
    assert "429s drawn:" in result.stdout and "found by its 429s" in result.stdout


def test_two_crawlers_sharing_the_token_stay_under_the_allowance_together(db_dsn: str) -> None:
    with make_simulator("tiny") as sim:
        sim.set_rate_limits(SERVER_LIMITS)
        sim.set_latency(1.0)
        crawlers = [start_crawl(sim, db_dsn, "--box-size", BOX, "--min-box", "0.0005", area=AREA) for _ in range(2)]
        outs = [p.communicate(timeout=300) for p in crawlers]
        assert all(p.returncode == 0 for p in crawlers), outs
        stats = sim.stats
        assert_complete(sim, db_dsn, AREA)
    calls = stats["requests"]["images_bbox"]
    refused = stats["faults"].get("rate_limited", 0)
    seconds = max(_seconds(out) for out, _ in outs)
    assert refused <= 0.15 * calls, f"{refused} of {calls} calls drew a 429"
    assert 60 * (calls - refused) / seconds >= 0.5 * ALLOWANCE_PER_MIN
    assert any("found by its 429s" in out for out, _ in outs)  # each lowers its own rate on its own 429s
