"""The download run: pages of images -> fresh URLs per batch -> N concurrent downloads.

A producer reads pages of work from the database, skips images whose final file is
already there, asks the API for fresh URLs (one batch call per `url_batch` ids) and
puts (image, URL) pairs on a short queue, so a URL waits only for a few downloads
before it is used. `concurrency` workers stream each image to a temporary file, check
it, add EXIF, write the resized copy and rename into place. An expired URL (403) is
refreshed; transient failures are retried with backoff; the rest is recorded as failed.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from etl.images import cdn
from etl.images.finish import BadImage, finish, resize_existing
from etl.images.layout import Layout
from etl.images.store import Item, Recorder
from etl.images.urls import fresh_urls
from etl.mapillary import errors as E
from etl.mapillary.client import MapillaryClient
from etl.progress import Progress

log = logging.getLogger("etl.images")
MAX_URL_REFRESHES = 3


@dataclass(frozen=True)
class Tuning:
    concurrency: int = 16  # downloads in flight
    url_batch: int = 100  # ids per /?ids= call
    max_retries: int = 5  # per image, transient failures
    backoff_s: float = 1.0  # first pause, doubled per retry, with jitter
    timeout_s: float = 120.0  # one download, body included


@dataclass
class Counts:
    downloaded: int = 0
    skipped: int = 0  # already on disk
    failed: int = 0
    bytes: int = 0
    url_refreshes: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)

    def fail(self, reason: str) -> None:
        self.failed += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


@dataclass
class Run:
    """What the workers share."""

    layout: Layout
    work: Path  # this process's temp folder
    client: MapillaryClient
    session: aiohttp.ClientSession
    recorder: Recorder
    tuning: Tuning
    progress: Progress
    counts: Counts = field(default_factory=Counts)


async def run_downloads(run: Run, pages) -> Counts:  # noqa: ANN001 - an async iterator of pages
    queue: asyncio.Queue[tuple[Item, str] | None] = asyncio.Queue(maxsize=run.tuning.concurrency * 2)
    try:
        async with asyncio.TaskGroup() as group:
            group.create_task(_produce(run, pages, queue))
            for _ in range(run.tuning.concurrency):
                group.create_task(_work(run, queue))
    except BaseExceptionGroup as errors:  # surface the first real cause (e.g. a rejected token)
        raise errors.exceptions[0] from None
    finally:
        await run.recorder.flush()
    return run.counts


async def _produce(run: Run, pages, queue: asyncio.Queue) -> None:  # noqa: ANN001
    # a batch no larger than what the workers take in a round or two: URLs are used fresh
    size = max(1, min(run.tuning.url_batch, 2 * run.tuning.concurrency))
    async for page in pages:
        todo = [item for item in page if not await _already_there(run, item)]
        for start in range(0, len(todo), size):
            batch = todo[start:start + size]
            urls = await _urls_or_fail(run, batch)
            for item in batch:
                if item.image_id in urls:
                    await queue.put((item, urls[item.image_id]))
    for _ in range(run.tuning.concurrency):
        await queue.put(None)


async def _already_there(run: Run, item: Item) -> bool:
    final = run.layout.image_path(item.cls, item.image_id)
    if not final.exists():
        return False
    resized = run.layout.resized_path(item.cls, item.image_id)
    if resized is not None and not resized.exists():
        await asyncio.to_thread(resize_existing, final, run.work, resized, run.layout.resize)
    if item.state != "done" or item.path != str(final):
        await run.recorder.done(item.image_id, final, final.stat().st_size)
    run.counts.skipped += 1
    run.progress.advance("skipped")
    return True


async def _urls_or_fail(run: Run, batch: list[Item]) -> dict[int, str]:
    try:
        answer = await fresh_urls(run.client, [i.image_id for i in batch], run.layout.size)
    except E.TransientError as error:  # retries exhausted: record, carry on with the next batch
        for item in batch:
            await _failed(run, item, f"could not get a fresh URL: {error}")
        return {}
    for item in batch:
        if item.image_id in answer.missing:
            await _failed(run, item, answer.missing[item.image_id])
    return answer.urls


async def _work(run: Run, queue: asyncio.Queue) -> None:
    while (job := await queue.get()) is not None:
        item, url = job
        await _download_one(run, item, url)


async def _download_one(run: Run, item: Item, url: str) -> None:
    attempt, refreshes = 0, 0
    raw = run.work / f"{item.image_id}.raw"
    while True:
        try:
            await _fetch_and_finish(run, item, url, raw)
            return
        except cdn.Expired as error:
            refreshes += 1
            run.counts.url_refreshes += 1
            fresh = await _refresh(run, item) if refreshes <= MAX_URL_REFRESHES else None
            if fresh is None:
                await _failed(run, item, str(error))
                return
            url = fresh
        except (cdn.Transient, BadImage) as error:
            attempt += 1
            if attempt > run.tuning.max_retries:
                await _failed(run, item, str(error))
                return
            await asyncio.sleep(_backoff(run.tuning.backoff_s, attempt, getattr(error, "retry_after", None)))
        except cdn.DownloadError as error:  # Gone and other final answers
            await _failed(run, item, str(error))
            return
        finally:
            raw.unlink(missing_ok=True)


async def _fetch_and_finish(run: Run, item: Item, url: str, raw: Path) -> None:
    size = await cdn.fetch_to(run.session, url, raw)
    layout = run.layout
    final = layout.image_path(item.cls, item.image_id)
    written = await asyncio.to_thread(
        finish, raw, run.work, final, layout.resized_path(item.cls, item.image_id), layout.resize,
        item.facts, layout.size, item.width, item.height)
    await run.recorder.done(item.image_id, final, written)
    run.counts.downloaded += 1
    run.counts.bytes += size
    _show(run, size)


async def _refresh(run: Run, item: Item) -> str | None:
    try:
        answer = await fresh_urls(run.client, [item.image_id], run.layout.size)
    except E.TransientError:
        return None
    return answer.urls.get(item.image_id)


async def _failed(run: Run, item: Item, reason: str) -> None:
    run.counts.fail(reason)
    run.progress.advance("failed")
    await run.recorder.failed(item.image_id, reason)


def _backoff(base: float, attempt: int, retry_after: float | None) -> float:
    ceiling = min(60.0, base * 2 ** (attempt - 1))
    delay = random.uniform(ceiling / 2, ceiling)
    return max(delay, min(retry_after, 600.0)) if retry_after else delay


def _show(run: Run, size: int) -> None:
    progress = run.progress
    elapsed = max(time.monotonic() - run.counts.started, 1e-9)
    # the progress interface shows the main field's rate; MB/s rides along as a field
    progress.counts["MB/s"] = round(run.counts.bytes / 1e6 / elapsed, 1)
    progress.advance("MB", 0)
    progress.counts["MB"] = round(run.counts.bytes / 1e6, 1)
    progress.advance("images")
