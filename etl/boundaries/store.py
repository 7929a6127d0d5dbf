"""Writing a polygon layer into PostGIS: features, subdivided parts, dissolved outline.

The whole load is one transaction: a file that fails half-way (bad geometry, killed
process) leaves the previous version of the layer as it was.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Iterable
from dataclasses import dataclass

import asyncpg

from etl.boundaries.reader import Feature
from etl.errors import UserInputError
from etl.paths import sql_text

log = logging.getLogger("etl.boundaries")

# ST_Subdivide's piece size: bounds the cost of cutting the layer along the grid.
DEFAULT_MAX_VERTICES = 128
KINDS = ("continent", "urban", "area")
# Grid cell size in degrees: cells about as big as the polygons' detail. Continents have
# long coasts and few holes (0.25 deg, ~25 km); urban areas are a few km across (1/32 deg,
# ~3.5 km). Chosen by measurement (docs/benchmarks.md); --cell-size overrides.
DEFAULT_CELL_SIZE = {"continent": 0.25, "area": 0.25, "urban": 1 / 32}
MIN_CELL_SIZE, MAX_CELL_SIZE = 1 / 64, 10.0
# (cell, part) pairs the grid may test: a Natural Earth continent at the smallest cell size
# needs up to ~20 M. The bound is checked before the grid is built, so a layer that is far
# too big (or not in degrees) is refused at once instead of filling the disk with temp files.
MAX_GRID_PAIRS = 25_000_000


@dataclass
class LayerInfo:
    id: int
    kind: str
    name: str
    features: int
    parts: int
    cells: int
    seconds: float


async def write_layer(conn: asyncpg.Connection, kind: str, name: str, source: str,
                      batches: Iterable[list[Feature]], max_vertices: int = DEFAULT_MAX_VERTICES,
                      cell_size: float | None = None) -> LayerInfo:
    """Replace layer (kind, name) by the features in `batches`; returns its counts."""
    if kind not in KINDS:
        raise UserInputError(f"unknown layer kind {kind!r}", hint=f"use one of {', '.join(KINDS)}")
    cell_size = cell_size or DEFAULT_CELL_SIZE[kind]
    if not MIN_CELL_SIZE <= cell_size <= MAX_CELL_SIZE:
        raise UserInputError(f"cell size {cell_size} is out of range",
                             hint=f"use {MIN_CELL_SIZE} to {MAX_CELL_SIZE} degrees")
    started = time.monotonic()
    async with conn.transaction():
        layer_id = await conn.fetchval(sql_text("boundaries/upsert_layer.sql"), kind, name, source, cell_size)
        await conn.execute(sql_text("boundaries/delete_features.sql"), layer_id)
        insert = sql_text("boundaries/insert_feature.sql")
        for batch in batches:
            await conn.executemany(insert, [(layer_id, f.name, f.properties, f.wkb) for f in batch])
        await conn.execute(sql_text("boundaries/build_parts.sql"), layer_id, max_vertices)
        pairs = await conn.fetchval(sql_text("boundaries/count_cells.sql"), layer_id, cell_size)
        if pairs > MAX_GRID_PAIRS:
            raise UserInputError(
                f"{source}: layer {name!r} would need about {pairs:,.0f} grid cell tests at {cell_size:g} degrees;"
                f" at most {MAX_GRID_PAIRS:,} are allowed",
                hint=f"give a larger --cell-size (e.g. {min(MAX_CELL_SIZE, cell_size * math.ceil(math.sqrt(pairs / MAX_GRID_PAIRS))):g})")
        await conn.execute(sql_text("boundaries/build_cells.sql"), layer_id, cell_size)
        row = await conn.fetchrow(sql_text("boundaries/finish_layer.sql"), layer_id)
        if row["feature_count"] == 0:
            raise UserInputError(f"{source} has no polygons (after repair) for layer {name!r}",
                                 hint="give a file with Polygon or MultiPolygon features")
    await conn.execute("ANALYZE boundary_parts")
    await conn.execute("ANALYZE boundary_cells")
    info = LayerInfo(layer_id, kind, name, row["feature_count"], row["part_count"], row["cell_count"],
                     time.monotonic() - started)
    log.info("layer %s %r: %d features, %d parts, %d grid cells in %.1f s", kind, name, info.features,
             info.parts, info.cells, info.seconds)
    return info


async def find_layer(conn: asyncpg.Connection, kind: str, name: str) -> int | None:
    return await conn.fetchval(sql_text("boundaries/find_layer.sql"), kind, name)


async def list_layers(conn: asyncpg.Connection) -> list[dict]:
    return [dict(r) for r in await conn.fetch(sql_text("boundaries/list_layers.sql"))]
