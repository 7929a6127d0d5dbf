"""`mlyetl demo`: the whole pipeline offline, on the simulator's small built-in world.

The simulator runs in this process; the demo loads its urban layer, then runs the same
stages as `mlyetl run` through their library entry points, with the simulator's URLs and
its public test token. Rerunning resumes like any run; every stage is a no-op when its
work is already done.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from etl.boundaries.store import find_layer
from etl.config import RunConfig
from etl.db.connect import connection
from etl.db.target import DatabaseTarget
from etl.paths import DATA_DIR
from etl.pipeline import StageCommand, plan_run, run_stage

DEMO_NAME = "demo"
URBAN_LAYER = "demo-town"
CONTINENT = "Europe"


@dataclass
class DemoPlan:
    urban_layer: StageCommand  # loaded once; reloading would make the filter recompute everything
    stages: list[StageCommand]
    out: Path


def demo_config(out: Path, graph_url: str, tiles_url: str, bbox: tuple[float, float, float, float]) -> RunConfig:
    sections = {
        "area": {"bbox": list(bbox)},
        "crawl": {"graph_url": graph_url, "tiles_url": tiles_url, "concurrency": 16},
        "filter": {"continent": CONTINENT, "urban": URBAN_LAYER, "spacing_urban": 100, "spacing_other": 1000},
        "export": {"formats": ["csv", "gpkg"], "shards": 4},
        "images": {"enabled": True, "size": "256", "graph_url": graph_url},
        "report": {},
    }
    return RunConfig(name=DEMO_NAME, out=out, sections=sections)


def plan_demo(out: Path, graph_url: str, tiles_url: str, bbox: tuple[float, float, float, float],
              token: str | None = None) -> DemoPlan:
    from etl.stages.boundaries import BoundariesSettings

    urban_file = DATA_DIR / "demo" / "demo-town-urban.geojson"
    urban = StageCommand("boundaries", ["boundaries", "load", str(urban_file), "--kind", "urban",
                                        "--name", URBAN_LAYER],
                         BoundariesSettings(kind="urban", name=URBAN_LAYER, file=urban_file))
    return DemoPlan(urban, plan_run(demo_config(out, graph_url, tiles_url, bbox), token=token), out)


async def _has_urban_layer(target: DatabaseTarget | str) -> bool:
    async with connection(target) as conn:
        return await find_layer(conn, "urban", URBAN_LAYER) is not None


def run_demo(plan: DemoPlan, target: DatabaseTarget | str, echo: Callable[[str], None], quiet: bool = True,
             warn: Callable[[str], None] | None = None) -> None:
    """Run the demo's stages (the target started and migrated); the continent layer is built by
    the filter stage on first use."""
    stages = plan.stages if asyncio.run(_has_urban_layer(target)) else [plan.urban_layer, *plan.stages]
    for stage in stages:
        (warn or echo)(f"== {stage.shell()}")
        run_stage(stage, target, quiet=quiet, echo=echo, warn=warn)
