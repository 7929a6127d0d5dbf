"""Small helpers for the filter and boundary tests: polygons as files, images as rows."""

from __future__ import annotations

import asyncio
import json
import math
from datetime import datetime, timedelta, timezone
from pathlib import Path

import asyncpg

from etl import boundaries
from etl.filters import FilterParams, run_filter

T0 = datetime(2021, 6, 1, tzinfo=timezone.utc)
R_M = 6371000.0
# degrees of latitude per metre along a meridian (haversine along a meridian is R * dlat)
LAT_DEG_PER_M = 180.0 / (math.pi * R_M)


def box(x0: float, y0: float, x1: float, y1: float) -> list:
    return [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]


def write_geojson(path: Path, geometries: list[dict], crs: str | None = None) -> Path:
    collection = {"type": "FeatureCollection",
                  "features": [{"type": "Feature", "properties": {"name": f"f{i}"}, "geometry": g}
                               for i, g in enumerate(geometries)]}
    if crs:
        collection["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(collection))
    return path


def polygon(coords: list) -> dict:
    return {"type": "Polygon", "coordinates": coords}


async def load_layer(dsn: str, path: Path, kind: str, name: str, **kwargs) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return await boundaries.load_polygon_file(conn, path, kind, name, **kwargs)
    finally:
        await conn.close()


async def insert_images(dsn: str, rows: list[tuple]) -> None:
    """rows: (id, sequence_id, seconds after T0, lon, lat)."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.executemany(
            "INSERT INTO images (id, sequence_id, captured_at, geom) "
            "VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326))",
            [(i, s, T0 + timedelta(seconds=t), lon, lat) for i, s, t, lon, lat in rows])
    finally:
        await conn.close()


async def fetch(dsn: str, sql: str, *args) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


def setup_square_world(dsn: str, tmp_path: Path) -> None:
    """Continent 'square' = lon/lat 0..1; urban layer 'town' = lon 0.5..0.6, lat 0..1."""
    asyncio.run(load_layer(dsn, write_geojson(tmp_path / "c.geojson", [polygon(box(0, 0, 1, 1))]),
                           "continent", "square"))
    asyncio.run(load_layer(dsn, write_geojson(tmp_path / "u.geojson", [polygon(box(0.5, 0, 0.6, 1))]),
                           "urban", "town"))


def setup_simulator_world(dsn: str, tmp_path: Path) -> None:
    """Layers over the crawler tests' simulator area: continent 'area' and urban 'town' inside it."""
    asyncio.run(load_layer(dsn, write_geojson(tmp_path / "c.geojson", [polygon(box(6.6, 46.5, 6.67, 46.55))]),
                           "continent", "area"))
    asyncio.run(load_layer(dsn, write_geojson(tmp_path / "u.geojson", [polygon(box(6.62, 46.51, 6.64, 46.53))]),
                           "urban", "town"))


def filter_square(dsn: str, name: str = "r1", jobs: int = 2, **kwargs):  # noqa: ANN201
    params = FilterParams(name=name, continent="square", urban="town", **kwargs)
    return asyncio.run(run_filter(dsn, params, jobs=jobs))


def points(dsn: str, name: str = "r1") -> dict[int, asyncpg.Record]:
    """Every clipped image of result `name` (the filter_clipped view): class, kept, duplicate_of."""
    rows = asyncio.run(fetch(dsn, "SELECT * FROM filter_clipped WHERE result_name = $1", name))
    return {r["image_id"]: r for r in rows}


def kept_ids(dsn: str, name: str = "r1") -> set[int]:
    """The result's dataset (filter_points), checked against the view's kept flags."""
    rows = asyncio.run(fetch(dsn, "SELECT image_id FROM filter_points WHERE result_name = $1", name))
    kept = {r["image_id"] for r in rows}
    assert kept == {i for i, r in points(dsn, name).items() if r["kept"]}
    # each kept row carries its image's exported attributes and exact position
    differing = asyncio.run(fetch(dsn, "SELECT fp.image_id FROM filter_points fp JOIN images i ON i.id = fp.image_id "
                                       "WHERE fp.result_name = $1 AND (fp.captured_at IS DISTINCT FROM i.captured_at "
                                       "OR fp.is_pano IS DISTINCT FROM i.is_pano OR fp.make IS DISTINCT FROM i.make "
                                       "OR NOT ST_Equals(fp.geom, i.geom) OR fp.captured_at IS NULL)", name))
    assert differing == []
    return kept
