"""--polygon: only images inside the polygon are kept (boxes crossing its border are filtered)."""

from __future__ import annotations

import json

import shapely

from tests.conftest import run_cli
from tests.crawler.conftest import make_simulator, query

TRIANGLE = [(6.605, 46.505), (6.665, 46.505), (6.635, 46.545), (6.605, 46.505)]


def test_polygon_area_keeps_exactly_the_images_inside(db_dsn: str, tmp_path) -> None:  # noqa: ANN001
    path = tmp_path / "triangle.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "t"}, "geometry": {"type": "Polygon", "coordinates": [TRIANGLE]}}]}))
    polygon = shapely.Polygon(TRIANGLE)
    with make_simulator() as sim:
        args = ["crawl", "--polygon", str(path), "--graph-url", sim.base_url, "--tiles-url", sim.tiles_url, "--dsn", db_dsn]
        result = run_cli(*args, env={"MAPILLARY_TOKEN": sim.token})
        assert result.returncode == 0, result.stderr
        world = sim.world
        candidates = sim.visible_image_ids_in_bbox(polygon.bounds)
    expected = set()
    for image_id in candidates:
        rec = world.image(image_id)
        x, y = (rec.get("computed_geometry") or rec["geometry"])["coordinates"]
        if polygon.intersects(shapely.Point(x, y)):
            expected.add(image_id)
    got = {r["id"] for r in query(db_dsn, "SELECT id FROM images")}
    assert got == expected and 0 < len(got) < len(candidates)
