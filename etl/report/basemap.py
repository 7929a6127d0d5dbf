"""The basemap: the bundled Natural Earth 1:50m countries, simplified for the page."""

from __future__ import annotations

import functools

import shapely

from etl.boundaries.naturalearth import COUNTRIES
from etl.boundaries.reader import gdal_path, load_pyogrio
from etl.report.encode import polyline

TOLERANCE_DEG = 0.02  # ~2 km: finer than a pixel up to zoom ~7, the basemap's job is orientation


@functools.cache
def countries() -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(name, encoded rings) per country."""
    _meta, _fids, geoms, values = load_pyogrio().raw.read(gdal_path(COUNTRIES), columns=["NAME"])
    out = []
    for name, wkb in zip(values[0], geoms):
        geom = shapely.simplify(shapely.from_wkb(wkb), TOLERANCE_DEG, preserve_topology=True)
        rings = []
        for part in shapely.get_parts(geom):
            if part.geom_type != "Polygon" or part.is_empty:
                continue
            for ring in (part.exterior, *part.interiors):
                if len(ring.coords) >= 4:
                    rings.append(polyline(ring.coords))
        out.append((str(name), tuple(rings)))
    return tuple(out)
