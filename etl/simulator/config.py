"""Everything a simulator run needs, in one typed object."""

from __future__ import annotations

from dataclasses import dataclass, field

from etl.simulator.faults import FaultConfig
from etl.simulator.presets import build_world
from etl.simulator.ratelimit import DEFAULT_RATE_LIMITS, RateLimit
from etl.simulator.world import World

# A made-up test token in Mapillary's format; it opens nothing but the simulator.
DEFAULT_TOKEN = "MLY|4242|simulator"
MAX_LIMIT = 2000


def _tiny_world() -> World:
    return build_world("tiny")


@dataclass
class SimulatorConfig:
    world: World = field(default_factory=_tiny_world)  # what the API serves
    tokens: frozenset[str] = frozenset({DEFAULT_TOKEN})  # accepted tokens; others get 401
    blocked_tokens: frozenset[str] = frozenset()  # answered 403 OAuthException 368/1348007
    url_expiry_seconds: float = 7200.0  # lifetime of signed thumbnail URLs
    faults: FaultConfig = field(default_factory=FaultConfig)
    fault_seed: int = 0  # makes random faults reproducible
    rate_limits: dict[str, RateLimit] = field(default_factory=lambda: dict(DEFAULT_RATE_LIMITS))
    # Seconds every answer of the API and the CDN takes (rate-limit and error answers too), as
    # the real API's answers take about a second; the `slow` fault adds to it.
    latency_s: float = 0.0
    signing_key: bytes = b"mlyetl-simulator-thumbs"  # HMAC key of thumbnail URLs
    public_url: str | None = None  # base of thumbnail URLs; default: the request's own origin
    max_limit: int = MAX_LIMIT  # cap of /images answers (the API's 2000)
    max_batch_ids: int = 100  # most ids one /?ids= call may ask for
    # Image fields answered as nonexisting (400 code 100), besides the `reject` fault's. The real
    # API was recorded rejecting `organization_id` (a search filter, not a documented image field);
    # the world still has organisations, in that filter and in the tiles.
    rejected_fields: frozenset[str] = frozenset({"organization_id"})
    json_cache_mb: int = 512  # rendered /images JSON kept per cell (etl/simulator/jsoncache.py); 0: none
