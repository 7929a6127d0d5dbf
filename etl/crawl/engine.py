"""Orchestration: a feeder claims tasks, fetchers run them, one writer stores them.

    queue (PostGIS) --claim--> task queue --> N fetchers --> bounded write queues --> writers
                                  ^                                                   |
                                  +---------------- in-flight count <-- commit -------+

Several writers (one connection each) let PostgreSQL use more than one core for
the index-heavy upserts. At most twice the client's current window of requests (etl/mapillary/window.py,
at most --concurrency) is claimed at a time and the write queue is bounded, so memory
stays flat whatever the size of the area. The crawl ends
when no task of it is pending or running (other crawlers' included: their
tasks may still add children, or be left to us when their lease runs out).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from dataclasses import dataclass, field

from etl.crawl.handlers import TaskHandlers
from etl.crawl.model import WriteItem
from etl.crawl.queue import TaskQueue
from etl.crawl.writer import STOP, Writer
from etl.errors import EtlError
from etl.mapillary.client import MapillaryClient, usage_text
from etl.progress import Progress

log = logging.getLogger(__name__)
IDLE_POLL_S = 0.5
STATUS_EVERY_S = 1.0  # how often the progress line's calls per minute and concurrency are refreshed
WRITE_QUEUE_ITEMS = 32  # each item holds at most one answer (<= 2000 rows)


@dataclass
class EngineResult:
    seconds: float = 0.0
    tasks_finished: int = 0
    counts: dict[str, int] = field(default_factory=dict)


class Engine:
    def __init__(self, queue: TaskQueue, writers: list[Writer], client: MapillaryClient, handlers: TaskHandlers,
                 concurrency: int, progress: Progress) -> None:
        self.queue, self.writers, self.client, self.handlers = queue, writers, client, handlers
        self.concurrency, self.progress = concurrency, progress
        self.in_flight = 0
        self.finished = 0
        self._changed = asyncio.Event()
        self._sent_requests = 0
        self._sent_errors = 0

    async def run(self) -> EngineResult:
        started = time.monotonic()
        await self.queue.take_over_dead_local_workers()
        tasks_q: asyncio.Queue = asyncio.Queue()
        write_qs = [asyncio.Queue(maxsize=WRITE_QUEUE_ITEMS) for _ in self.writers]
        try:
            async with asyncio.TaskGroup() as group:
                writers = [group.create_task(w.run(q, self._on_flushed)) for w, q in zip(self.writers, write_qs)]
                beat = group.create_task(self._heartbeat())
                status = group.create_task(self._status())
                fetchers = [group.create_task(self._fetch(tasks_q, write_qs)) for _ in range(self.concurrency)]
                await self._feed(tasks_q)
                await asyncio.gather(*fetchers)
                for q in write_qs:
                    await q.put(STOP)
                await asyncio.gather(*writers)
                beat.cancel()
                status.cancel()
        except BaseExceptionGroup as group_error:
            raise _first_error(group_error) from None
        finally:
            with contextlib.suppress(Exception):  # best effort: lets another crawler go on at once
                await asyncio.wait_for(self.queue.release_mine(), 5)
        return EngineResult(time.monotonic() - started, self.finished, await self.queue.counts())

    async def _feed(self, tasks_q: asyncio.Queue) -> None:
        while True:
            self._changed.clear()
            # twice the window: a task waits for its answer, then for its writer
            target = min(2 * self.client.window.limit, 2 * self.concurrency)
            claimed = []
            if self.in_flight < target:
                claimed = await self.queue.claim(target - self.in_flight)
                for task in claimed:
                    self.in_flight += 1
                    tasks_q.put_nowait(task)
            if not claimed and self.in_flight == 0 and await self._nothing_left():
                break
            if not claimed:
                with contextlib.suppress(asyncio.TimeoutError):
                    await asyncio.wait_for(self._changed.wait(), IDLE_POLL_S)
        for _ in range(self.concurrency):
            tasks_q.put_nowait(None)

    async def _nothing_left(self) -> bool:
        counts = await self.queue.counts()
        if counts.get("pending", 0) == 0 and counts.get("running", 0) == 0:
            # an update pass then checks what its boxes and tiles did not see (once: idempotent)
            return not (self.queue.update and await self.queue.plan_checks(self.handlers.settings.ids_per_request))
        await self.queue.take_over_dead_local_workers()  # others' tasks: wait, or take over the dead
        return False

    async def _fetch(self, tasks_q: asyncio.Queue, write_qs: list[asyncio.Queue]) -> None:
        # All items of one task go to the same writer, in order: a task's end state
        # must never commit before its rows (a tile's rows come in several items).
        while (task := await tasks_q.get()) is not None:
            await self.handlers.handle(task, write_qs[task.id % len(write_qs)].put)

    async def _status(self) -> None:
        while True:
            await asyncio.sleep(STATUS_EVERY_S)
            self.progress.set_status(usage_text(self.client.usage(), self.concurrency))
            self.progress.advance("requests", 0)  # a log line is due when the interval has passed

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.queue.lease_s / 3)
            await self.queue.renew()

    def _on_flushed(self, images: int, finished_ids: list[int]) -> None:
        finished = len(finished_ids)
        self.queue.forget(finished_ids)
        self.in_flight -= finished
        self.finished += finished
        self._changed.set()
        p, stats = self.progress, self.client.stats
        requests, errors = stats.total_requests(), sum(stats.errors.values())
        p.advance("requests", requests - self._sent_requests)
        p.advance("errors", errors - self._sent_errors)
        self._sent_requests, self._sent_errors = requests, errors
        p.advance("tasks", finished)
        p.advance("images", images)


def _first_error(group: BaseExceptionGroup) -> BaseException:
    """The error to report: ours (EtlError) first, then any other."""
    flat: list[BaseException] = []

    def walk(g: BaseExceptionGroup) -> None:
        for e in g.exceptions:
            walk(e) if isinstance(e, BaseExceptionGroup) else flat.append(e)

    walk(group)
    for e in flat:
        if isinstance(e, EtlError):
            return e
    for e in flat:
        if not isinstance(e, asyncio.CancelledError):
            return e
    return flat[0]
