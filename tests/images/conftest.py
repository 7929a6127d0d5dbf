"""Fixtures for image downloads: simulator images loaded into a real PostGIS as a result."""

from __future__ import annotations

import asyncio
import itertools
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
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


@dataclass(frozen=True)
class S3Server:
    endpoint: str
    env: dict[str, str]  # what a process needs to use it: the standard AWS variables

    def create_bucket(self, name: str) -> None:
        request = urllib.request.Request(f"{self.endpoint}/{name}", method="PUT")
        with urllib.request.urlopen(request, timeout=30) as answer:
            assert answer.status == 200


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3Server]:
    """A real S3 server on localhost: moto in server mode (from PyPI), in its own process."""
    port = _free_port()
    log = (tmp_path_factory.mktemp("moto") / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                            stdout=log, stderr=subprocess.STDOUT)
    endpoint = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                with urllib.request.urlopen(f"{endpoint}/moto-api/", timeout=5):
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the S3 server (moto) did not start; see {log.name}") from None
                time.sleep(0.2)
        yield S3Server(endpoint, {"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "mlyetl-test-key-id",
                                  "AWS_SECRET_ACCESS_KEY": "mlyetl-test-secret-do-not-log", "AWS_REGION": "us-east-1"})
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()
