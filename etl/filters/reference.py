"""The spacing rule in plain Python: the reference the SQL is tested against.

The operation order of `haversine_m` is the one of mlyetl_haversine_m in
migrations/sql/0001/40_results.up.sql; both call the C library's sin/cos/asin/sqrt, so on
one machine the two agree to the last bit, and `keep_path` and the SQL aggregate make the
same >= decisions even when a running sum lands exactly on the threshold.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

DEG = 0.017453292519943295  # pi / 180 as a double, written out (math.radians may round differently)
EARTH_DIAMETER_M = 12742000.0  # 2 * R, R = 6371 km


def haversine_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    s_lat = math.sin((lat2 - lat1) * DEG / 2.0)
    s_lon = math.sin((lon2 - lon1) * DEG / 2.0)
    a = s_lat * s_lat + math.cos(lat1 * DEG) * math.cos(lat2 * DEG) * s_lon * s_lon
    return EARTH_DIAMETER_M * math.asin(math.sqrt(min(1.0, a)))


def keep_path(points: Sequence[tuple[float, float]], threshold: float) -> list[bool]:
    """Which of `points` (lat, lon), in walk order, the path rule keeps."""
    kept, total = [], 0.0
    for i, (lat, lon) in enumerate(points):
        if i == 0:
            kept.append(True)
            continue
        total = total + haversine_m(points[i - 1][0], points[i - 1][1], lat, lon)
        if total >= threshold:
            kept.append(True)
            total = 0.0
        else:
            kept.append(False)
    return kept


def keep_straight(points: Sequence[tuple[float, float]], threshold: float) -> list[bool]:
    """Which of `points` the straight rule keeps (distance to the last kept point)."""
    kept: list[bool] = []
    last: tuple[float, float] | None = None
    for lat, lon in points:
        if last is None or haversine_m(last[0], last[1], lat, lon) >= threshold:
            kept.append(True)
            last = (lat, lon)
        else:
            kept.append(False)
    return kept


def walk_order(rows: Iterable[tuple]) -> list[tuple]:
    """Rows (id, sequence_id, class, captured_at, lat, lon) sorted into walk order."""
    return sorted(rows, key=lambda r: (r[1], r[2], r[3], r[0]))
