"""The fast bytes renderer must give exactly the reference renderer's JSON."""

from __future__ import annotations

import numpy as np
import orjson
import pytest

from etl.mapillary.parsing import IMAGE_FIELDS
from etl.simulator.config import SimulatorConfig
from etl.simulator.fastjson import render_json
from etl.simulator.faults import parse_faults
from etl.simulator.jsoncache import JsonCache
from etl.simulator.middleware import STATE_KEY
from etl.simulator.presets import build_world
from etl.simulator.server import SimulatorServer
from etl.simulator.records import JSON_FIELDS, THUMB_SIZES, RenderContext, render
from tests.simulator.conftest import Api

IMAGE_FIELDS_CRAWLED = IMAGE_FIELDS.split(",")  # what the crawler asks for


@pytest.mark.parametrize("fields", [
    ["id"],
    list(JSON_FIELDS),
    ["captured_at", "sequence", "geometry", "id", "make", "is_pano", "organization_id", "quality_score"],
    ["computed_rotation", "computed_altitude", "atomic_scale", "thumb_256_url", "thumb_original_url"],
])
def test_fast_renderer_matches_reference(fields: list[str]) -> None:
    world = build_world("city")
    parts = list(world.query((13.39, 52.51, 13.40, 52.52)))
    ctx = RenderContext(world.seed, lambda ids, size: [f"http://x/{i}/{size}" for i in ids])
    body, count = render_json(ctx, parts, fields)
    fast = orjson.loads(body)["data"]
    assert count == len(fast) > 1000
    assert fast == render(ctx, parts, fields)
    assert all(list(row)[0] == "id" for row in fast)
    if any(f in THUMB_SIZES for f in fields):
        assert fast[0]["thumb_256_url"].startswith("http://x/")


# --- the per-cell JSON cache -------------------------------------------------------------

def _uncached_and_cached(world, ctx, parts, fields, cache):  # noqa: ANN001, ANN202
    return render_json(ctx, parts, fields)[0], render_json(ctx, parts, fields, cache)[0]


@pytest.mark.parametrize("fields", [
    ["id"],
    list(JSON_FIELDS),
    IMAGE_FIELDS_CRAWLED,
    ["captured_at", "sequence", "geometry", "id", "make", "is_pano", "organization_id", "quality_score"],
])
def test_cached_answers_are_byte_identical(fields: list[str]) -> None:
    world = build_world("city")
    ctx = RenderContext(world.seed)
    cache = JsonCache(64 << 20)
    rng = np.random.default_rng(7)
    for bbox in [(13.39, 52.51, 13.40, 52.52), (13.395, 52.515, 13.3975, 52.5175), (13.39, 52.51, 13.391, 52.511)]:
        parts = list(world.query(bbox))
        plain, cached = _uncached_and_cached(world, ctx, parts, fields, cache)
        assert cached == plain and len(plain) > 20
        # subsets with gaps (deleted images, filters, a cut at the limit), single images, runs
        holes = [(d, i[rng.random(i.size) < 0.7]) for d, i in parts]
        singles = [(d, i[:1]) for d, i in parts] + [(d, i[-1:]) for d, i in parts]
        for subset in (holes, singles, [(d, i[: i.size // 2]) for d, i in parts]):
            plain, cached = _uncached_and_cached(world, ctx, subset, fields, cache)
            assert cached == plain
    assert cache.used > 0


def test_cache_stays_within_budget_and_skips_thumbs() -> None:
    world = build_world("city")
    ctx = RenderContext(world.seed, lambda ids, size: [f"http://x/{i}/{size}" for i in ids])
    parts = list(world.query((13.39, 52.51, 13.40, 52.52)))
    small = JsonCache(200_000)  # a few cells: the rest are rendered and evicted in turn
    plain, cached = _uncached_and_cached(world, ctx, parts, list(JSON_FIELDS), small)
    assert cached == plain
    assert small.used <= 200_000 or len(small._entries) == 1
    thumbs = JsonCache(64 << 20)
    fields = ["id", "thumb_256_url", "geometry"]
    assert render_json(ctx, parts, fields, thumbs)[0] == render_json(ctx, parts, fields)[0]
    assert thumbs.used == 0  # signed URLs depend on the request: never cached


def test_server_answers_same_bytes_with_and_without_cache() -> None:
    """Same requests, faults (deleted images, short pages) and filters: identical bodies."""
    world = build_world("tiny")
    bodies = []
    for cache_mb in (0, 64):
        config = SimulatorConfig(world=world, rate_limits={}, json_cache_mb=cache_mb, fault_seed=3,
                                 faults=parse_faults("deleted=0.05,short=0.5"))
        with SimulatorServer(config) as server:
            api, out = Api(server), []
            for params in ({"bbox": "6.62,46.51,6.64,46.53"}, {"bbox": "6.60,46.50,6.68,46.55", "limit": "300"},
                           {"bbox": "6.62,46.51,6.64,46.53", "start_captured_at": "2019-01-01"}):
                reply = api.get("/images", {**params, "fields": ",".join(IMAGE_FIELDS_CRAWLED)})
                assert reply.status == 200
                out.append(reply.body)
            bodies.append(out)
            assert (server.app[STATE_KEY].json_cache is not None) == (cache_mb > 0)
    assert bodies[0] == bodies[1]
    assert all(len(orjson.loads(b)["data"]) > 10 for b in bodies[1])
