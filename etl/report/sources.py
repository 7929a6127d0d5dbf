"""Queries shared by the result and crawl reports: streaming a query, layer rings, the
points in the chosen cells."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg

from etl.paths import sql_text
from etl.report.bins import Binned
from etl.report.grid import FINEST, cell_bounds

WORK_MEM = "256MB"


# The passes over images aggregate millions of rows into a few hundred thousand cells:
# room for hash aggregates and joins (the planner underestimates the clipped rows and
# would sort them to disk for group aggregates and merge joins).
AGGREGATE = (f"SET LOCAL work_mem = '{WORK_MEM}'", "SET LOCAL enable_mergejoin = off", "SET LOCAL enable_sort = off")
# The points are looked up cell by cell in the images' spatial index: with thousands of
# cells the planner would rather read every image and sort them for a merge join.
INDEX_PROBES = ("SET LOCAL enable_seqscan = off", "SET LOCAL enable_mergejoin = off",
                "SET LOCAL enable_hashjoin = off")


async def stream(conn: asyncpg.Connection, name: str, *args: Any, sql: str | None = None,
                 settings: tuple[str, ...] = ()) -> AsyncIterator[asyncpg.Record]:
    """Rows of sql/<name> (or of `sql`, a query composed from such files) through a cursor
    (no result-sized list in memory), with planner `settings` for this query only."""
    async with conn.transaction():
        for statement in settings:
            await conn.execute(statement)
        async for row in conn.cursor(sql or sql_text(name), *args, prefetch=20_000):
            yield row


async def layer_rings(conn: asyncpg.Connection, kind: str, name: str | None,
                      box: tuple[float, float, float, float], tolerance: float) -> list[str]:
    if not name:
        return []
    rows = await conn.fetch(sql_text("report/layer_rings.sql"), kind, name, *box, tolerance)
    return [r["ring"] for r in rows if r["ring"]]


async def fill_points(conn: asyncpg.Connection, name: str, args: tuple, binned: Binned,
                      add: Callable[[asyncpg.Record], None], sql: str | None = None,
                      with_boxes: bool = False) -> None:
    """Run sql/<name> (or `sql`) with `args`, then the level shift and the binned result's
    point cells (and, `with_boxes`, the cells' west, south, east and north); `add` each row."""
    if not binned.point_cells:
        return
    xs, ys = zip(*binned.point_cells)
    bounds = [cell_bounds(x, y, binned.point_level) for x, y in binned.point_cells]
    boxes = [[b[k] for b in bounds] for k in range(4)] if with_boxes else []
    async for row in stream(conn, name, *args, FINEST - binned.point_level, list(xs), list(ys), *boxes, sql=sql,
                            settings=INDEX_PROBES if with_boxes else ()):
        add(row)


def padded_box(minx: float, miny: float, maxx: float, maxy: float, pad: float = 0.25) -> tuple[float, ...]:
    dx, dy = max(maxx - minx, 0.01) * pad, max(maxy - miny, 0.01) * pad
    return (max(minx - dx, -180.0), max(miny - dy, -90.0), min(maxx + dx, 180.0), min(maxy + dy, 90.0))


def bins_json(binned: Binned) -> dict:
    """Each level's cells as one flat list: x, y relative to the level's smallest, then counts."""
    levels = {}
    for level, cells in binned.levels.items():
        x0 = min(c[0] for c in cells)
        y0 = min(c[1] for c in cells)
        flat: list[int] = []
        for c in cells:
            flat.extend((c[0] - x0, c[1] - y0, *c[2:]))
        levels[str(level)] = {"x0": x0, "y0": y0, "cells": flat, "max": max(sum(c[2:]) for c in cells)}
    return {"columns": list(binned.columns), "levels": levels, "pointLevel": binned.point_level,
            "pointCells": [] if binned.all_points else [list(c) for c in binned.point_cells],
            "allPoints": binned.all_points}
