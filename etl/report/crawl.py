"""The report of a crawl alone: its area, its tasks by state, the images found in the area,
and the calls, answers and failures over time that its runs recorded."""

from __future__ import annotations

import asyncpg

from etl.errors import UserInputError
from etl.paths import sql_text
from etl.report import charts
from etl.report.bins import Limits, read_bins
from etl.report.folder import Pictures
from etl.report.points import Column, PointTable
from etl.report.result import Section
from etl.report.sources import AGGREGATE, bins_json, fill_points, stream
from etl.report.style import COLOURS

STATES = ("done", "empty", "pending", "running", "failed")
MAX_TASKS = 100_000


def _json(value: object) -> dict:
    return dict(value or {})  # decoded by the connection's jsonb codec (etl/db/codecs.py)


def _point_columns() -> list[Column]:
    return [Column("image id", "number"), Column("sequence", "text", shared=True), Column("captured", "time"),
            Column("compass angle", "degrees"), Column("altitude", "metres"), Column("panorama", "bool"),
            Column("size (px)", "text", shared=True), Column("camera", "text", shared=True),
            Column("creator", "text", shared=True), Column("picture", "picture", shared=True)]


def _adder(table: PointTable, pictures: Pictures):  # noqa: ANN202
    def add(r: asyncpg.Record) -> None:
        size = f"{r['width']} x {r['height']}" if r["width"] and r["height"] else None
        camera = " ".join(v for v in (r["make"], r["model"]) if v) or None
        table.add(r["lon"], r["lat"], 0, [
            r["image_id"], r["sequence_id"], r["captured"],
            None if r["compass_angle"] is None else round(r["compass_angle"], 1),
            None if r["altitude"] is None else round(r["altitude"], 1), r["is_pano"], size, camera,
            r["creator_username"], pictures.link(r["image_id"], r["picture"])])
    return add


async def _tasks(conn: asyncpg.Connection, crawl_id: int) -> dict:
    out: dict[str, list] = {"box": [], "state": [], "info": []}
    async for r in stream(conn, "report/crawl_tasks.sql", crawl_id, MAX_TASKS):
        out["box"].extend(round(v, 6) for v in (r["w"], r["s"], r["e"], r["n"]))
        out["state"].append(STATES.index(r["state"]) if r["state"] in STATES else 0)
        out["info"].append([r["kind"], r["key"], r["attempts"], r["result_count"], r["last_error"]])
    return out


def _timeline(runs: list[asyncpg.Record]) -> dict[int, list[int]]:
    """minute (epoch s) -> [calls, answers, failures], summed over the crawl's runs."""
    merged: dict[int, list[int]] = {}
    for run in runs:
        for minute, calls, answers, failures in _json(run["counters"]).get("timeline", []):
            slot = merged.setdefault(int(minute) * 60, [0, 0, 0])
            slot[0] += calls
            slot[1] += answers
            slot[2] += failures
    return dict(sorted(merged.items()))


def _calls_chart(timeline: dict[int, list[int]]) -> str:
    """Calls per minute as stacked answers and failures (a call is one or the other)."""
    return charts.timeline_chart("API calls over time: answers and failures",
                                 {t: v[1:] for t, v in timeline.items()},
                                 [("answers", COLOURS["answers"]), ("failures", COLOURS["failures"])], "calls")


def _tasks_over_time_chart(rows: list[asyncpg.Record]) -> str:
    states = ("done", "empty", "split", "failed")
    per: dict[int, list[int]] = {}
    for r in rows:
        per.setdefault(r["minute"], [0] * len(states))[states.index(r["state"])] += r["tasks"]
    return charts.timeline_chart("Tasks finished over time, by outcome", per,
                                 [(s, COLOURS[f"task_{s}"] if s != "split" else COLOURS["lines"]) for s in states],
                                 "tasks")


def _states_chart(rows: list[asyncpg.Record]) -> str:
    kinds = sorted({r["kind"] for r in rows})
    states = ("done", "empty", "split", "pending", "running", "failed")
    per = {(r["kind"], r["state"]): r["tasks"] for r in rows}
    return charts.bar_chart("Tasks per state", list(states), [
        charts.Series(kind, colour, [per.get((kind, s), 0) for s in states])
        for kind, colour in zip(kinds, ("#1f78b4", "#33a02c", "#ff7f00"))], "task state", "tasks")


