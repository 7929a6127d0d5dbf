"""The fast bytes renderer must give exactly the reference renderer's JSON."""

from __future__ import annotations

import orjson
import pytest

from etl.simulator.fastjson import render_json
from etl.simulator.presets import build_world
from etl.simulator.records import JSON_FIELDS, THUMB_SIZES, RenderContext, render


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
