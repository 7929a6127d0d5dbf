"""The COPY writer: the one place crawled rows enter the database.

Fetchers hand it `WriteItem`s through a bounded asyncio.Queue (the osm2pgsql
COPY-manager idea). It gathers up to `batch_rows` rows, then in ONE transaction
stores them, adds new child tasks, and sets the end state of every task whose
rows are all in. So a task is 'done' exactly when its images are stored: a
crash loses both or neither, and a rerun redoes only unfinished tasks.

Storing takes one of two paths:
- upsert (images already holds rows): binary COPY into temp staging tables,
  then one upsert into images and sequences;
- bulk (a bulk load, etl/crawl/bulk.py: images had no rows and no indexes now):
  binary COPY straight into images; only border rows go through staging.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

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
    images: int = 0  # images upserted
    new_images: int = 0
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


class Writer:
    def __init__(self, dsn: str, crawl_id: int, worker: str, max_attempts: int,
                 batch_rows: int = 10_000, db_budget_s: float = 120.0, bulk: bool = False) -> None:
        self.dsn, self.crawl_id, self.worker, self.bulk = dsn, crawl_id, worker, bulk
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
            while len(rows[0]) + len(rows[1]) < self.batch_rows and not queue.empty():
                more: WriteItem | None = queue.get_nowait()
                if more is STOP:
                    stop = True
                    break
                rows[more.check_area].extend(more.rows)
                skipped += more.skipped
                if more.finish:
                    finishes.append(more.finish)
            images = await self.flush(rows, finishes)
            self.totals.skipped += skipped
            on_flushed(images, [f.task_id for f in finishes])

    async def flush(self, rows: tuple[list[tuple], list[tuple]], finishes: list[Finish]) -> int:
        tries = 0

        async def call() -> int:
            nonlocal tries
            tries += 1
            return await self._write(rows, finishes, retried=tries > 1)

        started = time.monotonic()
        try:
            return await with_db_retry("writing images", call, self.db_budget_s, self.connect)
        finally:
            self.totals.seconds += time.monotonic() - started

    async def _write(self, rows: tuple[list[tuple], list[tuple]], finishes: list[Finish], retried: bool = False) -> int:
        conn = self.conn
        assert conn is not None
        async with conn.transaction():
            stored = await (self._store_bulk if self.bulk else self._store_upsert)(conn, *rows)
            await add_children(conn, self.crawl_id, [c for f in finishes for c in f.children])
            changed = await self._finish(conn, finishes, retried)
        t = self.totals
        t.rows += len(rows[0]) + len(rows[1])
        t.batches += 1
        if not retried:  # after a lost connection the first try may have finished them itself
            t.lost_leases += len(finishes) - changed
        t.images += stored[0]
        t.new_images += stored[1]
        t.new_sequences += stored[2]
        return stored[0]

    async def _store_upsert(self, conn: asyncpg.Connection, inside: list[tuple], border: list[tuple]) -> tuple[int, int, int]:
        if not inside and not border:
            return 0, 0, 0
        for table, records in (("crawl_staging", inside), ("crawl_staging_border", border)):
            if records:
                await conn.copy_records_to_table(table, records=records, columns=IMAGE_COLUMNS)
        r = await conn.fetchrow(sql_text("crawl/upsert_images.sql"), self.crawl_id)
        return int(r["images"]), int(r["new_images"]), int(r["new_sequences"])

    async def _store_bulk(self, conn: asyncpg.Connection, inside: list[tuple], border: list[tuple]) -> tuple[int, int, int]:
        # images has no indexes during a bulk load; sequences are filled when it ends
        stored = len(inside)
        if inside:
            await conn.copy_records_to_table("images", records=inside, columns=IMAGE_COLUMNS)
        if border:
            await conn.copy_records_to_table("crawl_staging_border", records=border, columns=IMAGE_COLUMNS)
            status = await conn.execute(sql_text("crawl/bulk_insert_border.sql"), self.crawl_id)
            stored += int(status.split()[-1])
        return stored, stored, 0

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