def _years_chart(years: dict) -> str:
    keys = sorted(years, key=lambda y: (y is None, y or 0))
    return charts.bar_chart("Images per capture year", ["unknown" if y is None else str(y) for y in keys],
                            [charts.Series("images", COLOURS["images"], [years[y][0] for y in keys])],
                            "capture year (UTC)", "images")


async def collect(conn: asyncpg.Connection, crawl_id: int | None, pictures: Pictures, limits: Limits) -> Section:
    if crawl_id is None:
        crawl_id = await conn.fetchval(sql_text("report/crawl_latest.sql"))
        if crawl_id is None:
            raise UserInputError("there is no crawl in the database", hint="run `mlyetl crawl` first")
    crawl = await conn.fetchrow(sql_text("report/crawl.sql"), crawl_id)
    if crawl is None:
        raise UserInputError(f"no crawl with id {crawl_id}", hint="`mlyetl status` lists the crawls")
    section = Section("crawl", f"Crawl {crawl_id} ({crawl['method']})")
    states = await conn.fetch(sql_text("report/crawl_task_states.sql"), crawl_id)
    runs = await conn.fetch(sql_text("report/crawl_runs.sql"), crawl_id)
    section.tables += [
        ("Crawl", ["property", "value"], [["id", crawl_id], ["method", crawl["method"]],
                                          ["created", crawl["created_at"]], ["finished", crawl["finished_at"] or "-"],
                                          *sorted(_json(crawl["settings"]).items())]),
        ("Tasks per kind and state", ["kind", "state", "tasks", "results"],
         [[r["kind"], r["state"], r["tasks"], r["results"]] for r in states]),
        ("Runs", ["run", "started", "finished", "status", "requests", "errors"],
         [[r["id"], r["started_at"], r["finished_at"] or "-", r["status"],
           sum(_json(r["counters"]).get("requests", {}).values()),
           sum(_json(r["counters"]).get("errors", {}).values())] for r in runs]),
    ]
    tolerance = max(crawl["maxx"] - crawl["minx"], crawl["maxy"] - crawl["miny"]) / 3000
    area = [r["ring"] for r in await conn.fetch(sql_text("report/crawl_area_rings.sql"), crawl_id, tolerance)]
    binned = await read_bins(stream(conn, "report/crawl_bins.sql", crawl_id, settings=AGGREGATE), ("n",), limits,
                             {"images": sum})
    table = PointTable(_point_columns())
    await fill_points(conn, "report/crawl_points.sql", (crawl_id,), binned, _adder(table, pictures))
    tasks = await _tasks(conn, crawl_id)
    section.map = {
        "extent": [crawl["minx"], crawl["miny"], crawl["maxx"], crawl["maxy"]],
        "polygons": [{"key": "area", "rings": area}], "bins": bins_json(binned), "points": table.to_json(),
        "tasks": tasks, "taskStates": list(STATES), "lines": {"line": []},
        "layers": [
            {"key": "area", "type": "polygons", "label": "crawl area", "style": "area", "count": len(area),
             "visible": True},
            *({"key": f"task_{s}", "type": "tasks", "label": f"tasks {s}", "style": f"task_{s}",
               "state": i, "count": tasks["state"].count(i), "visible": s != "done" or len(tasks["state"]) < 20_000}
              for i, s in enumerate(STATES)),
            {"key": "images", "type": "images", "label": "images found", "style": "images", "codes": [0],
             "columns": [0], "count": binned.total, "visible": True},
        ],
    }
    timeline = _timeline(runs)
    section.charts = [
        ("calls.svg", "API calls over time: answers and failures", _calls_chart(timeline)),
        ("tasks-over-time.svg", "Tasks finished over time",
         _tasks_over_time_chart(await conn.fetch(sql_text("report/crawl_task_timeline.sql"), crawl_id))),
        ("task-states.svg", "Tasks per state", _states_chart(states)),
        ("years.svg", "Images per capture year", _years_chart(binned.years)),
    ]
    if not timeline:
        section.notes.append("The crawl's runs recorded no per-minute call timeline (runs of older versions, or "
                             "killed runs): the tasks finished per minute show the work over time.")
    if len(tasks["state"]) >= MAX_TASKS:
        section.notes.append(f"The first {MAX_TASKS:,} unsplit tasks are drawn (failed and unfinished first).")
    return section
