"""The map cells the report counts images in: Web Mercator squares of 8 pixels at a zoom.

Leaflet draws the world at zoom z as 256 * 2^z pixels across; a cell of level z is 8 of
those pixels, so a level's cells look the same size on screen at their own zoom. The SQL
(sql/report/*_bins.sql, *_points.sql, result_clipped.sql) numbers the cells of the finest
level, 12 (~200 m at mid latitudes), with x12 / y12 in [0, 2^17); a coarser level's cell is
x12 >> (12 - level). The page's
script turns cell numbers back into corners with the same formula.
"""

from __future__ import annotations

import math

LEVELS = (2, 4, 6, 8, 10, 12)
FINEST = LEVELS[-1]
CELLS_FINEST = 1 << 17  # cells across the world at level 12: 256 * 2^12 / 8
MAX_LAT = 85.0511


def cell_finest(lon: float, lat: float) -> tuple[int, int]:
    """The finest level's cell of a point, as the SQL computes it."""
    lat = min(max(lat, -MAX_LAT), MAX_LAT)
    x = math.floor((lon + 180.0) / 360.0 * CELLS_FINEST)
    y = math.floor((1 - math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)) / math.pi) / 2 * CELLS_FINEST)
    return min(max(x, 0), CELLS_FINEST - 1), min(max(y, 0), CELLS_FINEST - 1)


def cell(lon: float, lat: float, level: int) -> tuple[int, int]:
    x, y = cell_finest(lon, lat)
    return x >> (FINEST - level), y >> (FINEST - level)


def cell_bounds(x: int, y: int, level: int) -> tuple[float, float, float, float]:
    """(west, south, east, north) of a cell in degrees."""
    n = CELLS_FINEST >> (FINEST - level)

    def lat(row: float) -> float:
        return math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * row / n))))

    return x / n * 360.0 - 180.0, lat(y + 1), (x + 1) / n * 360.0 - 180.0, lat(y)


def cell_area_km2(x: int, y: int, level: int) -> float:
    """A cell's area on the sphere (R = 6371 km)."""
    w, s, e, n = cell_bounds(x, y, level)
    r = 6371.0
    return r * r * math.radians(e - w) * abs(math.sin(math.radians(n)) - math.sin(math.radians(s)))
