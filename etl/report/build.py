"""Assemble the report of a filter result: three PNG maps and an HTML page."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from etl.errors import UserInputError
from etl.paths import sql_text
from etl.report.draw import CLASS_COLOURS, COVERAGE_COLOUR, OUTLINE_COLOUR, URBAN_FILL, MapCanvas
from etl.report.frame import MapFrame
from etl.report.page import write_page


@dataclass
class ReportData:
    result: str
    params: dict
    counts: dict
    class_counts: list[dict]
    frame: MapFrame | None
    maps: dict[str, str] = field(default_factory=dict)  # title -> PNG file name


async def _layer_outlines(conn: asyncpg.Connection, kind: str, name: str | None, frame: MapFrame) -> list[bytes]:
    if not name:
        return []
    rows = await conn.fetch(sql_text("report/boundary_outlines.sql"), kind, name,
                            frame.minx, frame.miny, frame.maxx, frame.maxy, frame.pixel_size_deg())
    return [r["wkb"] for r in rows if r["wkb"]]


async def _bins(conn: asyncpg.Connection, result: str, frame: MapFrame, kept_only: bool) -> list[asyncpg.Record]:
    return await conn.fetch(sql_text("report/binned_points.sql"), result, *frame.sql_args(), kept_only)


async def _draw_maps(conn: asyncpg.Connection, data: ReportData, out_dir: Path) -> None:
    frame = data.frame
    assert frame is not None
    continent = await _layer_outlines(conn, "continent", data.params.get("continent"), frame)
    urban = await _layer_outlines(conn, "urban", data.params.get("urban"), frame)

    coverage = MapCanvas(frame)
    coverage.polygons(continent, OUTLINE_COLOUR)
    merged: dict[tuple[int, int], int] = {}
    for row in await _bins(conn, data.result, frame, kept_only=False):
        merged[(row["px"], row["py"])] = merged.get((row["px"], row["py"]), 0) + row["n"]
    coverage.dots(((x, y, n) for (x, y), n in merged.items()), COVERAGE_COLOUR, shade=True)
    data.maps["Coverage: every clipped image"] = coverage.save(out_dir / "coverage.png").name

    kept = MapCanvas(frame)
    kept.polygons(urban, URBAN_FILL, fill=URBAN_FILL)
    kept.polygons(continent, OUTLINE_COLOUR)
    bins = await _bins(conn, data.result, frame, kept_only=True)
    for cls in ("other", "urban"):  # urban last: the rarer class stays visible
        kept.dots(((r["px"], r["py"], r["n"]) for r in bins if r["class"] == cls), CLASS_COLOURS[cls])
    data.maps["Kept images by class (urban red, other blue)"] = kept.save(out_dir / "kept.png").name

    lines = MapCanvas(frame)
    lines.polygons(continent, OUTLINE_COLOUR)
    async with conn.transaction():  # a cursor streams the lines: no result-sized list in memory
        cursor = conn.cursor(sql_text("report/sequence_lines.sql"), data.result, frame.pixel_size_deg())
        lines.lines([row["wkb"] async for row in cursor if row["wkb"]])
    data.maps["Sequence lines"] = lines.save(out_dir / "lines.png").name


async def build_report(conn: asyncpg.Connection, result: str, out_dir: Path, width: int = 1200) -> Path:
    """Write `out_dir/index.html` and its PNGs; return the page's path."""
    row = await conn.fetchrow(sql_text("report/result.sql"), result)
    if row is None:
        raise UserInputError(f"no filter result named {result!r}", hint="see `mlyetl status` for the results there are")
    params, counts = (json.loads(v) if isinstance(v, str) else (v or {}) for v in (row["params"], row["counts"]))
    extent = await conn.fetchrow(sql_text("report/extent.sql"), result)
    frame = None
    if extent["minx"] is not None:
        frame = MapFrame.around(extent["minx"], extent["miny"], extent["maxx"], extent["maxy"], width)
    data = ReportData(result, params, counts,
                      [dict(r) for r in await conn.fetch(sql_text("report/class_counts.sql"), result)], frame)
    out_dir.mkdir(parents=True, exist_ok=True)
    if frame is not None:
        await _draw_maps(conn, data, out_dir)
    return write_page(data, out_dir)
