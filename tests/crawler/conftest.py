"""Fixtures for crawler tests: a simulator per test, the crawl CLI, and DB read-backs."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator

import asyncpg
import pytest

from etl.simulator.config import DEFAULT_TOKEN, SimulatorConfig
from etl.simulator.faults import parse_faults
from etl.simulator.presets import build_world
from etl.simulator.server import SimulatorServer
from tests.conftest import PROJECT_ROOT, run_cli

# ~5,100 images in a small town; the crawl area cuts through it so the border rule matters.
TINY = "tiny"
AREA = (6.605, 46.505, 6.665, 46.545)
AREA_ARG = ",".join(map(str, AREA))
# ~22,000 images over a wider box: enough tasks for a crawl to be interrupted mid-way.
WIDE = "seed=11;bbox=6.50,46.40,6.80,46.60;background=0.05;city=6.63,46.52,0.01,25"
WIDE_AREA_ARG = "6.52,46.42,6.78,46.58"


def make_simulator(world: str = TINY, faults: str = "", schedules: list[str] | None = None) -> SimulatorServer:
    config = SimulatorConfig(world=build_world(world), faults=parse_faults(faults), rate_limits={})
    server = SimulatorServer(config)
    if schedules:
        server.set_faults(faults, schedules=schedules)
    return server


@pytest.fixture
def simulator() -> Iterator[SimulatorServer]:
    with make_simulator() as server:
        yield server


def crawl_args(sim: SimulatorServer, dsn: str, *extra: str, area: str = AREA_ARG) -> list[str]:
    return ["crawl", "--bbox", area, "--graph-url", sim.base_url, "--tiles-url", sim.tiles_url,
            "--dsn", dsn, "--backoff", "0.05", *extra]


def token_env(token: str = DEFAULT_TOKEN) -> dict[str, str]:
    return {"MAPILLARY_TOKEN": token}


def crawl(sim: SimulatorServer, dsn: str, *extra: str, area: str = AREA_ARG, token: str = DEFAULT_TOKEN,
          timeout: float = 180) -> subprocess.CompletedProcess[str]:
    return run_cli(*crawl_args(sim, dsn, *extra, area=area), env=token_env(token), timeout=timeout)


def start_crawl(sim: SimulatorServer, dsn: str, *extra: str, area: str = AREA_ARG) -> subprocess.Popen:
    """A crawl in the background (to kill it, or to run two at once)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLYETL_", "PG"))} | token_env()
    return subprocess.Popen([sys.executable, "-m", "etl", *crawl_args(sim, dsn, *extra, area=area)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=PROJECT_ROOT)


def query(dsn: str, sql: str, *args: object) -> list[asyncpg.Record]:
    async def run() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()

    return asyncio.run(run())


def stored_ids(dsn: str) -> list[int]:
    return [r["id"] for r in query(dsn, "SELECT id FROM images ORDER BY id")]


def truth(sim: SimulatorServer, area: str = AREA_ARG) -> set[int]:
    bbox = tuple(float(v) for v in area.split(","))
    return sim.visible_image_ids_in_bbox(bbox)


def task_states(dsn: str) -> dict[str, int]:
    return {r["state"]: r["n"] for r in query(dsn, "SELECT state, count(*) AS n FROM crawl_tasks GROUP BY state")}


def assert_complete(sim: SimulatorServer, dsn: str, area: str = AREA_ARG) -> None:
    ids = stored_ids(dsn)
    expected = truth(sim, area)
    assert len(ids) == len(set(ids)), "an image is stored twice"
    missing, extra = expected - set(ids), set(ids) - expected
    assert not missing and not extra, f"{len(missing)} missing, {len(extra)} outside the area or unknown"
    assert_indexes_intact(dsn)


IMAGE_INDEXES = {"images_pkey", "images_geom_gist", "images_original_geom_gist", "images_sequence_order"}


def assert_indexes_intact(dsn: str) -> None:
    """After a finished crawl (bulk-loaded or not) images has every index of the schema again."""
    names = {r["indexname"] for r in query(dsn, "SELECT indexname FROM pg_indexes WHERE tablename = 'images'")}
    assert names == IMAGE_INDEXES, names
    assert query(dsn, "SELECT count(*) AS n FROM images_bulk_indexes")[0]["n"] == 0
    assert query(dsn, "SELECT contype::text AS t FROM pg_constraint WHERE conname = 'images_pkey'")[0]["t"] == "p"
