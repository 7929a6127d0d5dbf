"""The SQL steps of one filter run. Each is one set-based statement (or a few in one
transaction); Python only sequences them, so its memory stays flat at any data size.
"""

from __future__ import annotations

from typing import NamedTuple

import asyncpg

from etl.filters import signatures
from etl.filters.params import FilterParams
from etl.filters.results import ResultHandle
from etl.filters.walk_impl import walk_sql
from etl.paths import sql_text

# Per sort or hash table of the walk statement (each parallel worker has its own), only
# while it runs: in memory they are much faster than spilled to disk.
WALK_WORK_MEM = "256MB"


def sql_for(name: str, handle: ResultHandle, **extra: str) -> str:
    """sql/filters/<name> with the result's own table names (derived from its numeric id)."""
    return sql_text(f"filters/{name}").format(**extra,
        work=handle.work_table, walk=handle.walk_table, points=handle.points_table, lines=handle.lines_table,
        signatures=handle.signatures_table, attributes=handle.attributes, dataset=handle.dataset_table,
        thin=handle.thin_table, pairs=handle.pairs_table, undecided=handle.undecided_table,
        dropped=handle.dropped_table, kept=handle.kept_table, other_filters=handle.other_filters,
        daylight="true" if handle.daylight else "false",
        # an optimisation fence (walk_fresh_c.sql), except on Citus: it would pull the rows
        # of a pushed-down subquery to the coordinator
        fence="" if handle.distributed else "OFFSET 0")


async def drop_scratch(conn: asyncpg.Connection, handle: ResultHandle) -> None:
    await conn.execute(f"DROP TABLE IF EXISTS {', '.join(handle.scratch_tables)}")


async def find_dirty(conn: asyncpg.Connection, handle: ResultHandle, params: FilterParams,
                     buckets: int, c_walk: bool, stamps: bool) -> dict[int, int]:
    """Create the work table; returns the number of changed sequences per bucket. With
    `stamps`, from the sequences' change stamps, else by signing every image row
    (etl/filters/signatures.py)."""
    sql = sql_text("filters/find_dirty.sql").format(work=handle.work_table, signatures=handle.signatures_table,
                                                     current=signatures.current_signatures(stamps, c_walk))
    async with conn.transaction():
        if not stamps:  # a scan of every image, like the walk: compiled expressions (where the server has JIT)
            await conn.execute("SET LOCAL jit = on")
        await conn.execute(sql, handle.name, buckets, *([] if stamps else [params.exclude_result]))
    return await _bucket_counts(conn, handle)


async def _bucket_counts(conn: asyncpg.Connection, handle: ResultHandle) -> dict[int, int]:
    await conn.execute(f"ANALYZE {handle.work_table}")
    rows = await conn.fetch(f"SELECT bucket, count(*) AS n FROM {handle.work_table} GROUP BY bucket")
    return {r["bucket"]: r["n"] for r in rows}


async def has_signatures(conn: asyncpg.Connection, handle: ResultHandle) -> bool:
    """Has the result stored any sequence (a finished run, or a killed run's committed buckets)?"""
    return await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {handle.signatures_table})")


def _walk_args(params: FilterParams, layers: dict, c_walk: bool) -> list:
    continent, urban = layers["continent"], layers["urban"]
    args = [continent["id"], urban["id"], continent["cell_size"], urban["cell_size"], params.exclude_result,
            float(params.spacing_urban), float(params.spacing_other)]
    if c_walk:
        args.append(params.spacing_mode == "straight")
    return args


# Grouping the walk in hash tables keeps every walked image in memory until the end (~40 B
# each in the aggregate's buffers, up to twice that with their growth, in the leader and
# briefly in the workers too): allowed while `images` holds at most this many rows
# (~1.5 GB at the limit), else the statement sorts by sequence (spills to disk, memory
# bounded by work_mem, measurably slower; docs/filters.md).
HASH_WALK_MAX_IMAGES = 25_000_000


