"""An offline Mapillary API (Graph v4, vector tiles, thumbnail CDN) over a
deterministic synthetic world, for tests, demos and benchmarks (docs/simulator.md).

    from etl.simulator import DEFAULT_TOKEN, SimulatorConfig, SimulatorServer, build_world
    with SimulatorServer(SimulatorConfig(world=build_world("tiny"))) as sim:
        ...  # point the crawler at sim.base_url / sim.tiles_url with DEFAULT_TOKEN
"""

from __future__ import annotations

from etl.simulator.config import DEFAULT_TOKEN, SimulatorConfig
from etl.simulator.faults import FaultConfig, FaultSchedule, parse_faults, parse_schedule
from etl.simulator.presets import PRESETS, build_world
from etl.simulator.ratelimit import DEFAULT_RATE_LIMITS, RateLimit, parse_rate_limits
from etl.simulator.server import SimulatorServer, create_app
from etl.simulator.world import World

__all__ = [
    "DEFAULT_RATE_LIMITS",
    "DEFAULT_TOKEN",
    "PRESETS",
    "FaultConfig",
    "FaultSchedule",
    "RateLimit",
    "SimulatorConfig",
    "SimulatorServer",
    "World",
    "build_world",
    "create_app",
    "parse_faults",
    "parse_rate_limits",
    "parse_schedule",
]
