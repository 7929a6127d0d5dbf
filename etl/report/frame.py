"""The map frame: lon/lat to pixel, shared by the SQL binning and the drawing.

An equirectangular projection stretched by 1/cos(mid latitude), so that a
region keeps its shape at any latitude without a projection library. Pixel
column = floor((lon - minx) / (maxx - minx) * width), as in sql/report/binned_points.sql.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MIN_SPAN_DEG = 0.001  # a one-point result still gets a frame ~100 m wide


@dataclass(frozen=True)
class MapFrame:
    minx: float
    miny: float
    maxx: float
    maxy: float
    width: int
    height: int

    @classmethod
    def around(cls, minx: float, miny: float, maxx: float, maxy: float, width: int = 1200,
               margin: float = 0.03) -> MapFrame:
        """A frame holding the box with a small margin, its height from the box's shape."""
        span_x = max(maxx - minx, MIN_SPAN_DEG)
        span_y = max(maxy - miny, MIN_SPAN_DEG)
        cx, cy = (minx + maxx) / 2, (miny + maxy) / 2
        half_x, half_y = span_x * (0.5 + margin), span_y * (0.5 + margin)
        aspect = (2 * half_y) / (2 * half_x * math.cos(math.radians(cy)))
        height = max(64, min(4 * width, round(width * aspect)))
        return cls(cx - half_x, cy - half_y, cx + half_x, cy + half_y, width, height)

    def pixel(self, lon: float, lat: float) -> tuple[int, int]:
        px = math.floor((lon - self.minx) / (self.maxx - self.minx) * self.width)
        py = math.floor((self.maxy - lat) / (self.maxy - self.miny) * self.height)
        return min(max(px, 0), self.width - 1), min(max(py, 0), self.height - 1)

    def pixel_size_deg(self) -> float:
        return (self.maxx - self.minx) / self.width

    def sql_args(self) -> tuple[float, float, float, float, int, int]:
        return self.minx, self.miny, self.maxx, self.maxy, self.width, self.height
