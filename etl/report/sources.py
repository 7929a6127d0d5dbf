"""Queries shared by the result and crawl reports: streaming a query, layer rings, the
points in the chosen cells."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg

from etl.paths import sql_text
from etl.report.bins import Binned
from etl.report.grid import FINEST
from etl.report.points import PointTable


async def stream(conn: asyncpg.Connection, name: str, *args: Any) -> AsyncIterator[asyncpg.Record]:
    """Rows of sql/<name> through a cursor (no result-sized list in memory)."""
    async with conn.transaction():
        async for row in conn.cursor(sql_text(name), *args, prefetch=20_000):
            yield row


async def layer_rings(conn: asyncpg.Connection, kind: str, name: str | None,
                      box: tuple[float, float, float, float], tolerance: float) -> list[str]:
    if not name:
        return []
    rows = await conn.fetch(sql_text("report/layer_rings.sql"), kind, name, *box, tolerance)
    return [r["ring"] for r in rows if r["ring"]]


async def fill_points(conn: asyncpg.Connection, name: str, key: Any, binned: Binned, table: PointTable,
                      add: Callable[[asyncpg.Record], None]) -> None:
    """Run sql/<name> for the binned result's point cells, `add` each row to `table`."""
    if not binned.point_cells:
        return
    xs, ys = zip(*binned.point_cells)
    async for row in stream(conn, name, key, FINEST - binned.point_level, list(xs), list(ys)):
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
