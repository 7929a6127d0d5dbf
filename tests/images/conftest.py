"""Fixtures for image downloads: simulator images loaded into a real PostGIS as a result."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Iterator
from datetime import datetime, timezone

import asyncpg
import pytest

from etl.simulator.config import DEFAULT_TOKEN, SimulatorConfig
from etl.simulator.presets import build_world
from etl.simulator.server import SimulatorServer
from etl.simulator.world import World
from tests.export.synthetic import add_lines, add_result, points_sql

TINY_BBOX = (6.60, 46.50, 6.68, 46.55)
INSERT_IMAGE = """
INSERT INTO images (id, sequence_id, captured_at, geom, geom_is_computed, compass_angle, computed_compass_angle,
                    altitude, computed_altitude, is_pano, make, model, width, height, creator_username)
VALUES ($1, $2, $3, ST_SetSRID(ST_MakePoint($4, $5), 4326), $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
"""


@pytest.fixture(scope="session")
def world() -> World:
    return build_world("tiny")


@pytest.fixture
def simulator(world: World) -> Iterator[SimulatorServer]:
    server = SimulatorServer(SimulatorConfig(world=world, rate_limits={}))
    with server:
        yield server


def _row(record: dict) -> tuple:
    geom = record.get("computed_geometry") or record["geometry"]
    lon, lat = geom["coordinates"]
    captured = datetime.fromtimestamp(record["captured_at"] / 1000, tz=timezone.utc)
    return (int(record["id"]), record["sequence"], captured, lon, lat, "computed_geometry" in record,
            record.get("compass_angle"), record.get("computed_compass_angle"), float(record.get("altitude", 0)),
            record.get("computed_altitude"), bool(record.get("is_pano", False)), record.get("make"),
            record.get("model"), record.get("width"), record.get("height"), record["creator"]["username"])


async def _load(dsn: str, world: World, count: int, name: str) -> list[int]:
    records = list(itertools.islice(world.images_in_bbox(TINY_BBOX), count))
    conn = await asyncpg.connect(dsn)
    try:
        await conn.executemany(INSERT_IMAGE, [_row(r) for r in records])
        await add_result(conn, name, {"spacing_urban": 100, "spacing_other": 1000, "spacing_mode": "path"})
        await conn.execute(points_sql("i.id = ANY($2::bigint[])", "i.id % 2 = 0"), name, [int(r["id"]) for r in records])
        await add_lines(conn, name)
    finally:
        await conn.close()
    return [int(r["id"]) for r in records]


def load_world_images(dsn: str, world: World, count: int = 60, name: str = "tiny") -> list[int]:
    """Insert `count` simulator images as a finished result `name` (every image kept)."""
    return asyncio.run(_load(dsn, world, count, name))


def cli_env(dsn: str, **extra: str) -> dict[str, str]:
    return {"MLYETL_DSN": dsn, "MAPILLARY_TOKEN": DEFAULT_TOKEN, **extra}
