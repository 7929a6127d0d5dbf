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

# Sorting the images for the walk is the biggest memory user; in memory it is several
# times faster than spilling to disk. Per sort (the walk's parallel workers each
# sort their share), only while the walk statement runs.
WALK_WORK_MEM = "256MB"


def sql_for(name: str, handle: ResultHandle) -> str:
    """sql/filters/<name> with the result's own table names (derived from its numeric id)."""
    return sql_text(f"filters/{name}").format(
        work=handle.work_table, walk=handle.walk_table, points=handle.points_table)


async def drop_scratch(conn: asyncpg.Connection, handle: ResultHandle) -> None:
    await conn.execute(f"DROP TABLE IF EXISTS {', '.join(handle.scratch_tables)}")


async def find_dirty(conn: asyncpg.Connection, handle: ResultHandle, params: FilterParams,
                     buckets: int) -> dict[int, int]:
    """Create the work table; returns the number of changed sequences per bucket."""
    await conn.execute(sql_for("find_dirty.sql", handle), handle.name, params.exclude_result, buckets)
    await conn.execute(f"ANALYZE {handle.work_table}")
    rows = await conn.fetch(f"SELECT bucket, count(*) AS n FROM {handle.work_table} GROUP BY bucket")
    return {r["bucket"]: r["n"] for r in rows}


async def walk(conn: asyncpg.Connection, handle: ResultHandle, params: FilterParams, layers: dict,
               c_walk: bool) -> dict[str, int]:
    """Clip, classify and walk the changed sequences into the walk table (one row per
    sequence: line, counts, kept images); returns the staged and kept image counts."""
    continent, urban = layers["continent"], layers["urban"]
    args = [continent["id"], urban["id"], continent["cell_size"], urban["cell_size"], params.exclude_result,
            float(params.spacing_urban), float(params.spacing_other)]
    if c_walk:
        args.append(params.spacing_mode == "straight")
    sql = walk_sql(params.spacing_mode, c_walk, work=handle.work_table, walk=handle.walk_table)
    async with conn.transaction():
        await conn.execute(f"SET LOCAL work_mem = '{WALK_WORK_MEM}'")
        await _fast_compression(conn)
        await conn.execute(sql, *args)
    await conn.execute(f"ANALYZE {handle.walk_table}")
    row = await conn.fetchrow(f"SELECT coalesce(sum(image_count + duplicate_count), 0)::bigint AS staged, "
                              f"coalesce(sum(kept_count), 0)::bigint AS kept FROM {handle.walk_table}")
    return {"staged_images": row["staged"], "kept_images": row["kept"]}


async def _fast_compression(conn: asyncpg.Connection) -> None:
    """lz4 for the walk table's lines and arrays (several times faster than pglz), when the
    server has it; this transaction only."""
    if await conn.fetchval("SELECT 'lz4' = ANY (enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"):
        await conn.execute("SET LOCAL default_toast_compression = 'lz4'")


async def write_bucket(conn: asyncpg.Connection, handle: ResultHandle, bucket: int) -> int:
    """Points, lines and signatures of one bucket's sequences, in one transaction."""
    async with conn.transaction():
        if not handle.fresh:
            await conn.execute(sql_for("delete_bucket.sql", handle), handle.name, bucket)
        status = await conn.execute(sql_for("insert_points.sql", handle), handle.name, bucket)
        await conn.execute(sql_for("insert_lines.sql", handle), handle.name, bucket)
        await conn.execute(sql_for("save_signatures.sql", handle), handle.name, bucket)
    return int(status.split()[-1])


async def finish(conn: asyncpg.Connection, handle: ResultHandle, figures: dict) -> dict:
    """Store the result's counts (plus this run's `figures`) and mark it finished."""
    counts = await conn.fetchval(sql_text("filters/result_finish.sql"), handle.name, json.dumps(figures))
    return json.loads(counts) if isinstance(counts, str) else dict(counts)
