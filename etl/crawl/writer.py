"""The COPY writer: the one place crawled rows enter the database.

Fetchers hand it `WriteItem`s through a bounded asyncio.Queue (the osm2pgsql
COPY-manager idea). It gathers up to `batch_rows` rows, then in ONE transaction
stores them, adds new child tasks, and sets the end state of every task whose
rows are all in. So a task is 'done' exactly when its images are stored: a
crash loses both or neither, and a rerun redoes only unfinished tasks.

Storing takes one of two paths:
- upsert (images already holds rows): binary COPY into temp staging tables,
  then one upsert into images and sequences that writes only the images whose
  attributes changed (an unchanged image gets no new row version);
- bulk (a bulk load, etl/crawl/bulk.py: images had no rows and no indexes now):
  binary COPY straight into images; only border rows go through staging.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import asyncpg

from etl.db.codecs import init_connection

from etl.crawl.codecs import register_row_codecs
from etl.crawl.dbretry import with_db_retry
from etl.crawl.model import Finish, WriteItem
from etl.crawl.queue import add_children
from etl.mapillary.parsing import IMAGE_COLUMNS
from etl.paths import sql_text

log = logging.getLogger(__name__)
STOP = None  # put on the queue to end the writer


@dataclass
class WriteTotals:
    rows: int = 0  # rows staged (before the area test and de-duplication)
    images: int = 0  # image rows written (new, changed or restored)
    new_images: int = 0
    changed: int = 0  # stored images whose attributes changed
    unchanged: int = 0  # images answered as stored: not written
    deleted: int = 0  # images marked deleted (the API certainly no longer has them)
    restored: int = 0  # deleted images answered again
    new_sequences: int = 0
    skipped: int = 0  # records without a required field
    batches: int = 0
    lost_leases: int = 0  # tasks another worker had taken over when we finished them
    seconds: float = 0.0  # time spent in COPY + upsert transactions

    @staticmethod
    def sum(parts: list[WriteTotals]) -> WriteTotals:
        out = WriteTotals()
        for p in parts:
            for name in out.__dataclass_fields__:
                setattr(out, name, getattr(out, name) + getattr(p, name))
        return out


@dataclass(frozen=True)
class UpdatePass:
    """An update pass records what its boxes and tiles did not list, within the crawl's filters."""

    since: datetime | None = None
    until: datetime | None = None
    organization_id: int | None = None


