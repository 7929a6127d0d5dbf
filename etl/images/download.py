"""The download run: pages of images -> fresh URLs per batch -> N concurrent downloads.

A producer takes pages of work (claimed batches of a shared job, or pages of a shard
file), skips images that are already finished, asks the API for fresh URLs (one batch
call per `url_batch` ids, a few batches ahead at once) and puts (image, URL) pairs on a
short queue, so a URL waits only for a few downloads before it is used. `concurrency` workers stream each image to a
temporary file, check it, add EXIF, write the resized copy and hand both to the sink
(a rename, or a PUT). An expired URL (403) is refreshed; transient failures are retried
with backoff; the rest is recorded as failed. A page is finished (its batch marked done)
once each of its images has an outcome and the outcomes are in the database.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path

import aiohttp

from etl.images import cdn
from etl.images.finish import BadImage, finish_bytes, resize_existing
from etl.images.layout import Layout
from etl.images.settings import Tuning
from etl.images.sink import LocalSink, S3Sink, StorageError
from etl.images.store import Item, Recorder
from etl.images.urls import fresh_urls
from etl.mapillary import errors as E
from etl.mapillary.client import MapillaryClient
from etl.progress import Progress

log = logging.getLogger("etl.images")
MAX_URL_REFRESHES = 3
CDN_CLASS = "cdn"  # the rate-limit class of downloads (no limit unless --rate-limit cdn=N/s)

__all__ = ["Counts", "Page", "Run", "Tuning", "run_downloads"]

@dataclass
class Counts:
    downloaded: int = 0
    skipped: int = 0  # already there
    failed: int = 0
    bytes: int = 0
    url_refreshes: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    started: float = field(default_factory=time.monotonic)
    cpu_started: float = field(default_factory=time.process_time)  # this process, every thread

    @property
    def cpu_s(self) -> float:
        return time.process_time() - self.cpu_started

    def fail(self, reason: str) -> None:
        self.failed += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1


@dataclass
class Page:
    """Images to work on. `verify`: look in the sink for a finished image even without a
    done record (a batch taken over from a worker that may have stored some)."""

    items: list[Item]
    verify: bool = True
    on_finished: Callable[[int, int], Awaitable[None]] | None = None  # (done, failed) once all have an outcome
    remaining: int = 0
    done: int = 0
    failed: int = 0
    sealed: bool = False


@dataclass
class Run:
    """What the workers share."""

    layout: Layout
    work: Path  # this process's temp folder
    sink: LocalSink | S3Sink
    client: MapillaryClient
    session: aiohttp.ClientSession
    recorder: Recorder
    tuning: Tuning
    progress: Progress
    counts: Counts = field(default_factory=Counts)


async def run_downloads(run: Run, pages: AsyncIterator[Page]) -> Counts:
    queue: asyncio.Queue[tuple[Item, str, Page] | None] = asyncio.Queue(maxsize=run.tuning.concurrency * 2)
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


async def _produce(run: Run, pages: AsyncIterator[Page], queue: asyncio.Queue) -> None:
    # a batch no larger than what the workers take in a round or two: URLs are used fresh
    size = max(1, min(run.tuning.url_batch, 2 * run.tuning.concurrency))
    async for page in pages:
        page.remaining = len(page.items)
        todo = []
        for item in page.items:
            if await _already_there(run, item, page.verify):
                await _settle(run, page, ok=True)
            else:
                todo.append(item)
        # the next URL batches are asked for while these are used, up to `ahead` (about the
        # download queue's worth, at least 2): a one-second API does not hold the downloads to
        # one batch per answer time, URLs still wait only briefly, and the client's window and
        # found rates (etl/mapillary/window.py, limits.py) slow the asking on 429s
        batches = [todo[start:start + size] for start in range(0, len(todo), size)]
        ahead = max(2, -(-2 * run.tuning.concurrency // size))
        fetches: list[asyncio.Task] = []
        try:
            for i, batch in enumerate(batches):
                while len(fetches) <= min(i + ahead, len(batches) - 1):
                    fetches.append(asyncio.create_task(_urls_or_fail(run, batches[len(fetches)], page)))
                urls = await fetches[i]
                for item in batch:
                    if item.image_id in urls:
                        await queue.put((item, urls[item.image_id], page))
        finally:
            for fetch in fetches:
                fetch.cancel()
        page.sealed = True
        await _settle(run, page, ok=None)
    for _ in range(run.tuning.concurrency):
        await queue.put(None)


async def _settle(run: Run, page: Page, ok: bool | None) -> None:
    """One image of `page` has an outcome (ok None: only check whether the page is complete)."""
    if ok is not None:
        page.remaining -= 1
        if ok:
            page.done += 1
        else:
            page.failed += 1
    if page.sealed and page.remaining == 0 and page.on_finished is not None:
        callback, page.on_finished = page.on_finished, None
        await run.recorder.flush()  # outcomes stored before the batch counts as done
        await callback(page.done, page.failed)


async def _already_there(run: Run, item: Item, verify: bool) -> bool:
    layout, sink = run.layout, run.sink
    key = layout.image_key(item.cls, item.image_id)
    location = sink.location(key)
    recorded = item.state == "done" and item.path == location
    try:
        if isinstance(sink, LocalSink):
            stored = await sink.stored_size(key)  # a stat: cheap enough to trust only the disk
        elif recorded:
            stored = -1  # an object is recorded only after its PUT succeeded
        else:
            stored = await sink.stored_size(key) if verify else None
        if stored is None:
            return False
        resized_key = layout.resized_key(item.cls, item.image_id)
        if resized_key is not None and await sink.stored_size(resized_key) is None:
            await _resize_stored(run, item, key, resized_key)
    except StorageError as error:
        log.debug("could not check image %s in the store (%s): downloading it", item.image_id, error)
        return False
    if not recorded:
        await run.recorder.done(item.image_id, location, max(stored, 0))
    run.counts.skipped += 1
    run.progress.advance("skipped")
    return True


async def _resize_stored(run: Run, item: Item, key: str, resized_key: str) -> None:
    """A resized copy of an image stored earlier without --resize (no download from the CDN)."""
    source = run.work / f"{item.image_id}.stored.jpg"
    target = run.work / f"{item.image_id}.resized.jpg"
    try:
        await run.sink.fetch_to(key, source)
        await asyncio.to_thread(resize_existing, source, target, run.layout.resize, run.tuning.draft)
        await run.sink.commit(target, resized_key)
    finally:
        source.unlink(missing_ok=True)
        target.unlink(missing_ok=True)


async def _urls_or_fail(run: Run, batch: list[Item], page: Page) -> dict[int, str]:
    try:
        answer = await fresh_urls(run.client, [i.image_id for i in batch], run.layout.size)
    except E.TransientError as error:  # retries exhausted: record, carry on with the next batch
        for item in batch:
            await _failed(run, item, page, f"could not get a fresh URL: {error}")
        return {}
    for item in batch:
        if item.image_id in answer.missing:
            await _failed(run, item, page, answer.missing[item.image_id])
    return answer.urls


async def _work(run: Run, queue: asyncio.Queue) -> None:
    while (job := await queue.get()) is not None:
        item, url, page = job
        await _download_one(run, item, url, page)


async def _download_one(run: Run, item: Item, url: str, page: Page) -> None:
    attempt, refreshes = 0, 0
    raw = run.work / f"{item.image_id}.raw"
    while True:
        try:
            await _fetch_and_finish(run, item, url, raw)
            await _settle(run, page, ok=True)
            return
        except cdn.Expired as error:
            refreshes += 1
            run.counts.url_refreshes += 1
            fresh = await _refresh(run, item) if refreshes <= MAX_URL_REFRESHES else None
            if fresh is None:
                await _failed(run, item, page, str(error))
                return
            url = fresh
        except (cdn.Transient, BadImage, StorageError) as error:
            attempt += 1
            if run.tuning.retry.gives_up(attempt):
                await _failed(run, item, page, str(error))
                return
            await asyncio.sleep(run.tuning.retry.delay(attempt, getattr(error, "retry_after", None)))
        except cdn.DownloadError as error:  # Gone and other final answers
            await _failed(run, item, page, str(error))
            return
        finally:
            raw.unlink(missing_ok=True)


async def _fetch_and_finish(run: Run, item: Item, url: str, raw: Path) -> None:
    await run.client.limits.acquire(CDN_CLASS)  # the API client's limiter: one for every request
    layout = run.layout
    args = (run.work, layout.resize, item.facts, layout.size, item.width, item.height, run.tuning.draft)
    if layout.size == "original":  # may be large: streamed to a file, not held in memory
        size = await cdn.fetch_to(run.session, url, raw)
        final_tmp, resized_tmp = await asyncio.to_thread(lambda: finish_bytes(raw.read_bytes(), *args))
    else:
        body = await cdn.fetch_bytes(run.session, url)
        size = len(body)
        if layout.resize is None:  # byte splicing only: cheaper here than a hand-over to a thread
            final_tmp, resized_tmp = finish_bytes(body, *args)
        else:
            final_tmp, resized_tmp = await asyncio.to_thread(finish_bytes, body, *args)
    key = layout.image_key(item.cls, item.image_id)
    try:
        if resized_tmp is not None:  # the resized copy first: a stored main file means a finished image
            await run.sink.commit(resized_tmp, layout.resized_key(item.cls, item.image_id))
        written = await run.sink.commit(final_tmp, key)
    finally:
        final_tmp.unlink(missing_ok=True)
        if resized_tmp is not None:
            resized_tmp.unlink(missing_ok=True)
    await run.recorder.done(item.image_id, run.sink.location(key), written)
    run.counts.downloaded += 1
    run.counts.bytes += size
    _show(run, size)


async def _refresh(run: Run, item: Item) -> str | None:
    try:
        answer = await fresh_urls(run.client, [item.image_id], run.layout.size)
    except E.TransientError:
        return None
    return answer.urls.get(item.image_id)


async def _failed(run: Run, item: Item, page: Page, reason: str) -> None:
    run.counts.fail(reason)
    run.progress.advance("failed")
    await run.recorder.failed(item.image_id, reason)
    await _settle(run, page, ok=False)


def _show(run: Run, size: int) -> None:
    progress = run.progress
    elapsed = max(time.monotonic() - run.counts.started, 1e-9)
    # the progress interface shows the main field's rate; MB/s rides along as a field
    progress.counts["MB/s"] = round(run.counts.bytes / 1e6 / elapsed, 1)
    progress.advance("MB", 0)
    progress.counts["MB"] = round(run.counts.bytes / 1e6, 1)
    progress.advance("images")
