"""Where a long job stands: per-stage counts, queue states, failures, last runs, size.

Read-only; every query is in sql/status/. Returned as plain data so the CLI can
print it as text or JSON.
"""

from __future__ import annotations

import json
import os
import socket
from dataclasses import asdict, dataclass, field

import asyncpg

from etl.paths import sql_text


@dataclass
class StatusReport:
    images: dict
    crawl_queue: list[dict]
    failures: list[dict]
    results: list[dict]
    downloads: list[dict]
    runs: list[dict]
    database_size: str
    notes: list[str] = field(default_factory=list)

    def to_json(self) -> str:
        return json.dumps(asdict(self), default=str, indent=2)


def _rows(records: list[asyncpg.Record]) -> list[dict]:
    return [dict(r) for r in records]


def _decode_json_fields(rows: list[dict], *names: str) -> list[dict]:
    for row in rows:
        for name in names:
            if isinstance(row.get(name), str):
                row[name] = json.loads(row[name])
    return rows


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


async def gather_status(conn: asyncpg.Connection, recent: int = 10) -> StatusReport:
    runs = _decode_json_fields(_rows(await conn.fetch(sql_text("status/runs.sql"), recent)), "counters")
    return StatusReport(
        images=dict(await conn.fetchrow(sql_text("status/images.sql"))),
        crawl_queue=_rows(await conn.fetch(sql_text("status/crawl_queue.sql"))),
        failures=_rows(await conn.fetch(sql_text("status/failures.sql"), recent)),
        results=_decode_json_fields(_rows(await conn.fetch(sql_text("status/results.sql"))), "params", "counts"),
        downloads=_rows(await conn.fetch(sql_text("status/downloads.sql"))),
        runs=runs,
        database_size=await conn.fetchval(sql_text("status/size.sql")),
        notes=_killed_runs(runs) + _bulk_loads(await conn.fetch(sql_text("status/bulk_load.sql"))),
    )