class Writer:
    def __init__(self, dsn: str, crawl_id: int, worker: str, max_attempts: int,
                 batch_rows: int = 10_000, db_budget_s: float = 120.0, bulk: bool = False,
                 update: UpdatePass | None = None) -> None:
        self.dsn, self.crawl_id, self.worker, self.bulk, self.update = dsn, crawl_id, worker, bulk, update
        self.max_attempts, self.batch_rows, self.db_budget_s = max_attempts, batch_rows, db_budget_s
        self.totals = WriteTotals()
        self.conn: asyncpg.Connection | None = None

    async def connect(self) -> None:
        if self.conn is not None and not self.conn.is_closed():
            await self.conn.close()
        self.conn = await asyncpg.connect(self.dsn, timeout=10)
        # Safe: a task's end state commits with its rows, so a lost commit loses both.
        await self.conn.execute("SET synchronous_commit = off")
        await register_row_codecs(self.conn)
        await init_connection(self.conn)
        await self.conn.execute(sql_text("crawl/staging.sql"))

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()

    async def run(self, queue: asyncio.Queue, on_flushed: Callable[[int, list[int]], None]) -> None:
        """Drain `queue` until STOP; `on_flushed(images, ids of the tasks finished)` after each commit."""
        await with_db_retry("opening the writer", self.connect, self.db_budget_s, self.connect)
        stop = False
        while not stop:
            item = await queue.get()
            if item is STOP:
                break
            rows: tuple[list[tuple], list[tuple]] = ([], [])  # (inside the area, on its border)
            rows[item.check_area].extend(item.rows)
            finishes, skipped = [item.finish] if item.finish else [], item.skipped
            deleted = list(item.deleted)
            while len(rows[0]) + len(rows[1]) < self.batch_rows and not queue.empty():
                more: WriteItem | None = queue.get_nowait()
                if more is STOP:
                    stop = True
                    break
                rows[more.check_area].extend(more.rows)
                skipped += more.skipped
                deleted.extend(more.deleted)
                if more.finish:
                    finishes.append(more.finish)
            images = await self.flush(rows, finishes, deleted)
            self.totals.skipped += skipped
            on_flushed(images, [f.task_id for f in finishes])

    async def flush(self, rows: tuple[list[tuple], list[tuple]], finishes: list[Finish],
                    deleted: list[int] | None = None) -> int:
        tries = 0

        async def call() -> int:
            nonlocal tries
            tries += 1
            return await self._write(rows, finishes, deleted or [], retried=tries > 1)

        started = time.monotonic()
        try:
            return await with_db_retry("writing images", call, self.db_budget_s, self.connect)
        finally:
            self.totals.seconds += time.monotonic() - started

    async def _write(self, rows: tuple[list[tuple], list[tuple]], finishes: list[Finish], deleted: list[int],
                     retried: bool = False) -> int:
        conn = self.conn
        assert conn is not None
        async with conn.transaction():
            stored = await (self._store_bulk if self.bulk else self._store_upsert)(conn, *rows)
            if deleted:
                stored.deleted = int((await conn.execute(sql_text("crawl/delete_images.sql"), deleted)).split()[-1])
            if self.update is not None:
                await self._record_unseen(conn, finishes)
            await add_children(conn, self.crawl_id, [c for f in finishes for c in f.children])
            changed = await self._finish(conn, finishes, retried)
            if not self.bulk and (stored.images or stored.unchanged or stored.deleted):
                await conn.execute(sql_text("crawl/add_counts.sql"), self.crawl_id, stored.new_images, stored.changed,
                                   stored.unchanged, stored.deleted, stored.restored)
        t = self.totals
        t.rows += len(rows[0]) + len(rows[1])
        t.batches += 1
        if not retried:  # after a lost connection the first try may have finished them itself
            t.lost_leases += len(finishes) - changed
        for name in ("images", "new_images", "new_sequences", "changed", "unchanged", "deleted", "restored"):
            setattr(t, name, getattr(t, name) + getattr(stored, name))
        return stored.images

    async def _store_upsert(self, conn: asyncpg.Connection, inside: list[tuple], border: list[tuple]) -> WriteTotals:
        if not inside and not border:
            return WriteTotals()
        for table, records in (("crawl_staging", inside), ("crawl_staging_border", border)):
            if records:
                await conn.copy_records_to_table(table, records=records, columns=IMAGE_COLUMNS)
        r = await conn.fetchrow(sql_text("crawl/upsert_images.sql"), self.crawl_id)
        images, new, restored = int(r["images"]), int(r["new_images"]), int(r["restored_images"])
        return WriteTotals(images=images, new_images=new, new_sequences=int(r["new_sequences"]),
                           changed=images - new - restored, restored=restored, unchanged=int(r["seen"]) - images)

    async def _store_bulk(self, conn: asyncpg.Connection, inside: list[tuple], border: list[tuple]) -> WriteTotals:
        # images has no indexes during a bulk load; sequences are filled when it ends
        stored = len(inside)
        if inside:
            await conn.copy_records_to_table("images", records=inside, columns=IMAGE_COLUMNS)
        if border:
            await conn.copy_records_to_table("crawl_staging_border", records=border, columns=IMAGE_COLUMNS)
            status = await conn.execute(sql_text("crawl/bulk_insert_border.sql"), self.crawl_id)
            stored += int(status.split()[-1])
        return WriteTotals(images=stored, new_images=stored)

    async def _record_unseen(self, conn: asyncpg.Connection, finishes: list[Finish]) -> None:
        """Stored images that this transaction's finished boxes / tiles covered but did not list."""
        complete = [f for f in finishes if f.seen is not None and f.state in ("done", "empty")]
        if not complete or self.update is None:
            return
        pairs = [(f.task_id, image_id) for f in complete for image_id in f.seen or ()]
        if pairs:
            await conn.copy_records_to_table("crawl_seen", records=pairs, columns=("task_id", "image_id"))
        u = self.update
        await conn.execute(sql_text("crawl/record_unseen.sql"), self.crawl_id, [f.task_id for f in complete],
                           u.since, u.until, u.organization_id)

    async def _finish(self, conn: asyncpg.Connection, finishes: list[Finish], retried: bool = False) -> int:
        if not finishes:
            return 0
        done = await conn.fetch(
            sql_text("crawl/finish_tasks.sql"), self.worker, [f.task_id for f in finishes],
            [f.state for f in finishes], [f.count for f in finishes],
            [f.error[:500] if f.error else None for f in finishes], self.max_attempts,
        )
        if len(done) < len(finishes) and retried:
            log.info("%d task(s) were finished already: the try before the connection was lost had "
                     "committed (or another crawler took them over)", len(finishes) - len(done))
        elif len(done) < len(finishes):
            log.warning("%d task(s) had been taken over by another crawler", len(finishes) - len(done))
        return len(done)
