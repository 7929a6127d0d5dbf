"""Bulk load: the first crawl into an empty images table, at COPY speed.

Keeping two GiST indexes, a primary key and a sequence index up to date costs
~30-40 us per upserted row; a binary COPY into a table without indexes costs
~2.5 us, and building the indexes once at the end ~5 us per row (osm2pgsql's
import mode). So a crawl that starts on an empty `images` table:

1. `begin`: records the definition of every index of images (the primary key
   included) in images_bulk_indexes and drops them, in one transaction;
2. its writers COPY rows straight into images (etl/crawl/writer.py);
3. `finish`, once no task of the crawl is pending or running: fills
   `sequences`, then rebuilds every index two at a time on two connections
   (GiST first, the key last; the key's build removes the rare duplicates,
   images on the edge of two boxes, if it meets any), then ANALYZEs.

Every step is idempotent and the definitions stay in the table until their
index exists again, so a killed load is finished by rerunning the same crawl.
While a load is in progress, another crawl refuses to start (it would need the
key to upsert); queries still work, without index help.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass

import asyncpg

from etl.db.codecs import init_connection

from etl.errors import UserInputError
from etl.paths import sql_text

log = logging.getLogger(__name__)
LOCK_KEY = 0x6D6C79_0001  # pg_advisory lock: one bulk-load start/finish at a time
INDEX_BUILDERS = 2  # connections rebuilding indexes at once (one core each)


@dataclass
class BulkFinish:
    duplicates_removed: int = 0
    new_sequences: int = 0
    seconds: float = 0.0


async def prepare(conn: asyncpg.Connection, crawl_id: int, allowed: bool) -> bool:
    """True when this crawl loads in bulk (starting the load if it may); raises if another crawl's is running."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1)", LOCK_KEY)
        owner = await conn.fetchval(sql_text("crawl/bulk_owner.sql"))
        if owner == crawl_id:
            return True
        if owner is not None:
            raise UserInputError(
                f"crawl {owner} is bulk-loading the images table (its indexes are rebuilt when it ends)",
                hint=f"rerun crawl {owner}'s command to finish it (mlyetl status shows it), then start this crawl",
            )
        if not allowed or not await conn.fetchval(sql_text("crawl/bulk_images_empty.sql"), crawl_id):
            return False
        for statement in await conn.fetch(sql_text("crawl/bulk_begin.sql"), crawl_id):
            await conn.execute(statement["statement"])
        # the change-stamp triggers would copy every loaded row once more: off until the end
        await _stamp_triggers(conn, "DISABLE")
    log.debug("crawl %d: images is empty, so it is bulk-loaded (indexes rebuilt at the end)", crawl_id)
    return True


async def finish(dsn: str, crawl_id: int) -> BulkFinish:
    """Ends this crawl's bulk load if it is still open; a second caller waits, then finds nothing to do."""
    started, out = time.monotonic(), BulkFinish()
    lock = await asyncpg.connect(dsn)
    await init_connection(lock)
    try:
        await lock.execute("SELECT pg_advisory_lock($1)", LOCK_KEY)  # held for the whole finish
        pending = await lock.fetch(sql_text("crawl/bulk_pending_indexes.sql"), crawl_id)
        if not pending:
            return out
        log.debug("crawl %d: bulk load done, removing duplicates and rebuilding %d index(es)", crawl_id, len(pending))
        # sequences first: the last index rebuilt closes the load, and a rerun after that
        # would not come back here (the upsert is idempotent, so doing it twice is harmless)
        out.new_sequences = int(await lock.fetchval(sql_text("crawl/bulk_sequences.sql")))
        # the loaded sequences' change stamps, then the stamp triggers on again (a rerun
        # stamps them twice: the filter then recomputes them, which it does anyway)
        await lock.execute(sql_text("crawl/stamp_all_sequences.sql"))
        await _stamp_triggers(lock, "ENABLE")
        # the key with the others (not before them): on two cores a serial key build left
        # one core idle
        out.duplicates_removed = await _rebuild(dsn, sorted(pending, key=lambda r: r["constraint_name"] is not None))
        await lock.execute("ANALYZE images")
    finally:
        await lock.close()
    out.seconds = time.monotonic() - started
    log.debug("crawl %d: indexes rebuilt in %.1f s (%d duplicate row(s) removed)", crawl_id, out.seconds,
             out.duplicates_removed)
    return out


async def _stamp_triggers(conn: asyncpg.Connection, action: str) -> None:
    for statement in await conn.fetch(sql_text("crawl/stamp_triggers.sql"), action):
        await conn.execute(statement["statement"])


async def _rebuild_unique(conn: asyncpg.Connection, index: asyncpg.Record) -> int:
    """Rebuilds the key (or a unique index); returns the duplicate rows removed on the way.

    Duplicates are rare (an image on the edge of two boxes), so the de-duplication
    pass (a hash aggregate over all rows) runs only if the build finds one. Its
    DELETE waits for index builds running beside it, which stay valid (a DELETE
    leaves index entries to vacuum).
    """
    try:
        await _rebuild_one(conn, index)
        return 0
    except asyncpg.UniqueViolationError:
        status = await conn.execute(sql_text("crawl/bulk_dedup.sql"))
        await _rebuild_one(conn, index)
        return int(status.split()[-1])


async def _rebuild(dsn: str, pending: list[asyncpg.Record]) -> int:
    """Builds `pending` in order on INDEX_BUILDERS connections; returns duplicate rows removed."""
    todo: asyncio.Queue = asyncio.Queue()
    for record in pending:
        todo.put_nowait(record)
    removed = 0

    async def builder() -> None:
        nonlocal removed
        conn = await asyncpg.connect(dsn)
        await init_connection(conn)
        try:
            # no parallel workers: the builders already keep both cores busy, and workers
            # only added CPU (coordination and a final merge) without shortening the rebuild
            await conn.execute("SET maintenance_work_mem = '512MB'; SET max_parallel_maintenance_workers = 0")
            while not todo.empty():
                index = todo.get_nowait()
                if index["constraint_name"]:
                    removed += await _rebuild_unique(conn, index)
                else:
                    await _rebuild_one(conn, index)
        finally:
            await conn.close()

    await asyncio.gather(*(builder() for _ in range(min(INDEX_BUILDERS, len(pending)))))
    return removed


async def _rebuild_one(conn: asyncpg.Connection, index: asyncpg.Record) -> None:
    started = time.monotonic()
    if not index["index_exists"]:
        await conn.execute(index["definition"])
    if index["constraint_name"] and not index["constraint_exists"]:
        statement = await conn.fetchval(sql_text("crawl/bulk_attach_constraint.sql"), index["constraint_type"],
                                        index["constraint_name"], index["name"])
        await conn.execute(statement)
    await conn.execute(sql_text("crawl/bulk_index_done.sql"), index["name"])
    log.debug("index %s rebuilt in %.1f s", index["name"], time.monotonic() - started)