async def hash_walk_allowed(conn: asyncpg.Connection) -> bool:
    """May the walk group in hash tables? (the planner's row estimate of `images`)"""
    estimate = await conn.fetchval("SELECT reltuples FROM pg_class WHERE oid = 'images'::regclass")
    return estimate is not None and estimate <= HASH_WALK_MAX_IMAGES


async def _run_walk(conn: asyncpg.Connection, sql: str, args: list, c_walk: bool, by_index: bool = False) -> None:
    hash_walk = c_walk and await hash_walk_allowed(conn)
    async with conn.transaction():
        if by_index:
            # a few changed sequences: their images by the sequence index. The planner
            # prices those scattered heap reads as if from disk and picks a pass over all
            # images, several times slower when the table is cached, as it mostly is.
            await conn.execute("SET LOCAL enable_seqscan = off")
        # on Citus, the SET LOCALs below apply on the workers too (elsewhere: an unused setting)
        await conn.execute("SET LOCAL citus.propagate_set_commands = 'local'")
        await conn.execute(f"SET LOCAL work_mem = '{WALK_WORK_MEM}'")
        if hash_walk:
            # The C aggregate takes each sequence's images in any order: group them in hash
            # tables. Left to itself the planner sorts all joined rows by sequence instead
            # (the urban polygon of each row included), spilling to disk: much slower.
            await conn.execute("SET LOCAL enable_sort = off")
            # their memory is what HASH_WALK_MAX_IMAGES bounds: let the hash tables hold it
            # (2 GB each) rather than spill rows to disk (at 20 M images with one worker a
            # spill made the statement slower)
            await conn.execute("SET LOCAL hash_mem_multiplier = 8")
        if not by_index:
            # One long scan of every image: compiling its expressions (JIT, where the server
            # has it; our own cluster turns it off for everything else) pays off here. Not
            # for a few sequences read by index: the compilation would take longer than them.
            await conn.execute("SET LOCAL jit = on")
        await fast_compression(conn)
        await conn.execute(sql, *args)


# The incremental walk reads the changed sequences' images by index when they are at most
# this share of the result's sequences: about where one pass over all images (in
# parallel) costs as much.
BY_INDEX_MAX_SHARE = 0.10


async def few_changed(conn: asyncpg.Connection, handle: ResultHandle, changed: int) -> bool:
    """Are `changed` sequences few enough to read their images by index?"""
    stored = await conn.fetchval(f"SELECT count(*) FROM {handle.signatures_table} WHERE result_name = $1", handle.name)
    return changed <= BY_INDEX_MAX_SHARE * stored


async def walk(conn: asyncpg.Connection, handle: ResultHandle, params: FilterParams, layers: dict,
               c_walk: bool, by_index: bool = False) -> dict[str, int]:
    """Clip, classify and walk the changed sequences into the walk table (one row per
    sequence: line, counts, kept images); returns the staged and kept image counts. With
    `by_index`, their images are read by the sequence index (few_changed)."""
    sql = walk_sql(params.spacing_mode, c_walk, work=handle.work_table, walk=handle.walk_table,
                   attributes=handle.attributes)
    await _run_walk(conn, sql, _walk_args(params, layers, c_walk), c_walk, by_index)
    return await _walk_counts(conn, handle)


async def create_fresh_tables(conn: asyncpg.Connection, handle: ResultHandle) -> None:
    """The empty walk and work tables that walk_fresh_bucket fills, bucket by bucket."""
    await conn.execute(sql_for("walk_fresh_table.sql", handle))


def fresh_walk_sql(handle: ResultHandle, stamps: bool) -> str:
    """walk_fresh_c.sql for `handle`, with sequence signatures from change stamps or image rows."""
    return sql_for("walk_fresh_c.sql", handle, **signatures.fresh_walk_parts(stamps, "$9::integer", "$10::integer"))


