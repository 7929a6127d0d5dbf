"""`mlyetl demo`: the whole pipeline offline, on the simulator's small built-in world.

It starts the embedded database (unless another is configured) and the simulator
in this process, loads the demo's boundaries, then runs the same stage commands
as `mlyetl run` with the simulator's URLs and its public test token. Rerunning
resumes like any run; every stage is a no-op when its work is already done.
"""

from __future__ import annotations

import asyncio
import os
from dataclasses import dataclass
from pathlib import Path

from etl.boundaries.store import find_layer
from etl.config import RunConfig
from etl.db.connect import connection
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


def plan_demo(out: Path, graph_url: str, tiles_url: str, bbox: tuple[float, float, float, float]) -> DemoPlan:
    urban_file = DATA_DIR / "demo" / "demo-town-urban.geojson"
    urban = StageCommand("boundaries", ["boundaries", "load", str(urban_file), "--kind", "urban",
                                        "--name", URBAN_LAYER])
    return DemoPlan(urban, plan_run(demo_config(out, graph_url, tiles_url, bbox)), out)


async def _has_urban_layer(dsn: str) -> bool:
    async with connection(dsn) as conn:
        return await find_layer(conn, "urban", URBAN_LAYER) is not None


def run_demo(plan: DemoPlan, dsn: str, token: str, echo) -> None:  # noqa: ANN001 - click.echo-like
    """Run the demo's stages; the continent layer is built by the filter stage on first use."""
    # The simulator's token is a public test value, not a secret; the stages read it from here.
    os.environ["MAPILLARY_TOKEN"] = token
    stages = plan.stages if asyncio.run(_has_urban_layer(dsn)) else [plan.urban_layer, *plan.stages]
    for stage in stages:
        echo(f"== {stage.shell()}")
        run_stage(stage)
