"""The crawl area: a bbox, a continent or a polygon file, as WKB MultiPolygon 4326."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import shapely

from etl.errors import UserInputError


@dataclass(frozen=True)
class AreaSpec:
    kind: str  # bbox | continent | polygon
    value: str  # 'W,S,E,N' | continent name | file path

    def describe(self) -> str:
        return f"{self.kind} {self.value}"


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    try:
        w, s, e, n = (float(p) for p in text.split(","))
    except ValueError:
        raise UserInputError(f"--bbox {text!r} is not four numbers", hint="write W,S,E,N, e.g. 6.60,46.50,6.68,46.55") from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise UserInputError(f"--bbox {text} is not a box in degrees",
                             hint="west < east within -180..180 and south < north within -90..90 (W,S,E,N)")
    return (w, s, e, n)


def area_spec(bbox: str | None, continent: str | None, polygon: Path | None) -> AreaSpec:
    given = [(k, v) for k, v in (("bbox", bbox), ("continent", continent), ("polygon", polygon)) if v]
    if len(given) != 1:
        raise UserInputError("give the area once: --bbox W,S,E,N, --continent NAME or --polygon FILE",
                             hint="e.g. mlyetl crawl --bbox 6.60,46.50,6.68,46.55")
    kind, value = given[0]
    if kind == "bbox":
        parse_bbox(str(value))
    if kind == "polygon" and not Path(value).exists():
        raise UserInputError(f"--polygon {value}: no such file", hint="give a GeoJSON, GeoPackage or Shapefile path")
    return AreaSpec(kind, str(value))


async def area_wkb(conn: asyncpg.Connection, spec: AreaSpec) -> bytes:
    """The area's outline as WKB; continents and polygon files go through the boundaries stage."""
    if spec.kind == "bbox":
        return shapely.to_wkb(shapely.MultiPolygon([shapely.box(*parse_bbox(spec.value))]))
    from etl import boundaries  # only these two kinds need it

    if spec.kind == "continent":
        return bytes(await boundaries.area_geometry_wkb(conn, "continent", spec.value))
    name = "crawl_" + re.sub(r"[^a-z0-9_]+", "_", Path(spec.value).stem.lower())[:40]
    await boundaries.load_polygon_file(conn, Path(spec.value), "area", name)
    return bytes(await boundaries.area_geometry_wkb(conn, "area", name))


def digest(wkb: bytes) -> str:
    return hashlib.sha256(wkb).hexdigest()
