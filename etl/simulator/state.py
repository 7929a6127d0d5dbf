"""The mutable state of a running simulator, shared by its handlers."""

from __future__ import annotations

import numpy as np

from etl.simulator.changes import ChangeStep
from etl.simulator.config import SimulatorConfig
from etl.simulator.faults import FaultConfig, FaultInjector
from etl.simulator.geo import BBox
from etl.simulator.jsoncache import JsonCache
from etl.simulator.ratelimit import RateLimit, RateLimiter
from etl.simulator.stats import Stats
from etl.simulator.thumbs import ThumbSigner


class SimulatorState:
    def __init__(self, config: SimulatorConfig) -> None:
        self.config = config
        self.world = config.world
        self.stats = Stats()
        self.injector = FaultInjector(config.faults, config.fault_seed)
        self.limiter = RateLimiter(config.rate_limits)
        self.signer = ThumbSigner(config.signing_key, config.url_expiry_seconds)
        self.json_cache = JsonCache(config.json_cache_mb << 20) if config.json_cache_mb > 0 else None

    def set_faults(self, faults: FaultConfig) -> None:
        self.config.faults = faults
        self.injector = FaultInjector(faults, self.config.fault_seed)

    def set_rate_limits(self, limits: dict[str, RateLimit]) -> None:
        self.config.rate_limits = dict(limits)
        self.limiter = RateLimiter(self.config.rate_limits)

    def change_world(self, step: ChangeStep) -> int:
        """A new world version (images moved, deleted, added); rendered answers of the old one go."""
        version = self.world.change(step)
        if self.json_cache is not None:
            self.json_cache = JsonCache(self.json_cache.budget)
        return version

    def hidden(self, ids: np.ndarray) -> np.ndarray:
        """Mask of ids the API no longer shows (deleted images)."""
        return self.injector.deleted_mask(ids)

    def visible_image_ids_in_bbox(self, bbox: BBox) -> set[int]:
        """Ground truth as the API sees it: the world's images minus deleted ones."""
        ids = np.fromiter(self.world.image_ids_in_bbox(bbox), dtype=np.int64)
        return set(ids[~self.hidden(ids)].tolist())

    def deleted_image_ids(self, ids: list[int]) -> list[int]:
        arr = np.asarray(ids, dtype=np.int64)
        return arr[self.hidden(arr)].tolist()