async def walk_fresh_bucket(conn: asyncpg.Connection, handle: ResultHandle, params: FilterParams, layers: dict,
                            buckets: int, bucket: int, stamps: bool) -> int:
    """A result's first computation with the C walk, for one bucket: find its sequences and
    walk them in one pass over images (walk_fresh_c.sql), then add their work rows (as
    find_dirty makes them). The buckets run side by side, one connection each. Returns the
    bucket's number of sequences."""
    args = [*_walk_args(params, layers, True), buckets, bucket]
    # an INSERT: always a serial plan, which is what each bucket wants
    await _run_walk(conn, fresh_walk_sql(handle, stamps), args, True)
    status = await conn.execute(sql_for("work_from_walk.sql", handle), buckets, bucket)
    return int(status.split()[-1])


async def _walk_counts(conn: asyncpg.Connection, handle: ResultHandle) -> dict[str, int]:
    # the writes join on seq_no: its statistics (and the row count) are what the planner
    # needs; the lines and kept arrays would cost time for nothing
    await conn.execute(f"ANALYZE {handle.walk_table} (seq_no)")
    return await walk_counts(conn, handle)


async def walk_counts(conn: asyncpg.Connection, handle: ResultHandle) -> dict[str, int]:
    """The staged and kept image counts of the walk table."""
    row = await conn.fetchrow(f"SELECT coalesce(sum(image_count + duplicate_count), 0)::bigint AS staged, "
                              f"coalesce(sum(kept_count), 0)::bigint AS kept FROM {handle.walk_table}")
    return {"staged_images": row["staged"], "kept_images": row["kept"]}


async def fast_compression(conn: asyncpg.Connection) -> None:
    """lz4 for the walk table's lines and arrays (several times faster than pglz), when the
    server has it; this transaction only."""
    if await conn.fetchval("SELECT 'lz4' = ANY (enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"):
        await conn.execute("SET LOCAL default_toast_compression = 'lz4'")


class BucketWrite(NamedTuple):
    points: int  # rows written
    added: int = 0  # kept images the result did not keep before (counted when `compare`)
    removed: int = 0  # kept images the result no longer keeps (counted when `compare`)


def compares(handle: ResultHandle) -> bool:
    """Are the stored rows the last finished run's, so that writing a bucket can count what
    it adds to and removes from the result? (A curated result's dataset is rewritten by
    curation, which counts that instead.)"""
    return handle.was_finished and not handle.curated


async def write_bucket(conn: asyncpg.Connection, handle: ResultHandle, bucket: int, replace: bool) -> BucketWrite:
    """Points, lines and signatures of one bucket's sequences, in one transaction; with
    `replace`, their stored rows go first (else nothing is stored yet: a first computation).
    Counted in the same transaction as the write, so the counts of a run's buckets add up."""
    async with conn.transaction():
        # rows up to ~8 kB stay uncompressed (toast_tuple_target); longer lines: lz4, faster
        await fast_compression(conn)
        changes = (await conn.fetchrow(sql_for("bucket_changes.sql", handle), handle.name, bucket)
                   if compares(handle) else None)
        if replace:
            await conn.execute(sql_for("delete_bucket.sql", handle), handle.name, bucket)
        status = await conn.execute(sql_for("insert_points.sql", handle), handle.name, bucket)
        await conn.execute(sql_for("insert_lines.sql", handle), handle.name, bucket)
        await conn.execute(sql_for("save_signatures.sql", handle), handle.name, bucket)
    points = int(status.split()[-1])
    return BucketWrite(points, changes["added"], changes["removed"]) if changes else BucketWrite(points)


async def finish(conn: asyncpg.Connection, handle: ResultHandle, figures: dict) -> dict:
    """Store the result's counts (plus this run's `figures`) and mark it finished."""
    summed = await conn.fetchval(sql_for("result_counts.sql", handle), handle.name)
    return dict(await conn.fetchval(sql_for("result_finish.sql", handle), handle.name, figures, summed))
