"""The curation rules in plain Python: the reference the SQL is tested against (and the
GeoPandas benchmark's rules). Same operations in the same order as the SQL (the
haversine of etl/filters/reference.py, the grid of mlyetl_cell_id, the solar table of
migrations/sql/0006), so that on one machine both agree to the last bit.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from etl.filters.reference import DEG, haversine_m

R_M = 6371000.0
COS30 = 0.8660254037844387
SUN_STEPS = 1461
SUN_STEP_S = 21599.538726899384  # 365.2422 * 86400 / 1461
SUN_BASE = -2208964608.0  # J2000.0 - 100 tropical years, where the fractional year is 0


def _sun_tables() -> tuple[list[float], list[float], list[float]]:
    sin_decl, cos_decl, eqtime = [], [], []
    for k in range(SUN_STEPS):
        y = 2.0 * math.pi * k / 1461.0
        decl = (0.006918 - 0.399912 * math.cos(y) + 0.070257 * math.sin(y) - 0.006758 * math.cos(2.0 * y)
                + 0.000907 * math.sin(2.0 * y) - 0.002697 * math.cos(3.0 * y) + 0.00148 * math.sin(3.0 * y))
        eq = 229.18 * (0.000075 + 0.001868 * math.cos(y) - 0.032077 * math.sin(y) - 0.014615 * math.cos(2.0 * y)
                       - 0.040849 * math.sin(2.0 * y))
        sin_decl.append(math.sin(decl))
        cos_decl.append(math.cos(decl))
        eqtime.append(eq)
    return sin_decl, cos_decl, eqtime


SIN_DECL, COS_DECL, EQTIME = _sun_tables()


def sun_step(epoch: float) -> int:
    """0-based table step of an instant (round half to even, as PostgreSQL's float-to-int cast)."""
    return round((epoch - SUN_BASE) / SUN_STEP_S) % SUN_STEPS


def sun_sine(epoch: float, lon: float, lat: float) -> float:
    k = sun_step(epoch)
    return (math.sin(math.radians(lat)) * SIN_DECL[k] + math.cos(math.radians(lat)) * COS_DECL[k]
            * math.cos(math.radians(epoch / 240.0 + EQTIME[k] / 4.0 + lon + 180.0)))


def sun_elevation(when: datetime, lon: float, lat: float) -> float:
    """Degrees above the horizon, no refraction (mlyetl_sun_elevation)."""
    # PostgreSQL's degrees() divides by pi / 180 (math.degrees multiplies by 180 / pi)
    return math.asin(max(-1.0, min(1.0, sun_sine(when.timestamp(), lon, lat)))) / DEG


def daylight(when: datetime, lon: float, lat: float) -> bool:
    return sun_sine(when.timestamp(), lon, lat) > 0.0


def cell_id(lon: float, lat: float, size: float) -> int:
    """mlyetl_cell_id: the cell of the equal-area grid (Lambert cylindrical, R = 6371 km,
    standard parallels +-30 degrees) of side `size` metres."""
    row = math.floor(R_M * math.sin(lat * DEG) / COS30 / size)
    col = math.floor(R_M * (lon * DEG) * COS30 / size)
    return row * 4294967296 + col + 2147483648


def random_key(seed: int, image_id: int) -> int:
    """The first 64 bits of md5('<seed>:<id>') as a signed integer (curation_priority.sql)."""
    value = int(hashlib.md5(f"{seed}:{image_id}".encode()).hexdigest()[:16], 16)
    return value - 2**64 if value >= 2**63 else value


@dataclass(frozen=True)
class Candidate:
    id: int
    urban: bool
    lon: float
    lat: float
    captured_at: datetime
    quality: float | None = None


def priority_key(priority: str, seed: int | None = None):  # noqa: ANN201 - a key function
    """Sort key of a candidate for --priority (first = smallest)."""
    if priority == "newest":
        return lambda c: (-c.captured_at.timestamp(), c.id)
    if priority == "oldest":
        return lambda c: (c.captured_at.timestamp(), c.id)
    if priority == "quality":
        return lambda c: (c.quality is None, -(c.quality or 0.0), -c.captured_at.timestamp(), c.id)
    if priority == "random":
        return lambda c: (random_key(seed or 0, c.id), c.id)
    raise ValueError(priority)


def thin(ordered: Sequence[Candidate], distance_urban: float, distance_other: float) -> list[Candidate]:
    """The sequential rule: in priority order, keep a candidate when no kept candidate of its
    class is closer than its class's distance (haversine)."""
    kept: list[Candidate] = []
    for c in ordered:
        m = distance_urban if c.urban else distance_other
        if m <= 0 or all(k.urban != c.urban or haversine_m(k.lat, k.lon, c.lat, c.lon) >= m for k in kept):
            kept.append(c)
    return kept


def curate(candidates: Iterable[Candidate], *, distance_urban: float = 0.0, distance_other: float = 0.0,
           priority: str = "newest", seed: int | None = None, max_per_cell: int | None = None,
           cell_size: float | None = None) -> dict[int, int | None]:
    """Thinning then caps; returns kept id -> cell id (None without a cell size)."""
    ordered = sorted(candidates, key=priority_key(priority, seed))
    kept = thin(ordered, distance_urban, distance_other)
    size = cell_size if cell_size is not None else (1000.0 if max_per_cell is not None else None)
    taken: dict[tuple, int] = {}
    out: dict[int, int | None] = {}
    for c in kept:  # still in priority order
        cell = cell_id(c.lon, c.lat, size) if size is not None else None
        n = taken.get((cell, c.urban), 0)
        if max_per_cell is None or n < max_per_cell:
            out[c.id] = cell
        taken[(cell, c.urban)] = n + 1
    return out
