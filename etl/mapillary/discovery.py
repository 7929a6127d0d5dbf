"""Discovery maths: search boxes (a quadtree) and Web-Mercator tiles. Pure functions."""

from __future__ import annotations

import math

BBox = tuple[float, float, float, float]  # west, south, east, north
TILE_ZOOM = 14  # the only zoom whose `image` layer lists every image
PRUNE_ZOOMS = (6, 8, 10, 12)  # `sequence` layer zooms used to skip empty ground
PRUNE_STEP = 2  # a non-empty tile at z is followed by its 16 sub-tiles at z+2
MAX_START_TILES = 64


# --- search boxes -------------------------------------------------------------

def box_key(box: BBox) -> str:
    return ",".join(repr(float(v)) for v in box)


def parse_box_key(key: str) -> BBox:
    w, s, e, n = (float(v) for v in key.split(","))
    return (w, s, e, n)


def split_box(box: BBox) -> list[BBox]:
    """The four quarters of a box (south-west, south-east, north-west, north-east)."""
    w, s, e, n = box
    mx, my = (w + e) / 2, (s + n) / 2
    return [(w, s, mx, my), (mx, s, e, my), (w, my, mx, n), (mx, my, e, n)]


def box_side(box: BBox) -> float:
    return max(box[2] - box[0], box[3] - box[1])


# --- tiles ------------------------------------------------------------------------

def tile_key(z: int, x: int, y: int) -> str:
    return f"{z}/{x}/{y}"


def parse_tile_key(key: str) -> tuple[int, int, int]:
    z, x, y = (int(v) for v in key.split("/"))
    return z, x, y


def tile_bounds(z: int, x: int, y: int) -> BBox:
    n = 2.0**z
    west, east = x / n * 360.0 - 180.0, (x + 1) / n * 360.0 - 180.0
    north = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * y / n))))
    south = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + 1) / n))))
    return (west, south, east, north)


def lonlat_tile(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    lat = max(-85.05112878, min(85.05112878, lat))
    x = int((lon + 180.0) / 360.0 * n)
    rad = math.radians(lat)
    y = int((1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n)
    return min(n - 1, max(0, x)), min(n - 1, max(0, y))


def tile_pixel(lon: float, lat: float, z: int, x: int, y: int, extent: int = 4096) -> tuple[float, float]:
    """A position in tile (z, x, y)'s own coordinates (0..extent, y down), as a tile encodes its points."""
    n = 2**z
    rad = math.radians(max(-85.05112878, min(85.05112878, lat)))
    fx = (lon + 180.0) / 360.0 * n
    fy = (1.0 - math.log(math.tan(rad) + 1.0 / math.cos(rad)) / math.pi) / 2.0 * n
    return (fx - x) * extent, (fy - y) * extent


def pixel_lonlat(px: float, py: float, z: int, x: int, y: int, extent: int = 4096) -> tuple[float, float]:
    """The inverse of tile_pixel."""
    n = 2**z
    lon = (x + px / extent) / n * 360.0 - 180.0
    lat = math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + py / extent) / n))))
    return lon, lat


def tiles_covering(box: BBox, z: int) -> list[tuple[int, int, int]]:
    """Tiles at zoom z that touch `box` (edges included)."""
    x0, y1 = lonlat_tile(box[0], box[1], z)
    x1, y0 = lonlat_tile(box[2], box[3], z)
    return [(z, x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]


def start_zoom(box: BBox) -> int:
    """The deepest pruning zoom at which the area needs at most MAX_START_TILES tiles."""
    best = PRUNE_ZOOMS[0]
    for z in PRUNE_ZOOMS:
        if len(tiles_covering(box, z)) <= MAX_START_TILES:
            best = z
    return best


def sub_tiles(z: int, x: int, y: int) -> list[tuple[int, int, int]]:
    """Tiles one pruning step deeper (at most z14) inside tile z/x/y."""
    step = min(PRUNE_STEP, TILE_ZOOM - z)
    k = 2**step
    return [(z + step, x * k + i, y * k + j) for i in range(k) for j in range(k)]
