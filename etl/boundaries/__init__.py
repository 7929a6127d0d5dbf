"""Named polygon layers in PostGIS: continents, urban areas and crawl areas.

The functions other stages call (all take an open asyncpg connection):

- `load_polygon_file(conn, path, kind, name)` -> layer id: read any GDAL vector file in
  any CRS, repair, subdivide, dissolve; replaces an existing layer of that kind and name.
- `ensure_continent(conn, name)` -> layer id: the continent layer, built from the bundled
  Natural Earth countries the first time it is asked for.
- `ensure_urban_areas(conn, name)` -> layer id: the same for Natural Earth urban areas.
- `require_layer(conn, kind, name)` -> layer id, or a UserInputError naming the fix.
- `area_geometry_wkb(conn, kind, name)` -> the layer's dissolved outline as WKB
  (MultiPolygon, EPSG:4326); a missing continent is built from Natural Earth first.
"""

from __future__ import annotations

from pathlib import Path

import asyncpg

from etl.boundaries import naturalearth
from etl.boundaries.names import validate_name
from etl.boundaries.reader import read_polygons
from etl.boundaries.store import DEFAULT_MAX_VERTICES, KINDS, LayerInfo, find_layer, list_layers, write_layer
from etl.errors import UserInputError
from etl.paths import sql_text

__all__ = ["KINDS", "LayerInfo", "area_geometry_wkb", "ensure_continent", "ensure_urban_areas", "list_layers",
           "load_polygon_file", "load_polygon_file_info", "require_layer", "validate_name"]


async def load_polygon_file_info(conn: asyncpg.Connection, path: Path, kind: str, name: str, *,
                                 crs: str | None = None, max_vertices: int = DEFAULT_MAX_VERTICES,
                                 cell_size: float | None = None) -> LayerInfo:
    validate_name(name, "layer")
    path = Path(path)
    return await write_layer(conn, kind, name, str(path.name), read_polygons(path, crs=crs), max_vertices,
                             cell_size)


async def load_polygon_file(conn: asyncpg.Connection, path: Path, kind: str, name: str, *,
                            crs: str | None = None, max_vertices: int = DEFAULT_MAX_VERTICES,
                            cell_size: float | None = None) -> int:
    """Load `path` as layer (kind, name), replacing an older one; returns the layer id."""
    info = await load_polygon_file_info(conn, path, kind, name, crs=crs, max_vertices=max_vertices,
                                        cell_size=cell_size)
    return info.id


async def ensure_continent(conn: asyncpg.Connection, name: str) -> int:
    """Id of continent layer `name`; a Natural Earth continent is built if missing."""
    validate_name(name, "continent")
    layer_id = await find_layer(conn, "continent", name)
    if layer_id is not None:
        return layer_id
    canonical = naturalearth.canonical_continent(name)
    layer_id = await find_layer(conn, "continent", canonical)
    if layer_id is not None:
        return layer_id
    return (await naturalearth.build_continent(conn, canonical)).id


async def ensure_urban_areas(conn: asyncpg.Connection, name: str = naturalearth.DEFAULT_URBAN_NAME) -> int:
    """Id of urban layer `name`; the default Natural Earth urban areas are built if missing."""
    validate_name(name, "urban layer")
    layer_id = await find_layer(conn, "urban", name)
    if layer_id is not None:
        return layer_id
    if name != naturalearth.DEFAULT_URBAN_NAME:
        raise _missing("urban", name)
    return (await naturalearth.build_urban_areas(conn, name)).id


def _missing(kind: str, name: str) -> UserInputError:
    if kind == "continent":
        fix = "run 'mlyetl boundaries add-continent NAME' or 'mlyetl boundaries load FILE --kind continent --name NAME'"
    else:
        fix = f"load it with 'mlyetl boundaries load FILE --kind {kind} --name {name}' (see 'mlyetl boundaries list')"
    return UserInputError(f"there is no {kind} layer named {name!r}", hint=fix)


async def require_layer(conn: asyncpg.Connection, kind: str, name: str) -> int:
    validate_name(name, f"{kind} layer")
    layer_id = await find_layer(conn, kind, name)
    if layer_id is None:
        raise _missing(kind, name)
    return layer_id


async def area_geometry_wkb(conn: asyncpg.Connection, kind: str, name: str) -> bytes:
    """The dissolved outline of layer (kind, name) as WKB MultiPolygon in EPSG:4326."""
    if kind == "continent":
        layer_id = await ensure_continent(conn, name)
    else:
        layer_id = await require_layer(conn, kind, name)
    return await conn.fetchval(sql_text("boundaries/outline_wkb.sql"), layer_id)
