"""Fault injection: what goes wrong, how often, and on which request.

Random faults are decided by hashing (fault seed, endpoint, request number), so
a run with the same seed and the same request order fails the same way.
Schedules force a fault on chosen requests ("the first 3 bbox searches get a
503"). Semantic faults (reduce, partial, short, deleted) are applied by the
endpoint handlers, which ask this module whether they apply.

CLI / `parse_faults` syntax, comma separated (see docs/simulator.md):
    5xx=0.05  429=0.02[:retry_after]  timeout=0.01  slow=0.01[:seconds]
    drop=0.01  truncate=0.01  partial=0.3  short=0.1  deleted=0.01
    reduce=5000 (images per box)  density=2e7 (images per square degree)
    5xx_statuses=500/502/503  limit_status=403
    reject=make/quality_score  sparse=0.5  tiles=strings  tile_empty=0.8  tile_missing=0.1
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from etl.simulator.hashing import hash_ints, uniform, uniform_array

KINDS = ("500", "502", "503", "504", "429", "limit403", "limit400", "timeout", "drop", "truncate", "malformed", "slow",
         "reduce", "partial", "short")
_SALT_DELETED = 0xDE1


@dataclass(frozen=True)
class FaultSchedule:
    """Force `kind` on requests `first`..`last` (1-based) of `endpoint`, or on every `every`-th.

    `endpoint` is an endpoint name (see stats.ENDPOINTS) or "*" for all.
    """

    endpoint: str
    kind: str
    first: int = 1
    last: int = 1
    every: int = 0

    def matches(self, endpoint: str, number: int) -> bool:
        if self.endpoint not in ("*", endpoint):
            return False
        if self.every:
            return number % self.every == 0
        return self.first <= number <= self.last


@dataclass(frozen=True)
class FaultConfig:
    error_5xx_rate: float = 0.0  # fraction of requests answered 500/502/503
    error_5xx_statuses: tuple[int, ...] = (500, 502, 503)
    rate_429: float = 0.0  # fraction answered 429 with Retry-After
    retry_after_seconds: float = 1.0  # Retry-After of those 429s
    limit_status: int = 429  # status of every code-4 answer (faults and limiter); 403 as in real recordings
    timeout_rate: float = 0.0  # fraction answered 400 OAuthException -2/3404014 (graph only)
    slow_rate: float = 0.0  # fraction delayed by slow_seconds before answering
    slow_seconds: float = 2.0
    drop_rate: float = 0.0  # fraction whose connection is closed without an answer
    truncate_rate: float = 0.0  # fraction whose body is cut short (Content-Length mismatch)
    partial_sequence_rate: float = 0.0  # sequence_ids answers that return a random subset
    short_page_rate: float = 0.0  # capped bbox answers returning fewer than the cap (e.g. 1935)
    reduce_data_threshold: int | None = None  # bbox holding more images -> "reduce the amount of data"
    reduce_density_threshold: float | None = None  # same, above this many images per square degree
    deleted_image_rate: float = 0.0  # images gone: absent from search/tiles, 100/33 on /{id}
    rejected_fields: frozenset[str] = frozenset()  # image fields answered 400 code 100 "nonexisting field"
    sparse_rate: float = 0.0  # chance that an optional field is left out of a record (per image and field)
    tile_strings: bool = False  # tiles as recorded in 2021: every value a string, feature ids 0..N
    tile_empty_rate: float = 0.0  # chance that a tile property value is an empty string (strings style)
    tile_missing_rate: float = 0.0  # chance that a tile property is left out of a feature
    schedules: tuple[FaultSchedule, ...] = ()
    endpoints: frozenset[str] | None = None  # endpoints random faults hit; None = all served ones

    def with_updates(self, **changes: object) -> FaultConfig:
        return replace(self, **changes)


@dataclass
class Decision:
    """What to do with one request before (or instead of) answering it."""

    kind: str | None = None  # None: answer normally
    delay: float = 0.0
    forced: set[str] = field(default_factory=set)  # semantic faults forced by a schedule


class FaultInjector:
    def __init__(self, config: FaultConfig, seed: int = 0) -> None:
        self.config, self.seed = config, seed

    def decide(self, endpoint: str, number: int) -> Decision:
        """The fault (if any) for the `number`-th request to `endpoint`."""
        decision = Decision()
        for schedule in self.config.schedules:
            if schedule.matches(endpoint, number):
                self._apply(decision, schedule.kind)
        if decision.kind is None and self._random_applies(endpoint):
            self._random(decision, endpoint, number)
        return decision

    def _apply(self, decision: Decision, kind: str) -> None:
        if kind == "slow":
            decision.delay = self.config.slow_seconds
        elif kind in ("reduce", "partial", "short"):
            decision.forced.add(kind)
        elif decision.kind is None:
            decision.kind = kind

    def _random_applies(self, endpoint: str) -> bool:
        return self.config.endpoints is None or endpoint in self.config.endpoints

    def _random(self, decision: Decision, endpoint: str, number: int) -> None:
        c = self.config
        key = hash_ints(*endpoint.encode())
        u = [uniform(self.seed, key, number, j) for j in range(6)]
        if u[0] < c.drop_rate:
            decision.kind = "drop"
        elif u[1] < c.error_5xx_rate and c.error_5xx_statuses:
            decision.kind = str(c.error_5xx_statuses[int(u[5] * len(c.error_5xx_statuses))])
        elif u[2] < c.rate_429:
            decision.kind = "429"
        elif u[3] < c.timeout_rate and endpoint not in ("tiles", "thumbs"):
            decision.kind = "timeout"
        elif u[4] < c.truncate_rate:
            decision.kind = "truncate"
        if u[5] < c.slow_rate:
            decision.delay = max(decision.delay, c.slow_seconds)

    def chance(self, what: str, number: int, rate: float) -> bool:
        """A per-request coin for semantic faults (partial, short)."""
        return rate > 0 and uniform(self.seed, hash_ints(*what.encode()), number) < rate

    def rng(self, what: str, number: int) -> np.random.Generator:
        return np.random.Generator(np.random.PCG64(hash_ints(self.seed, hash_ints(*what.encode()), number)))

    def deleted_mask(self, ids: np.ndarray) -> np.ndarray:
        """True for ids that are "deleted" under this config."""
        rate = self.config.deleted_image_rate
        if rate <= 0:
            return np.zeros(ids.shape, dtype=bool)
        return uniform_array(self.seed, _SALT_DELETED, ids) < rate

    def is_deleted(self, image_id: int) -> bool:
        return bool(self.deleted_mask(np.array([image_id], dtype=np.int64))[0])


# --- parsing ------------------------------------------------------------------

_RATE_KEYS = {
    "5xx": "error_5xx_rate",
    "429": "rate_429",
    "timeout": "timeout_rate",
    "slow": "slow_rate",
    "drop": "drop_rate",
    "truncate": "truncate_rate",
    "partial": "partial_sequence_rate",
    "short": "short_page_rate",
    "deleted": "deleted_image_rate",
    "sparse": "sparse_rate",
    "tile_empty": "tile_empty_rate",
    "tile_missing": "tile_missing_rate",
}


def parse_faults(text: str, base: FaultConfig | None = None) -> FaultConfig:
    """FaultConfig from "5xx=0.05,429=0.02:3,slow=0.01:2.0,reduce=5000,..." ("" or "none": no faults)."""
    config = base or FaultConfig()
    changes: dict[str, object] = {}
    for item in filter(None, (p.strip() for p in text.split(","))):
        if item == "none":
            continue
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"fault {item!r} needs key=value")
        changes.update(_parse_item(key.strip(), value.strip()))
    return config.with_updates(**changes)


def _parse_item(key: str, value: str) -> dict[str, object]:
    if key in _RATE_KEYS:
        rate, _, extra = value.partition(":")
        out: dict[str, object] = {_RATE_KEYS[key]: _rate(rate)}
        if extra and key == "429":
            out["retry_after_seconds"] = float(extra)
        elif extra and key == "slow":
            out["slow_seconds"] = float(extra)
        return out
    if key == "reduce":
        return {"reduce_data_threshold": int(float(value))}
    if key == "density":
        return {"reduce_density_threshold": float(value)}
    if key == "retry_after":
        return {"retry_after_seconds": float(value)}
    if key == "slow_seconds":
        return {"slow_seconds": float(value)}
    if key == "5xx_statuses":
        return {"error_5xx_statuses": tuple(int(v) for v in value.split("/"))}
    if key == "limit_status":
        return {"limit_status": int(value)}
    if key == "reject":
        return {"rejected_fields": frozenset(filter(None, (v.strip() for v in value.split("/"))))}
    if key == "tiles":
        if value not in ("strings", "typed"):
            raise ValueError(f"tiles={value!r}: use tiles=strings or tiles=typed")
        return {"tile_strings": value == "strings"}
    known = [*_RATE_KEYS, "reduce", "density", "retry_after", "limit_status", "reject", "tiles"]
    raise ValueError(f"unknown fault {key!r}; known: {', '.join(known)}")


def _rate(text: str) -> float:
    rate = float(text)
    if not 0.0 <= rate <= 1.0:
        raise ValueError(f"fault rate {text} must be between 0 and 1")
    return rate


def parse_schedule(text: str) -> FaultSchedule:
    """"ENDPOINT:KIND:WHICH" with WHICH = 3 | 2-5 | first3 | every10, e.g. "images_bbox:503:first3"."""
    try:
        endpoint, kind, which = text.split(":")
    except ValueError:
        raise ValueError(f"schedule {text!r} must be ENDPOINT:KIND:WHICH, e.g. images_bbox:503:first3") from None
    if kind not in KINDS:
        raise ValueError(f"unknown fault kind {kind!r}; known: {', '.join(KINDS)}")
    if which.startswith("every"):
        return FaultSchedule(endpoint, kind, every=int(which[5:]))
    if which.startswith("first"):
        return FaultSchedule(endpoint, kind, 1, int(which[5:]))
    first, _, last = which.partition("-")
    return FaultSchedule(endpoint, kind, int(first), int(last or first))
