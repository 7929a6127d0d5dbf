"""The COPY writer: the one place crawled rows enter the database.

Fetchers hand it `WriteItem`s through a bounded asyncio.Queue (the osm2pgsql
COPY-manager idea). It gathers up to `batch_rows` rows, then in ONE transaction:
binary COPY into a temp staging table, one upsert into images and sequences,
new child tasks, and the end state of every task whose rows are all in. So a
task is 'done' exactly when its images are stored: a crash loses both or
neither, and a rerun redoes only unfinished tasks.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

import asyncpg

from etl.crawl.dbretry import with_db_retry
from etl.crawl.model import Finish, WriteItem
from etl.crawl.queue import add_children
from etl.mapillary.parsing import STAGING_COLUMNS
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
                 batch_rows: int = 10_000, db_budget_s: float = 120.0) -> None:
        self.dsn, self.crawl_id, self.worker = dsn, crawl_id, worker
        self.max_attempts, self.batch_rows, self.db_budget_s = max_attempts, batch_rows, db_budget_s
        self.totals = WriteTotals()
        self.conn: asyncpg.Connection | None = None

    async def connect(self) -> None:
        if self.conn is not None and not self.conn.is_closed():
            await self.conn.close()
        self.conn = await asyncpg.connect(self.dsn, timeout=10)
        # Safe: a task's end state commits with its rows, so a lost commit loses both.
        await self.conn.execute("SET synchronous_commit = off")
        await self.conn.execute(sql_text("crawl/staging.sql"))

    async def close(self) -> None:
        if self.conn is not None:
            await self.conn.close()

    async def run(self, queue: asyncio.Queue, on_flushed: Callable[[int, int], None]) -> None:
        """Drain `queue` until STOP; `on_flushed(images, tasks finished)` after each commit."""
        await with_db_retry("opening the writer", self.connect, self.db_budget_s, self.connect)
        stop = False
        while not stop:
            item = await queue.get()
            if item is STOP:
                break
            rows, finishes, skipped = list(item.rows), [item.finish] if item.finish else [], item.skipped
            while len(rows) < self.batch_rows and not queue.empty():
                more: WriteItem | None = queue.get_nowait()
                if more is STOP:
                    stop = True
                    break
                rows.extend(more.rows)
                skipped += more.skipped
                if more.finish:
                    finishes.append(more.finish)
            images = await self.flush(rows, finishes)
            self.totals.skipped += skipped
            on_flushed(images, len(finishes))

    async def flush(self, rows: list[tuple], finishes: list[Finish]) -> int:
        async def call() -> int:
            return await self._write(rows, finishes)

        started = time.monotonic()
        try:
            return await with_db_retry("writing images", call, self.db_budget_s, self.connect)
        finally:
            self.totals.seconds += time.monotonic() - started

    async def _write(self, rows: list[tuple], finishes: list[Finish]) -> int:
        conn = self.conn
        assert conn is not None
        result = None
        async with conn.transaction():
            if rows:
                await conn.copy_records_to_table("crawl_staging", records=rows, columns=STAGING_COLUMNS)
                result = await conn.fetchrow(sql_text("crawl/upsert_images.sql"), self.crawl_id)
            await add_children(conn, self.crawl_id, [c for f in finishes for c in f.children])
            changed = await self._finish(conn, finishes)
        t = self.totals
        t.rows += len(rows)
        t.batches += 1
        t.lost_leases += len(finishes) - changed
        if result is not None:
            t.images += result["images"]
            t.new_images += result["new_images"]
            t.new_sequences += result["new_sequences"]
            return int(result["images"])
        return 0

    async def _finish(self, conn: asyncpg.Connection, finishes: list[Finish]) -> int:
        if not finishes:
            return 0
        done = await conn.fetch(
            sql_text("crawl/finish_tasks.sql"), self.worker, [f.task_id for f in finishes],
            [f.state for f in finishes], [f.count for f in finishes],
            [f.error[:500] if f.error else None for f in finishes], self.max_attempts,
        )
        if len(done) < len(finishes):
            log.warning("%d task(s) had been taken over by another crawler", len(finishes) - len(done))
        return len(done)
