"""`mlyetl demo`: the whole pipeline offline, on the simulator's small built-in world.

It starts the embedded database (unless another is configured) and the simulator
in this process, loads the demo's boundaries, then runs the same stage commands
as `mlyetl run` with the simulator's URLs and its public test token. Rerunning
resumes like any run; every stage is a no-op when its work is already done.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from etl.config import RunConfig
from etl.paths import DATA_DIR
from etl.pipeline import StageCommand, plan_run, run_stage

DEMO_NAME = "demo"
URBAN_LAYER = "demo-town"
CONTINENT = "Europe"


@dataclass
class DemoPlan:
    boundaries: list[StageCommand]
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
    boundaries = [
        StageCommand("boundaries", ["boundaries", "add-continent", CONTINENT]),
        StageCommand("boundaries", ["boundaries", "load", str(urban_file), "--kind", "urban", "--name", URBAN_LAYER]),
    ]
    return DemoPlan(boundaries, plan_run(demo_config(out, graph_url, tiles_url, bbox)), out)


def run_demo(plan: DemoPlan, token: str, echo) -> None:  # noqa: ANN001 - click.echo-like
    # The simulator's token is a public test value, not a secret; the stages read it from here.
    os.environ["MAPILLARY_TOKEN"] = token
    for stage in plan.boundaries + plan.stages:
        echo(f"== {stage.shell()}")
        run_stage(stage)
