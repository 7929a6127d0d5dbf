"""A result's first computation on a single server, in two phases, so that each image is
read once by one connection (walk_fresh_c.sql, the other form, has every bucket's
connection read all images and keep its own sequences):

1. stage: the connections split the images table by block ranges, all reading in one
   exported snapshot. Each connection's images that pass the attribute filters and lie in the
   continent go, classified, into the stage table, one partition per bucket
   (stage_share.sql). In the same snapshot the change log's signature of every sequence is
   copied (stage_changes.sql): what is stored for a sequence is the signature of the images
   walked.
2. walk: each bucket, on its own connection, groups its staged images by sequence and walks
   them with the C aggregate (walk_staged.sql), then writes them (like the other form).

It needs a TID range scan of `images` (not on Citus, whose shards are other tables) and
the sequences' signatures from the change log (signatures.py), and pays only when attribute
filters leave few images to stage (applies): elsewhere the one-pass form runs.
"""

from __future__ import annotations

import asyncio
import re

import asyncpg

from etl.filters import signatures
from etl.filters.params import FilterParams
from etl.filters.results import ResultHandle
from etl.filters.steps import WALK_WORK_MEM, fast_compression, hash_walk_allowed, sql_for
from etl.paths import sql_text

# Block ranges per connection (shares): more even out the connections' work, fewer keep
# the statement small (each range is one scan in it, compiled on its own).
STRIPES_PER_CONNECTION = 2
LAST_BLOCK = 0xFFFFFFFF  # above every block number: the last stripe reads to the end
SNAPSHOT_ID = re.compile(r"^[0-9A-F-]+$")


def applies(handle: ResultHandle, stamps: bool, buckets: int) -> bool:
    """Is this first computation staged? (the C walk is assumed) Only with attribute
    filters, which typically most images fail: staging the few that pass costs less than
    reading every image once per bucket. Without them most images would be staged, and
    writing and reading them again costs more than the other buckets' extra reads."""
    return stamps and not handle.distributed and buckets > 1 and handle.attributes != "true"


async def create_tables(conn: asyncpg.Connection, handle: ResultHandle, buckets: int) -> None:
    """The stage table with one partition per bucket, and the signatures table."""
    await conn.execute(sql_for("stage_tables.sql", handle, stage=handle.stage_table, changes=handle.changes_table))
    for bucket in range(buckets):
        await conn.execute(sql_text("filters/stage_partition.sql").format(
            stage=handle.stage_table, partition=f"{handle.stage_table}_b{bucket:d}", bucket=bucket))


def shares(blocks: int, connections: int) -> list[list[tuple[int, int]]]:
    """Each connection's block ranges [first, end): the table of `blocks` blocks (and
    anything after) cut into stripes dealt out in rounds, every other round backwards, so
    that each connection reads from all over the table and a steady trend along it (older
    images first, which a date filter may all drop) evens out."""
    count = max(1, connections * STRIPES_PER_CONNECTION)
    bounds = [blocks * k // count for k in range(count)] + [LAST_BLOCK]
    stripes = list(zip(bounds, bounds[1:]))
    out: list[list[tuple[int, int]]] = [[] for _ in range(min(connections, count))]
    for k, stripe in enumerate(stripes):
        turn, place = divmod(k, len(out))
        out[place if turn % 2 == 0 else len(out) - 1 - place].append(stripe)
    return out


def share_sql(handle: ResultHandle, stripes: int) -> str:
    """stage_share.sql reading `stripes` block ranges (parameters from $6 on, two each)."""
    scans = [sql_for("stage_scan.sql", handle, first=6 + 2 * k, end=7 + 2 * k) for k in range(stripes)]
    return sql_for("stage_share.sql", handle, stage=handle.stage_table, scans="\nUNION ALL\n".join(scans))


async def stage(coordinator: asyncpg.Connection, pool: asyncpg.Pool, handle: ResultHandle, layers: dict,
                connections: int, buckets: int) -> None:
    """Phase 1: fill the stage and signatures tables. `coordinator` holds the snapshot that
    `connections` connections of `pool` import, each to stage its share of the table; the
    coordinator commits the signatures after they have committed their shares."""
    continent, urban = layers["continent"], layers["urban"]
    changes_sql = sql_for("stage_changes.sql", handle, changes=handle.changes_table,
                          current=signatures.current_signatures(True, True))
    blocks = await coordinator.fetchval("SELECT pg_relation_size('images') / current_setting('block_size')::bigint")

    async def worker(snapshot: str, stripes: list[tuple[int, int]]) -> None:
        args = [continent["id"], urban["id"], continent["cell_size"], urban["cell_size"], buckets]
        for first, end in stripes:
            args += [(first, 0), (end, 0)]
        async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read"):
            await conn.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")  # an id checked below, not user input
            await _stage_settings(conn)
            await conn.execute(share_sql(handle, len(stripes)), *args)

    async with coordinator.transaction(isolation="repeatable_read"):
        snapshot = await coordinator.fetchval("SELECT pg_export_snapshot()")
        if not SNAPSHOT_ID.match(snapshot):
            raise RuntimeError(f"unexpected snapshot id {snapshot!r}")
        async with asyncio.TaskGroup() as group:
            for stripes in shares(blocks, connections):
                group.create_task(worker(snapshot, stripes))
            await coordinator.execute(changes_sql, buckets)


async def _stage_settings(conn: asyncpg.Connection) -> None:
    await conn.execute(f"SET LOCAL work_mem = '{WALK_WORK_MEM}'")
    # a long scan of many images: compiled expressions (JIT, where the server has it; our
    # own cluster turns it off for everything else), without inlining, whose compilation
    # costs more than it saves here
    await conn.execute("SET LOCAL jit = on")
    await conn.execute("SET LOCAL jit_inline_above_cost = -1")


async def walk_bucket(conn: asyncpg.Connection, handle: ResultHandle, params: FilterParams, buckets: int,
                      bucket: int) -> int:
    """Phase 2 for one bucket: walk its staged sequences into the walk table and add their
    work rows (work_from_walk.sql); returns the bucket's number of sequences."""
    sql = sql_for("walk_staged.sql", handle, stage=handle.stage_table, changes=handle.changes_table)
    hash_walk = await hash_walk_allowed(conn)
    async with conn.transaction():
        await conn.execute(f"SET LOCAL work_mem = '{WALK_WORK_MEM}'")
        if hash_walk:  # the C aggregate takes a sequence's images in any order (as steps.run_walk)
            await conn.execute("SET LOCAL enable_sort = off")
            await conn.execute("SET LOCAL hash_mem_multiplier = 8")
        await fast_compression(conn)
        await conn.execute(sql, float(params.spacing_urban), float(params.spacing_other),
                           params.spacing_mode == "straight", buckets, bucket)
        status = await conn.execute(sql_for("work_from_walk.sql", handle), buckets, bucket)
    return int(status.split()[-1])
