"""Small geographic helpers: the fixed cell grid and Web-Mercator tile maths.

The world is cut into a global grid of `CELL_DEG` x `CELL_DEG` cells. A cell is
the unit of generation and caching, and its index is part of every image id, so
the grid is fixed (not per world) and ids never depend on the world's bbox.
"""

from __future__ import annotations

import math

import numpy as np

CELL_DEG = 0.01
CELLS_PER_DEG = 100
N_COLS = 360 * CELLS_PER_DEG
N_ROWS = 180 * CELLS_PER_DEG
METRES_PER_DEG_LAT = 111_320.0

BBox = tuple[float, float, float, float]  # west, south, east, north


def cell_col(lon: float) -> int:
    return min(N_COLS - 1, max(0, int(math.floor((lon + 180.0) * CELLS_PER_DEG))))


def cell_row(lat: float) -> int:
    return min(N_ROWS - 1, max(0, int(math.floor((lat + 90.0) * CELLS_PER_DEG))))


def cell_origin(col: int, row: int) -> tuple[float, float]:
    """South-west corner (lon, lat) of a cell."""
    return col * CELL_DEG - 180.0, row * CELL_DEG - 90.0


def cell_range(bbox: BBox, ring: int = 0) -> tuple[int, int, int, int]:
    """Inclusive (col0, row0, col1, row1) of the cells a bbox touches, grown by `ring`."""
    w, s, e, n = bbox
    return (
        max(0, cell_col(w) - ring),
        max(0, cell_row(s) - ring),
        min(N_COLS - 1, cell_col(e) + ring),
        min(N_ROWS - 1, cell_row(n) + ring),
    )


def intersect(a: BBox, b: BBox) -> BBox | None:
    w, s = max(a[0], b[0]), max(a[1], b[1])
    e, n = min(a[2], b[2]), min(a[3], b[3])
    return (w, s, e, n) if w <= e and s <= n else None


def parse_bbox(text: str) -> BBox:
    """'w,s,e,n' -> tuple; ValueError on anything else."""
    parts = [float(p) for p in text.split(",")]
    if len(parts) != 4:
        raise ValueError("bbox needs four numbers: minLon,minLat,maxLon,maxLat")
    w, s, e, n = parts
    if not (-180 <= w <= e <= 180 and -90 <= s <= n <= 90):
        raise ValueError("bbox must be minLon,minLat,maxLon,maxLat within -180..180, -90..90")
    return (w, s, e, n)


# --- Web Mercator tiles -----------------------------------------------------


def tile_bounds(z: int, x: int, y: int) -> BBox:
    """(west, south, east, north) in degrees of an XYZ tile."""
    n = 2.0**z
    west = x / n * 360.0 - 180.0
    east = (x + 1) / n * 360.0 - 180.0
    north = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    south = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 1) / n))))
    return (west, south, east, north)


def lonlat_to_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    fx, fy = lonlat_to_tile_fraction(np.array([lon]), np.array([lat]), z)
    n = 2**z
    return min(n - 1, int(fx[0])), min(n - 1, int(fy[0]))


def lonlat_to_tile_fraction(lon: np.ndarray, lat: np.ndarray, z: int) -> tuple[np.ndarray, np.ndarray]:
    """Fractional tile coordinates (x right, y down) at zoom z, vectorised."""
    n = 2.0**z
    lat_r = np.radians(np.clip(lat, -85.05112878, 85.05112878))
    fx = (lon + 180.0) / 360.0 * n
    fy = (1.0 - np.log(np.tan(lat_r) + 1.0 / np.cos(lat_r)) / math.pi) / 2.0 * n
    return fx, fy


def tile_pixel_to_lonlat(z: int, x: int, y: int, px: float, py_down: float, extent: int = 4096) -> tuple[float, float]:
    """Inverse of the tile encoding: a pixel (y pointing down) back to lon/lat."""
    n = 2.0**z
    fx = x + px / extent
    fy = y + py_down / extent
    lon = fx / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * fy / n))))
    return lon, lat
