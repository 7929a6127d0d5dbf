"""Where a long job stands: per-stage counts, queue states, failures, last runs, size.

Read-only; every query is in sql/status/. Returned as plain data so the CLI can
print it as text or JSON.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass, field
from datetime import timezone

import asyncpg

from etl.paths import sql_text
from etl.summary import Summary


@dataclass
class StatusReport(Summary):
    images: dict
    crawl_queue: list[dict]
    failures: list[dict]
    results: list[dict]
    downloads: list[dict]
    runs: list[dict]
    database_size: str
    notes: list[str] = field(default_factory=list)
    download_jobs: list[dict] = field(default_factory=list)  # each with its "workers"
    crawled_areas: list[dict] = field(default_factory=list)  # per area: last crawl or update, what it found
    database: str = field(default="", repr=False)  # where: a description safe to print (no password)

    def to_json(self) -> str:
        body = asdict(self)
        body.pop("database")
        return json.dumps(body, default=str, indent=2)

    def lines(self) -> list[str]:
        i = self.images
        return [
            f"database: {self.database}, {self.database_size}",
            f"images: {i['images']:,} ({i['deleted']:,} deleted), sequences: {i['sequences']:,}",
            *_section("crawled areas:", self.crawled_areas, area_line),
            *_section("crawl queue:", self.crawl_queue,
                      lambda r: f"crawl {r['crawl_id']} ({r['method']}) {r['kind']:<8} {r['state']:<8} {r['tasks']:,}"),
            *_section("filter results:", self.results, lambda r: f"{r['name']}: {_counts(r['counts'])}"),
            *_section("image downloads:", self.downloads,
                      lambda r: f"size {r['size']:<8} {r['state']:<6} {r['n']:,} ({r['bytes'] / 1e6:,.1f} MB)"),
            *download_lines(self.download_jobs),
            *_section("failures (most common reasons):", self.failures,
                      lambda r: f"{r['stage']}: {r['n']:,} x {r['reason']}"),
            *_section("last runs:", self.runs,
                      lambda r: f"#{r['id']} {r['kind']:<8} {r['status']:<11} {r['started_at']:%Y-%m-%d %H:%M} "
                                f"{_counts(r['counters'])}"),
            *(f"note: {note}" for note in self.notes),
        ]


def area_line(r: dict) -> str:
    """One crawled area: when it was crawled, its last update and what that found."""
    head = f"crawl {r['crawl_id']} ({r['method']}) {r['area']}: crawled {_when(r['crawled_at'])}"
    if r["last_pass"] == 0:
        state = "in progress" if r["in_progress"] else (
            f"finished {_when(r['crawl_finished_at'])}" if r["crawl_finished_at"] else "ended with failed tasks")
        return f"{head}, {state}; never updated"
    if r["in_progress"]:
        state = f"update pass {r['last_pass']} (crawl {r['last_id']}) started {_when(r['last_started_at'])}, in progress"
    else:
        end = f"updated {_when(r['last_finished_at'])}" if r["last_finished_at"] else \
            f"update started {_when(r['last_started_at'])} ended with failed tasks"
        state = f"{end} (pass {r['last_pass']}, crawl {r['last_id']})"
    return (f"{head}; {state}: {r['new_images']:,} new, {r['changed_images']:,} changed, "
            f"{r['deleted_images']:,} deleted, {r['unchanged_images']:,} unchanged"
            + (f", {r['restored_images']:,} restored" if r["restored_images"] else ""))


def _when(moment) -> str:  # noqa: ANN001 - a datetime or None
    return "-" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC" if moment.tzinfo is None else \
        moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def _section(title: str, rows: list[dict], line) -> list[str]:  # noqa: ANN001 - row -> str
    return [title, *(f"  {line(r)}" for r in rows)] if rows else []


def _counts(counts: dict | None) -> str:
    return ", ".join(f"{k} {v:,}" if isinstance(v, int) else f"{k} {v}" for k, v in (counts or {}).items()
                     if not isinstance(v, list))  # series such as a crawl's call timeline are the report's


def _rows(records: list[asyncpg.Record]) -> list[dict]:
    return [dict(r) for r in records]


def _killed_runs(runs: list[dict]) -> list[str]:
    """Runs still marked running on this host whose process no longer exists."""
    notes = []
    for run in runs:
        if run["status"] != "running" or run["host"] != socket.gethostname() or not run["pid"]:
            continue
        try:
            os.kill(run["pid"], 0)
        except ProcessLookupError:
            notes.append(f"run {run['id']} ({run['kind']}) was killed; rerun the same command to resume")
        except PermissionError:
            pass
    return notes


def _bulk_loads(rows: list[asyncpg.Record]) -> list[str]:
    return [f"crawl {r['crawl_id']} is bulk-loading images ({r['indexes_to_rebuild']} index(es) to rebuild when it "
            f"ends); if it is not running, rerun its command to finish it" for r in rows]


async def _download_jobs(conn: asyncpg.Connection) -> list[dict]:
    """Download jobs per result, each with the progress of its workers."""
    from etl.crawl.queue import _owner_is_dead_here

    jobs = _rows(await conn.fetch(sql_text("status/download_jobs.sql")))
    workers = _rows(await conn.fetch(sql_text("status/download_workers.sql")))
    for job in jobs:
        job["workers"] = [w for w in workers if w["job"] == job["job"]]
        for w in job["workers"]:
            if w["state"] in ("running", "silent") and _owner_is_dead_here(w["worker"]):
                w["state"] = "killed"  # a process of this machine that is gone
    return jobs


def download_lines(jobs: list[dict]) -> list[str]:
    """The text form: per result and job, the batches, then one line per worker."""
    lines = []
    for j in jobs:
        resize = f", resize {j['resize']}" if j["resize"] else ""
        lines.append(f"downloads of {j['result']} (class {j['class']}, size {j['size']}{resize} -> {j['destination']}): "
                     f"batches {j['done']:,} done, {j['running']:,} running, {j['pending']:,} pending; "
                     f"images {j['images_done']:,} of {j['images']:,} done, {j['images_failed']:,} failed")
        for w in j["workers"]:
            holding = f", holding {w['holding']} batch(es)" if w["holding"] else ""
            shard = f" shard {w['shard']}" if w["shard"] else ""
            lines.append(f"  {w['worker']} {w['state']:<8}{shard} claimed {w['claimed']:,} in {w['batches']:,} batch(es), "
                         f"done {w['downloaded'] + w['skipped']:,} (downloaded {w['downloaded']:,}, "
                         f"already stored {w['skipped']:,}), failed {w['failed']:,}, {w['bytes'] / 1e6:,.1f} MB, "
                         f"seen {w['seen_at']:%Y-%m-%d %H:%M:%S}{holding}")
    return lines


async def gather_status(conn: asyncpg.Connection, recent: int = 10) -> StatusReport:
    runs = _rows(await conn.fetch(sql_text("status/runs.sql"), recent))
    return StatusReport(
        images=dict(await conn.fetchrow(sql_text("status/images.sql"))),
        crawl_queue=_rows(await conn.fetch(sql_text("status/crawl_queue.sql"))),
        crawled_areas=_rows(await conn.fetch(sql_text("status/crawled_areas.sql"))),
        failures=_rows(await conn.fetch(sql_text("status/failures.sql"), recent)),
        results=_rows(await conn.fetch(sql_text("status/results.sql"))),
        downloads=_rows(await conn.fetch(sql_text("status/downloads.sql"))),
        runs=runs,
        download_jobs=await _download_jobs(conn),
        database_size=await conn.fetchval(sql_text("status/size.sql")),
        notes=_killed_runs(runs) + _bulk_loads(await conn.fetch(sql_text("status/bulk_load.sql"))),
    )
