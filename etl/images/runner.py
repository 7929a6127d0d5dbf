"""Setting up a download run (database, job queue, API client, CDN session, sink) and its summary."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp
import asyncpg

from etl.crawl.queue import new_worker_id
from etl.db.connect import create_pool
from etl.db.target import DatabaseTarget
from etl.errors import UserInputError
from etl.export.source import load_result
from etl.images import store
from etl.images.download import Counts, Page, Run, run_downloads
from etl.images.layout import Layout, clean_stale_partials, partial_dir, remove_own_partial
from etl.images.queue import DownloadQueue, open_job, report_progress
from etl.images.settings import DownloadRequest, Tuning
from etl.images.sink import open_sink
from etl.mapillary.client import ClientSettings, MapillaryClient, usage_text
from etl.progress import Progress
from etl.runs import recorded_run

log = logging.getLogger("etl.images")

__all__ = ["DownloadRequest", "Outcome", "download_images", "result_of_shard"]


@dataclass
class Outcome:
    counts: Counts
    summary: list  # rows of sql/images/summary.sql: what the database holds for the result and size
    unknown: list[int] = field(default_factory=list)  # shard ids that are not in the result


def result_of_shard(shard: Path) -> str:
    """The result a shard was exported from, read from the manifest beside it."""
    for manifest in sorted(shard.parent.glob("manifest-*.json")):
        try:
            data = json.loads(manifest.read_text())
        except (OSError, ValueError):
            continue
        if any(f.get("path") == shard.name for f in data.get("files", [])):
            return str(data["result"])
    raise UserInputError(f"no manifest beside {shard} names this shard",
                         hint="pass --result NAME, or keep the shard next to its manifest-*.json")


@dataclass
class _Worker:
    """This process in the job: its queue (None with --shard) and the counters status shows."""

    pool: asyncpg.Pool
    job_id: int
    queue: DownloadQueue | None
    shard: str | None
    counters: dict[str, int] = field(default_factory=lambda: dict.fromkeys(("batches", "claimed"), 0))
    name: str = field(default_factory=new_worker_id)

    def __post_init__(self) -> None:
        if self.queue is not None:
            self.name = self.queue.worker

    async def report(self, counts: Counts, state: str) -> None:
        values = self.counters | {"downloaded": counts.downloaded, "skipped": counts.skipped,
                                  "failed": counts.failed, "bytes": counts.bytes}
        await report_progress(self.pool, self.job_id, self.name, self.shard, state, values)


async def download_images(target: DatabaseTarget | str, request: DownloadRequest, client_settings: ClientSettings,
                          tuning: Tuning, progress: Progress) -> Outcome:
    result_name = request.result or result_of_shard(request.shard)  # type: ignore[arg-type]
    sink = open_sink(request.out)
    pool = await create_pool(target, min_size=1, max_size=4)
    try:
        async with pool.acquire() as conn:
            info = await load_result(conn, result_name)
        await sink.open()
        clean_stale_partials(sink.work_root)
        layout = Layout(info, request.size, request.resize)
        cls = "all" if request.shard is not None else request.cls
        job_id = await open_job(pool, result_name, cls, request.size, sink.destination, request.resize)
        queue = None if request.shard is not None else DownloadQueue(
            pool, job_id, result_name, cls, tuning.batch_images, tuning.lease_s, request.retry_failed)
        worker = _Worker(pool, job_id, queue, str(request.shard) if request.shard else None)
        outcome = Outcome(Counts(), [])
        settings = {k: str(v) if isinstance(v, Path) else v for k, v in vars(request).items()}
        async with recorded_run(pool, "images", settings | {"worker": worker.name, "job": job_id}) as record:
            outcome.counts = await _run(pool, worker, sink, layout, request, result_name, client_settings, tuning,
                                        progress, outcome.unknown)
            c = outcome.counts
            record.counters.update(downloaded=c.downloaded, skipped=c.skipped, failed=c.failed, bytes=c.bytes)
        outcome.summary = await store.summary(pool, result_name, request.size)
        return outcome
    finally:
        remove_own_partial(sink.work_root)
        await sink.close()
        await pool.close()


async def _run(pool: asyncpg.Pool, worker: _Worker, sink, layout: Layout, request: DownloadRequest,  # noqa: ANN001
               result: str, client_settings: ClientSettings, tuning: Tuning, progress: Progress,
               unknown: list[int]) -> Counts:
    pages = (_shard_pages(pool, worker, request, result, unknown) if worker.queue is None
             else _batch_pages(pool, worker, request, result))
    timeout = aiohttp.ClientTimeout(total=tuning.timeout_s, sock_connect=10)
    connector = aiohttp.TCPConnector(limit=tuning.concurrency)
    async with MapillaryClient(client_settings) as client, \
            aiohttp.ClientSession(timeout=timeout, connector=connector) as session:
        run = Run(layout, partial_dir(sink.work_root), sink, client, session,
                  store.Recorder(pool, request.size), tuning, progress)
        heartbeat = asyncio.create_task(_heartbeat(worker, run, tuning))
        state = "failed"
        try:
            counts = await run_downloads(run, pages)
            state = "finished"
            return counts
        finally:
            heartbeat.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await heartbeat
            with contextlib.suppress(Exception):  # a lost connection must not hide the real error
                if worker.queue is not None and state != "finished":
                    await worker.queue.release_mine()  # others need not wait for our lease
                await worker.report(run.counts, state)


async def _heartbeat(worker: _Worker, run: Run, tuning: Tuning) -> None:
    """Renews this worker's leases and publishes its progress, well within the lease."""
    every = max(0.5, min(tuning.lease_s / 3, 10.0))
    while True:
        try:
            if worker.queue is not None:
                await worker.queue.renew()
            await worker.report(run.counts, "running")
            # the URL refresh's calls per minute against the allowance, its window and 429s
            run.progress.set_status(usage_text(run.client.usage(), run.client.settings.concurrency))
        except (OSError, asyncpg.PostgresError) as error:
            log.warning("could not renew the download leases: %s", error)
        await asyncio.sleep(every)


async def _batch_pages(pool: asyncpg.Pool, worker: _Worker, request: DownloadRequest, result: str) -> AsyncIterator[Page]:
    queue = worker.queue
    assert queue is not None
    while (batch := await queue.next_batch()) is not None:
        worker.counters["batches"] += 1
        worker.counters["claimed"] += batch.images
        items = await store.range_items(pool, result, queue.cls, request.size, batch.first_id, batch.last_id,
                                        batch.retry_failed)

        async def finished(done: int, failed: int, batch=batch) -> None:  # noqa: ANN001
            if not await queue.finish(batch, done, failed):
                log.warning("batch %s was taken over by another worker before it finished here", batch.batch_no)

        # a batch taken over may hold images its first worker stored without recording them
        yield Page(items, verify=batch.attempts > 1, on_finished=finished)


async def _shard_pages(pool: asyncpg.Pool, worker: _Worker, request: DownloadRequest, result: str,
                       unknown: list[int]) -> AsyncIterator[Page]:
    async for items in store.shard_items(pool, request.shard, result, request.size, request.retry_failed, unknown):
        worker.counters["claimed"] += len(items)
        yield Page(items, verify=True)
