"""Drawing binned points, lines and polygon outlines on a PNG with Pillow."""

from __future__ import annotations

import math
from collections.abc import Iterable
from pathlib import Path

import shapely
from PIL import Image, ImageDraw

from etl.report.frame import MapFrame

BACKGROUND = (255, 255, 255)
CLASS_COLOURS = {"urban": (215, 25, 28), "other": (43, 131, 186)}
COVERAGE_COLOUR = (40, 40, 40)
OUTLINE_COLOUR = (120, 120, 120)
URBAN_FILL = (253, 226, 196)
LINE_COLOUR = (90, 60, 160)


class MapCanvas:
    def __init__(self, frame: MapFrame) -> None:
        self.frame = frame
        self.image = Image.new("RGB", (frame.width, frame.height), BACKGROUND)
        self.pen = ImageDraw.Draw(self.image)

    def _xy(self, coords: Iterable[tuple[float, ...]]) -> list[tuple[int, int]]:
        return [self.frame.pixel(c[0], c[1]) for c in coords]

    def polygons(self, wkbs: Iterable[bytes], outline: tuple[int, int, int], fill: tuple | None = None) -> None:
        for wkb in wkbs:
            for polygon in shapely.get_parts(shapely.from_wkb(wkb)):
                if polygon.geom_type != "Polygon" or polygon.is_empty:
                    continue
                ring = self._xy(polygon.exterior.coords)
                if len(ring) >= 3:
                    self.pen.polygon(ring, outline=outline, fill=fill)

    def lines(self, wkbs: Iterable[bytes], colour: tuple[int, int, int] = LINE_COLOUR) -> int:
        drawn = 0
        for wkb in wkbs:
            for line in shapely.get_parts(shapely.from_wkb(wkb)):
                if line.geom_type == "LineString" and not line.is_empty:
                    self.pen.line(self._xy(line.coords), fill=colour, width=1)
                    drawn += 1
        return drawn

    def dots(self, bins: Iterable[tuple[int, int, int]], colour: tuple[int, int, int], shade: bool = False) -> None:
        """One dot per occupied pixel; with `shade`, darker where more images fall."""
        for px, py, n in bins:
            fill = colour
            if shade:  # 1 image -> light grey, >= 1000 images -> full colour
                t = min(1.0, 0.35 + math.log10(max(n, 1)) / 4.5)
                fill = tuple(round(255 - (255 - c) * t) for c in colour)
            self.pen.rectangle([px - 1, py - 1, px + 1, py + 1], fill=fill)

    def save(self, path: Path) -> Path:
        self.image.save(path, format="PNG", optimize=True)
        return path
