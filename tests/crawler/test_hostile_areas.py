"""Hostile areas are refused where they enter, with one line and exit 2, before any
unbounded work: coordinates that are not degrees (projected metres without a CRS,
+-1e10, NaN, past the antimeridian), and areas whose grid would be too big to build."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import asyncpg
import pytest
import shapely

from etl.boundaries.reader import read_polygons
from etl.boundaries.store import write_layer
from etl.crawl import queue as Q
from etl.errors import UserInputError
from tests.conftest import run_cli
from tests.crawler.conftest import make_simulator, query


def _square(path: Path, x0: float, y0: float, x1: float, y1: float, crs: str | None = None) -> Path:
    ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    doc: dict = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "sq"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}
    if crs:
        doc["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(doc))
    return path


# A 5 km square in Swiss LV95 metres, without a `crs` member (the reported case).
METRES = (2530000, 1150000, 2535000, 1155000)


def _error(path: Path, crs: str | None = None) -> str:
    with pytest.raises(UserInputError) as caught:
        for _ in read_polygons(path, crs=crs):
            pass
    return caught.value.one_line()


def test_projected_metres_without_a_crs_are_refused_with_a_hint(tmp_path: Path) -> None:
    line = _error(_square(tmp_path / "lv95.geojson", *METRES))
    assert "outside the world in degrees" in line and "projected metres" in line and "--crs" in line
    # with the CRS given, the same file is a small square near Lausanne
    [[feature]] = list(read_polygons(tmp_path / "lv95.geojson", crs="EPSG:2056"))
    minx, miny, maxx, maxy = shapely.from_wkb(feature.wkb).bounds
    assert 6.0 < minx < maxx < 7.0 and 46.0 < miny < maxy < 47.5 and maxx - minx < 0.1


@pytest.mark.parametrize(("coords", "expected"), [
    ((170, 10, 200, 20), "antimeridian"),
    ((-1e10, -1e10, 1e10, 1e10), "outside the world"),
    ((6.6, 46.5, 6.7, 100.0), "outside the world"),
])
def test_coordinates_outside_the_world_are_refused(tmp_path: Path, coords: tuple, expected: str) -> None:
    line = _error(_square(tmp_path / "bad.geojson", *coords))
    assert expected in line and "feature 1 of bad.geojson" in line


def test_nan_coordinates_are_refused(tmp_path: Path) -> None:
    path = _square(tmp_path / "nan.geojson", 6.6, 46.5, 6.7, 46.6)
    path.write_text(path.read_text().replace("[6.7, 46.5]", "[NaN, 46.5]"))
    assert "not a finite number" in _error(path)


def test_a_declared_projected_crs_is_followed(tmp_path: Path) -> None:
    path = _square(tmp_path / "declared.geojson", *METRES, crs="urn:ogc:def:crs:EPSG::2056")
    [[feature]] = list(read_polygons(path))
    assert 6.0 < shapely.from_wkb(feature.wkb).bounds[0] < 7.0


def test_boundaries_load_and_crawl_polygon_refuse_metres_with_exit_2(db_dsn: str, tmp_path: Path) -> None:
    metres = _square(tmp_path / "lv95.geojson", *METRES)
    huge = _square(tmp_path / "huge.geojson", -1e10, -1e10, 1e10, 1e10)
    result = run_cli("boundaries", "load", str(metres), "--kind", "area", "--name", "lv95", "--dsn", db_dsn)
    assert result.returncode == 2, result.stderr
    assert "--crs" in result.stderr and "unexpected" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    with make_simulator() as sim:
        for path in (metres, huge):
            result = run_cli("crawl", "--polygon", str(path), "--graph-url", sim.base_url, "--tiles-url",
                             sim.tiles_url, "--dsn", db_dsn, env={"MAPILLARY_TOKEN": sim.token})
            assert result.returncode == 2, result.stderr
            assert "outside the world" in result.stderr and "unexpected" not in result.stderr
        assert sum(sim.stats["requests"].values()) == 0  # refused before any request
    assert query(db_dsn, "SELECT count(*) AS n FROM boundary_layers")[0]["n"] == 0
    assert query(db_dsn, "SELECT count(*) AS n FROM crawl_tasks")[0]["n"] == 0


def test_a_whole_world_bbox_is_bounded_before_seeding(db_dsn: str) -> None:
    with make_simulator() as sim:
        result = run_cli("crawl", "--bbox", "-180,-90,180,90", "--box-size", "0.01", "--graph-url", sim.base_url,
                         "--tiles-url", sim.tiles_url, "--dsn", db_dsn, env={"MAPILLARY_TOKEN": sim.token},
                         timeout=60)
    assert result.returncode == 2, result.stderr
    assert "648,000,000 boxes" in result.stderr and "--box-size" in result.stderr
    assert query(db_dsn, "SELECT count(*) AS n FROM crawl_tasks")[0]["n"] == 0

    async def seed_a_continent_sized_area() -> int:
        conn = await asyncpg.connect(db_dsn)
        try:
            area = shapely.to_wkb(shapely.MultiPolygon([shapely.box(0, 40, 20, 50)]))
            async with conn.transaction():
                crawl_id, _ = await Q.open_crawl(conn, "k", "search", area, "{}",
                                                 lambda c, i: Q.seed_boxes(c, i, 0.5))
            return await conn.fetchval("SELECT count(*) FROM crawl_tasks WHERE crawl_id = $1", crawl_id)
        finally:
            await conn.close()

    assert asyncio.run(seed_a_continent_sized_area()) == 40 * 20  # under the bound: seeded as before


def test_a_layer_whose_grid_is_too_big_is_refused_before_it_is_built(db_dsn: str, tmp_path: Path) -> None:
    world = _square(tmp_path / "world.geojson", -180, -90, 180, 90)

    async def load(cell_size: float) -> str:
        conn = await asyncpg.connect(db_dsn)
        try:
            with pytest.raises(UserInputError) as caught:
                await write_layer(conn, "urban", "world", "world.geojson", read_polygons(world), cell_size=cell_size)
            return caught.value.one_line()
        finally:
            await conn.close()

    line = asyncio.run(load(1 / 64))
    assert "grid cell tests" in line and "--cell-size" in line
    assert query(db_dsn, "SELECT count(*) AS n FROM boundary_layers")[0]["n"] == 0


def test_since_after_until_is_refused_before_anything_runs(db_dsn: str) -> None:
    with make_simulator() as sim:
        result = run_cli("crawl", "--bbox", "6.6,46.5,6.7,46.6", "--since", "2022-01-01", "--until", "2021-06-30",
                         "--graph-url", sim.base_url, "--tiles-url", sim.tiles_url, "--dsn", db_dsn,
                         env={"MAPILLARY_TOKEN": sim.token})
        assert sum(sim.stats["requests"].values()) == 0
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2 and len(lines) == 1, result.stderr
    assert "--since 2022-01-01 is after --until 2021-06-30" in lines[0]
    # the same day at both ends is one day's images, not an error
    from etl.crawl.settings import CrawlSettings

    assert CrawlSettings(since="2021-06-30", until="2021-06-30T23:59:59Z").until


@pytest.mark.parametrize("text", ["nan,46.5,6.7,46.6", "6.6,46.5,inf,46.6", "170,10,200,20", "6.6,-91,6.7,46.6",
                                  "-1e10,-1e10,1e10,1e10"])
def test_a_bbox_outside_the_world_or_not_numbers_is_refused(text: str) -> None:
    from etl.crawl.area import parse_bbox

    with pytest.raises(UserInputError) as caught:
        parse_bbox(text)
    assert "is not a box in degrees" in caught.value.one_line()
