"""Sharing one result's downloads between any number of workers, through the database.

A job is one result, class, size, destination and resize. A generation is one pass over
its images: they are cut into batches of id ranges (`image_download_batches`) that
workers claim with FOR UPDATE SKIP LOCKED under a lease they renew while working, as the
crawl queue does. A worker that stops renewing (killed, frozen, cut off) loses its
batches when the lease runs out and another worker takes them over; batches of a dead
process of this same machine are taken over at once. A worker joins the open generation
if there is one, else starts the next; it leaves when its generation is all done, so
every image is fetched once however many workers share the job.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import asyncpg

from etl.crawl.queue import _owner_is_dead_here, new_worker_id
from etl.paths import sql_text

log = logging.getLogger("etl.images")
POLL_S = 1.0  # how often a worker with nothing to claim looks again while others work


@dataclass(frozen=True)
class Batch:
    batch_no: int
    first_id: int  # exclusive
    last_id: int  # inclusive
    images: int
    attempts: int  # above 1: taken over from another worker
    retry_failed: bool


@dataclass(frozen=True)
class JobState:
    generation: int
    retry_failed: bool
    pending: int
    running: int
    expired: int
    done: int

    @property
    def open(self) -> bool:
        return self.pending + self.running > 0


class DownloadQueue:
    """One worker's view of a job's batches."""

    def __init__(self, pool: asyncpg.Pool, job_id: int, result: str, cls: str, batch_images: int,
                 lease_s: float, retry_failed: bool) -> None:
        self.pool, self.job_id, self.result, self.cls = pool, job_id, result, cls
        self.batch_images, self.lease_s, self.retry_failed = batch_images, lease_s, retry_failed
        self.worker = new_worker_id()
        self._target: int | None = None  # the generation this worker waits to see finished

    async def state(self) -> JobState:
        row = await self.pool.fetchrow(sql_text("images/queue/job_state.sql"), self.job_id)
        return JobState(**{k: row[k] for k in ("generation", "retry_failed", "pending", "running", "expired", "done")})

    async def next_batch(self) -> Batch | None:
        """The next batch to work on, waiting while other workers hold the last ones; None
        when this worker's generation is finished."""
        if self._target is None:
            first = await self.state()
            joinable = first.open and (first.retry_failed or not self.retry_failed)
            self._target = first.generation if joinable else first.generation + 1
        while True:
            rows = await self.pool.fetch(sql_text("images/queue/claim.sql"), self.job_id, 1, self.worker, self.lease_s)
            if rows:
                r = rows[0]
                return Batch(r["batch_no"], r["first_id"], r["last_id"], r["images"], r["attempts"], r["retry_failed"])
            state = await self.state()
            if state.open:  # others hold the rest: wait for them, or for their leases to run out
                await self.take_over_dead_local_workers()
                await asyncio.sleep(POLL_S)
                continue
            if state.generation >= self._target and (state.retry_failed or not self.retry_failed):
                return None
            if state.generation >= self._target:  # finished without retrying failures: one more pass
                self._target = state.generation + 1
            await self._seed(self._target)

    async def _seed(self, generation: int) -> None:
        async with self.pool.acquire() as conn, conn.transaction():
            row = await conn.fetchrow(sql_text("images/queue/lock_job.sql"), self.job_id)
            if row["open"] or row["generation"] >= generation:
                return  # another worker seeded it first
            await conn.execute(sql_text("images/queue/clear.sql"), self.job_id)
            await conn.execute(sql_text("images/queue/seed.sql"), self.job_id, self.result, self.cls, self.batch_images)
            await conn.execute(sql_text("images/queue/new_generation.sql"), self.job_id, generation, self.retry_failed)
        log.debug("download job %s: generation %s seeded", self.job_id, generation)

    async def finish(self, batch: Batch, done: int, failed: int) -> bool:
        """Mark a batch done; False if this worker no longer held it (its lease ran out)."""
        status = await self.pool.execute(sql_text("images/queue/finish_batch.sql"), self.job_id, batch.batch_no,
                                         self.worker, done, failed)
        return status.endswith(" 1")

    async def renew(self) -> None:
        await self.pool.execute(sql_text("images/queue/renew.sql"), self.job_id, self.worker, self.lease_s)

    async def release_mine(self) -> None:
        await self.pool.execute(sql_text("images/queue/release.sql"), self.job_id, self.worker)

    async def take_over_dead_local_workers(self) -> None:
        owners = await self.pool.fetch(sql_text("images/queue/lease_owners.sql"), self.job_id)
        for r in owners:
            owner = r["lease_owner"]
            if owner and owner != self.worker and _owner_is_dead_here(owner):
                await self.pool.execute(sql_text("images/queue/release.sql"), self.job_id, owner)
                log.info("took over the batches of a download worker that is gone (%s)", owner)


async def open_job(pool: asyncpg.Pool, result: str, cls: str, size: str, destination: str, resize: int | None) -> int:
    """The id of the job, created on first use (by whichever worker comes first)."""
    for _ in range(3):  # a concurrent first insert is invisible to our statement's snapshot
        job_id = await pool.fetchval(sql_text("images/queue/open_job.sql"), result, cls, size, destination, resize or 0)
        if job_id is not None:
            return int(job_id)
        await asyncio.sleep(0.1)
    raise RuntimeError(f"could not open the download job of result {result!r}")


async def report_progress(pool: asyncpg.Pool, job_id: int, worker: str, shard: str | None, state: str,
                          counters: dict[str, int]) -> None:
    await pool.execute(sql_text("images/queue/worker_progress.sql"), job_id, worker, shard, state,
                       *(counters.get(k, 0) for k in ("batches", "claimed", "downloaded", "skipped", "failed", "bytes")))
