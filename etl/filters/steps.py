"""The SQL steps of one filter run. Each is one set-based statement (or a few in one
transaction); Python only sequences them, so its memory stays flat at any data size.
"""

from __future__ import annotations

import json

import asyncpg

from etl.filters.params import FilterParams
from etl.filters.results import ResultHandle
from etl.filters.walk_impl import walk_sql
from etl.paths import sql_text

# Sorting a bucket for the window walk is the biggest memory user; in memory it is several
# times faster than spilling to disk. Per connection, only while a bucket runs.
BUCKET_WORK_MEM = "256MB"


def sql_for(name: str, handle: ResultHandle) -> str:
    """sql/filters/<name> with the result's own table names (derived from its numeric id)."""
    return sql_text(f"filters/{name}").format(
        work=handle.work_table, stage=handle.stage_table, points=handle.points_table)


async def drop_scratch(conn: asyncpg.Connection, handle: ResultHandle) -> None:
    await conn.execute(f"DROP TABLE IF EXISTS {handle.work_table}, {handle.stage_table}")


async def find_dirty(conn: asyncpg.Connection, handle: ResultHandle, params: FilterParams,
                     buckets: int) -> dict[int, int]:
    """Create the work table; returns the number of changed sequences per bucket."""
    await conn.execute(sql_for("find_dirty.sql", handle), handle.name, params.exclude_result, buckets)
    await conn.execute(f"ANALYZE {handle.work_table}")
    rows = await conn.fetch(f"SELECT bucket, count(*) AS n FROM {handle.work_table} GROUP BY bucket")
    return {r["bucket"]: r["n"] for r in rows}


async def stage(conn: asyncpg.Connection, handle: ResultHandle, params: FilterParams, layers: dict) -> int:
    """Clip and classify the changed sequences' images into the stage table; returns its rows."""
    continent, urban = layers["continent"], layers["urban"]
    status = await conn.execute(sql_for("stage.sql", handle), continent["id"], urban["id"],
                                continent["cell_size"], urban["cell_size"], params.exclude_result)
    return int(status.split()[-1])


async def walk_bucket(conn: asyncpg.Connection, handle: ResultHandle, params: FilterParams, bucket: int,
                      c_walk: bool) -> int:
    """Spacing, points and lines of one bucket, in one transaction with its signatures."""
    walk = walk_sql(params.spacing_mode, c_walk, work=handle.work_table, stage=handle.stage_table,
                    points=handle.points_table)
    async with conn.transaction():
        await conn.execute(f"SET LOCAL work_mem = '{BUCKET_WORK_MEM}'")
        if not handle.fresh:
            await conn.execute(sql_for("delete_bucket.sql", handle), handle.name, bucket)
        await conn.execute(walk, bucket, float(params.spacing_urban), float(params.spacing_other))
        status = await conn.execute(sql_for("insert_points.sql", handle), handle.name)
        await conn.execute(sql_for("insert_lines.sql", handle), handle.name)
        await conn.execute(sql_for("save_signatures.sql", handle), handle.name, bucket)
    return int(status.split()[-1])


async def finish(conn: asyncpg.Connection, handle: ResultHandle, figures: dict) -> dict:
    """Store the result's counts (plus this run's `figures`) and mark it finished."""
    counts = await conn.fetchval(sql_text("filters/result_finish.sql"), handle.name, json.dumps(figures))
    return json.loads(counts) if isinstance(counts, str) else dict(counts)
