"""An offline Mapillary API (Graph v4, vector tiles, thumbnail CDN) over a
deterministic synthetic world, for tests, demos and benchmarks.

    from etl.simulator import SimulatorConfig, SimulatorServer, build_world
    with SimulatorServer(SimulatorConfig(world=build_world("tiny"))) as sim:
        ...  # point the crawler at sim.base_url / sim.tiles_url with DEFAULT_TOKEN
"""

from __future__ import annotations

from etl.simulator.presets import PRESETS, build_world
from etl.simulator.world import World

__all__ = ["PRESETS", "World", "build_world"]
