"""The report of a filter result: what goes on its map and in its charts."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

from etl.errors import UserInputError
from etl.paths import sql_text
from etl.report import charts
from etl.report.bins import Binned, Limits, read_bins
from etl.report.folder import Pictures
from etl.report.points import Column, PointTable
from etl.report.sources import AGGREGATE, bins_json, fill_points, layer_rings, padded_box, stream
from etl.report.style import COLOURS

log = logging.getLogger(__name__)
COLUMNS = ("ku", "ko", "du", "dn")  # kept urban, kept other, dropped urban, dropped other


@dataclass
class Section:
    """What the page shows: map data for the script, charts, tables."""

    kind: str
    title: str
    map: dict = field(default_factory=dict)
    charts: list[tuple[str, str, str]] = field(default_factory=list)  # (file name, title, svg)
    tables: list[tuple[str, list[str], list[list[object]]]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)  # seconds per step (logged, benchmarked)

    def timed(self, step: str, started: float) -> None:
        self.timings[step] = round(time.monotonic() - started, 2)
        log.info("report: %s in %.1f s", step, self.timings[step])


def _json(value: object) -> dict:
    return dict(value or {})  # decoded by the connection's jsonb codec (etl/db/codecs.py)


def _point_columns() -> list[Column]:
    return [Column("image id", "number"), Column("sequence", "text", shared=True),
            Column("captured", "time"), Column("class", "text", shared=True),
            Column("kept", "bool"), Column("duplicate of", "number"),
            Column("compass angle", "degrees"), Column("altitude", "metres"), Column("panorama", "bool"),
            Column("size (px)", "text", shared=True), Column("camera", "text", shared=True),
            Column("creator", "text", shared=True), Column("picture", "picture", shared=True)]


def _adder(table: PointTable, pictures: Pictures):  # noqa: ANN202
    def add(r: asyncpg.Record) -> None:
        code = (0 if r["class"] == "urban" else 1) + (0 if r["kept"] else 2)
        size = f"{r['width']} x {r['height']}" if r["width"] and r["height"] else None
        camera = " ".join(v for v in (r["make"], r["model"]) if v) or None
        table.add(r["lon"], r["lat"], code, [
            r["image_id"], r["sequence_id"], r["captured"], r["class"], r["kept"], r["duplicate_of"],
            None if r["compass_angle"] is None else round(r["compass_angle"], 1),
            None if r["altitude"] is None else round(r["altitude"], 1), r["is_pano"], size, camera,
            r["creator_username"], pictures.link(r["image_id"], r["picture"])])
    return add


async def _lines(conn: asyncpg.Connection, result: str, tolerance: float, limits: Limits) -> dict:
    out: dict[str, list] = {k: [] for k in ("sequence", "images", "kept", "duplicates", "length_m", "first", "line")}
    async for r in stream(conn, "report/result_lines.sql", result, tolerance, limits.max_lines):
        for key, col in (("sequence", "sequence_id"), ("images", "image_count"), ("kept", "kept_count"),
                         ("duplicates", "duplicate_count"), ("length_m", "length_m"), ("first", "first_captured"),
                         ("line", "line")):
            out[key].append(r[col])
    return out


def _year_chart(binned: Binned) -> str:
    years = sorted(binned.years, key=lambda y: (y is None, y or 0))
    series = [charts.Series(name, COLOURS[key], [binned.years[y][i] for y in years])
              for i, (name, key) in enumerate((("kept urban", "kept_urban"), ("kept other", "kept_other"),
                                               ("dropped urban", "dropped_urban"), ("dropped other", "dropped_other")))]
    return charts.bar_chart("Images per capture year", ["unknown" if y is None else str(y) for y in years],
                            series, "capture year (UTC)", "images", stacked=True)


def _class_chart(class_counts: list[asyncpg.Record]) -> str:
    return charts.bar_chart("Clipped and kept images per class", [r["class"] for r in class_counts],
                            [charts.Series("clipped (no duplicates)", COLOURS["clipped"],
                                           [r["images"] for r in class_counts]),
                             charts.Series("kept", COLOURS["kept"], [r["kept"] for r in class_counts])],
                            "class", "images")


def _metres(k: int) -> str:
    if k < 0:
        return "< 1 m"
    value = 2**k
    return f"{value / 1000:g} km" if value >= 1000 else f"{value} m"


def _lengths_chart(rows: list[asyncpg.Record]) -> str:
    bins = {r["bin"]: r["sequences"] for r in rows}
    keys = list(range(min(bins), max(bins) + 1)) if bins else []
    return charts.bar_chart("Sequence lengths", [_metres(k) for k in keys],
                            [charts.Series("sequences", COLOURS["lines"], [bins.get(k, 0) for k in keys])],
                            "length along the sequence (bins from 1x to 2x the label)", "sequences")


def density_chart(binned: Binned, series: list[tuple[str, str, dict[int, int]]], title: str) -> str:
    """Cells per density bin; `series` are (name, colour, log2 bin -> cells)."""
    keys = sorted({k for _, _, bins in series for k in bins})
    if keys:
        keys = list(range(keys[0], keys[-1] + 1))
    labels = [f"{2.0**k:g}" for k in keys]
    return charts.bar_chart(title, labels, [charts.Series(name, colour, [bins.get(k, 0) for k in keys])
                                            for name, colour, bins in series],
                            "images per km² (bins from 1x to 2x the label)", "cells")


async def curation_chart(conn: asyncpg.Connection, result: str, params: dict) -> tuple[str, str, str] | None:
    """Kept images per cell of the equal-area grid of a curated result (per-cell caps,
    cross-sequence thinning), before and after curation; None for a result without a cell
    size (or a database from before curation)."""
    cell_size = (params.get("curation") or {}).get("cell_size")
    if not cell_size or not await conn.fetchval("SELECT to_regclass('filter_candidates') IS NOT NULL"):
        return None
    rows = await conn.fetch(sql_text("report/curation_density.sql"), result, float(cell_size))
    series = {"before curation": {}, "after curation": {}}
    for r in rows:
        k = _log2_bin(r["n"])
        series[r["stage"]][k] = series[r["stage"]].get(k, 0) + r["cells"]
    keys = sorted({k for bins in series.values() for k in bins})
    keys = list(range(keys[0], keys[-1] + 1)) if keys else []
    svg = charts.bar_chart(f"Kept images per {cell_size:g} m cell, before and after curation",
                           [f"{2**k:g}" for k in keys],
                           [charts.Series(name, colour, [series[name].get(k, 0) for k in keys])
                            for name, colour in (("before curation", COLOURS["clipped"]),
                                                 ("after curation", COLOURS["kept"]))],
                           "kept images in the cell (bins from 1x to 2x the label)", "cells")
    return ("curation.svg", "Kept images per cell, before and after curation", svg)


def _log2_bin(n: int) -> int:
    return max(n, 1).bit_length() - 1


async def collect(conn: asyncpg.Connection, result: str, pictures: Pictures, limits: Limits) -> Section:
    row = await conn.fetchrow(sql_text("report/result.sql"), result)
    if row is None:
        raise UserInputError(f"no filter result named {result!r}",
                             hint="see `mlyetl results list` for the results there are")
    params, counts = _json(row["params"]), _json(row["counts"])
    section = Section("result", f"Filter result {result}")
    class_counts = await conn.fetch(sql_text("report/class_counts.sql"), result)
    section.tables += [
        ("Images per class", ["class", "clipped images (no duplicates)", "kept", "sequences"],
         [[r["class"], r["images"], r["kept"], r["sequences"]] for r in class_counts]),
        ("Parameters", ["parameter", "value"], [[k, v] for k, v in sorted(params.items())]),
    ]
    if counts:
        section.tables.append(("Counts recorded by the filter", ["count", "value"], sorted(counts.items())))
    extent = await conn.fetchrow(sql_text("report/extent.sql"), result)
    layers_row = await conn.fetchrow(sql_text("report/result_layers.sql"), result)
    if layers_row is None:
        raise UserInputError(f"the continent or urban layer of result {result!r} is gone",
                             hint=f"load the layers again and run `mlyetl filter --name {result} ...`")
    args = (result, layers_row["continent_id"], layers_row["urban_id"], layers_row["continent_cell"],
            layers_row["urban_cell"], layers_row["exclude_result"])
    clipped = sql_text("report/result_clipped.sql")
    started = time.monotonic()
    binned = await read_bins(
        stream(conn, "report/result_bins.sql", *args,
               sql=sql_text("report/result_bins.sql").replace("{clipped}", clipped), settings=AGGREGATE),
        COLUMNS, limits, {"clipped": lambda c: sum(c), "kept": lambda c: c[0] + c[1]})
    section.timed("cells", started)
    started = time.monotonic()
    table = PointTable(_point_columns())
    await fill_points(conn, "report/result_points.sql", args, binned, _adder(table, pictures), with_boxes=True)
    section.timed("points", started)
    started = time.monotonic()
    layers: list[dict] = []
    map_data: dict = {"layers": layers, "bins": bins_json(binned), "points": table.to_json(), "polygons": []}
    if extent["minx"] is not None:
        box = padded_box(extent["minx"], extent["miny"], extent["maxx"], extent["maxy"])
        span = max(box[2] - box[0], box[3] - box[1])
        map_data["extent"] = [extent["minx"], extent["miny"], extent["maxx"], extent["maxy"]]
        for kind, key, tolerance in (("continent", "continent", span / 3000), ("urban", "urban", span / 6000)):
            name = params.get(key)
            rings = await layer_rings(conn, kind, name, box, tolerance)
            map_data["polygons"].append({"key": key, "rings": rings})
            layers.append({"key": key, "type": "polygons", "label": f"{kind} layer: {name}",
                           "style": key, "count": len(rings), "visible": True})
        section.timed("layers", started)
        started = time.monotonic()
        map_data["lines"] = await _lines(conn, result, span / 4000, limits)
        section.timed("lines", started)
    else:
        map_data["lines"] = {"line": []}
    total_lines = await conn.fetchval(sql_text("report/line_count.sql"), result)
    for code, (key, label) in enumerate((("kept_urban", "kept images, urban"), ("kept_other", "kept images, other"))):
        layers.append({"key": key, "type": "images", "label": label, "style": key, "codes": [code],
                       "columns": [code], "count": binned.totals[code] if binned.totals else 0, "visible": True})
    layers.append({"key": "dropped", "type": "images", "label": "dropped images (spacing, duplicates)",
                   "style": "dropped", "codes": [2, 3], "columns": [2, 3],
                   "count": sum(binned.totals[2:]) if binned.totals else 0, "visible": binned.total <= 200_000})
    layers.append({"key": "lines", "type": "lines", "label": "sequence lines", "style": "lines",
                   "count": total_lines, "drawn": len(map_data["lines"]["line"]),
                   "visible": len(map_data["lines"]["line"]) <= 20_000})
    section.map = map_data
    if not binned.total:
        section.notes.append("The result holds no images: there is nothing to map.")
    if table and not binned.all_points:
        section.notes.append(f"{len(table):,} of {binned.total:,} images are drawn as points (where they are few); "
                             "the others are counted in cells, shaded by their number.")
    if map_data["lines"]["line"] and len(map_data["lines"]["line"]) < total_lines:
        section.notes.append(f"The {len(map_data['lines']['line']):,} longest of {total_lines:,} sequence lines "
                             "are drawn.")
    started = time.monotonic()
    density = [("clipped", COLOURS["clipped"], binned.density.get("clipped", {})),
               ("kept", COLOURS["kept"], binned.density.get("kept", {}))]
    section.charts = [
        ("years.svg", "Images per capture year", _year_chart(binned)),
        ("classes.svg", "Clipped and kept images per class", _class_chart(class_counts)),
        ("sequence-lengths.svg", "Sequence lengths",
         _lengths_chart(await conn.fetch(sql_text("report/sequence_lengths.sql"), result))),
        ("density.svg", "Image density per cell",
         density_chart(binned, density, f"Image density per map cell (level-{limits.density_level} cells)")),
    ]
    curated = await curation_chart(conn, result, params)
    if curated is not None:
        section.charts.append(curated)
    section.timed("charts", started)
    return section


def describe_pictures(section: Section, pictures: Pictures, out_dir: Path) -> None:
    if pictures.linked:
        section.notes.append(f"{pictures.linked:,} downloaded pictures are linked where they are on this machine "
                             f"rather than copied into {out_dir.name}/ (over the copy budget).")
