"""Reading the binned counts of sql/report/*_bins.sql and choosing what the page gets.

The page gets every level whose cells fit the bin budget (coarse levels are small), and the
points themselves only in the finest level's cells that hold few images, up to the point
budget, so that a continent of images stays a few MB. When the whole dataset fits the point
budget, every image is a point and no bins are written at all.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

import asyncpg

from etl.report.grid import FINEST, LEVELS, cell_area_km2


@dataclass(frozen=True)
class Limits:
    max_bins: int = 250_000  # cells over all levels written to the page
    max_points: int = 30_000  # images written as points
    max_per_cell: int = 64  # a finest-level cell with more images stays a cell
    max_lines: int = 40_000  # sequence lines written (the longest first)
    density_level: int = 10  # the cells of the density chart (~ 1 km at mid latitudes)


@dataclass
class Binned:
    columns: tuple[str, ...]
    levels: dict[int, list[tuple[int, ...]]] = field(default_factory=dict)  # (x, y, counts...)
    cells_per_level: dict[int, int] = field(default_factory=dict)
    years: dict[int | None, tuple[int, ...]] = field(default_factory=dict)
    totals: tuple[int, ...] = ()
    density: dict[str, dict[int, int]] = field(default_factory=dict)  # series -> log2 bin -> cells
    point_level: int = FINEST
    point_cells: list[tuple[int, int]] = field(default_factory=list)
    all_points: bool = False

    @property
    def total(self) -> int:
        return sum(self.totals)


def _level_of(g: int) -> int | None:
    """The level of a row from its GROUPING() bits (None: a row of the years)."""
    for i, level in enumerate(LEVELS):
        if not (g >> (len(LEVELS) - i)) & 1:
            return level
    return None


async def read_bins(rows: AsyncIterator[asyncpg.Record], columns: tuple[str, ...], limits: Limits,
                    density: dict[str, Callable[[tuple[int, ...]], int]]) -> Binned:
    """Stream the rows of a *_bins.sql query (g, x, y, year, then `columns`); `density`
    names the series of the density chart, each a function of a cell's counts."""
    out = Binned(columns)
    kept: dict[int, list | None] = {level: [] for level in LEVELS}
    out.density = {name: {} for name in density}
    totals = [0] * len(columns)
    width = len(columns)
    async for row in rows:
        counts = tuple(row[4:4 + width])
        level = _level_of(row[0])
        if level is None:
            out.years[row[3]] = counts
            totals = [a + b for a, b in zip(totals, counts)]
            continue
        x, y = row[1], row[2]
        out.cells_per_level[level] = out.cells_per_level.get(level, 0) + 1
        cells = kept[level]
        if cells is not None:
            cells.append((x, y, *counts))
            if len(cells) > limits.max_bins:
                kept[level] = None  # too many to write: only counted from here on
        if level == limits.density_level:
            area = cell_area_km2(x, y, level)
            for name, value in density.items():
                n = value(counts)
                if n > 0:
                    k = _log2_bin(n / area)
                    out.density[name][k] = out.density[name].get(k, 0) + 1
    out.totals = tuple(totals)
    _choose_levels(out, kept, limits)
    _choose_points(out, limits)
    return out


def _log2_bin(value: float) -> int:
    import math

    return math.floor(math.log2(value)) if value > 0 else -99


def _choose_levels(out: Binned, kept: dict[int, list | None], limits: Limits) -> None:
    budget = limits.max_bins
    for level in LEVELS:
        cells = kept[level]
        if cells is None or len(cells) > budget:
            break
        out.levels[level] = cells
        budget -= len(cells)


def _choose_points(out: Binned, limits: Limits) -> None:
    if not out.levels:
        return
    out.point_level = max(out.levels)
    cells = out.levels[out.point_level]
    if out.total <= limits.max_points:
        out.all_points = True
        out.point_cells = [(c[0], c[1]) for c in cells]
        out.levels = {}
        return
    room = limits.max_points
    for c in sorted(cells, key=lambda c: sum(c[2:])):
        n = sum(c[2:])
        if n > limits.max_per_cell or n > room:
            break
        out.point_cells.append((c[0], c[1]))
        room -= n
