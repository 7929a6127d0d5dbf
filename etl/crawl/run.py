"""`run_crawl`: the library entry point behind `mlyetl crawl`.

Finds or creates the crawl for (area, settings), optionally resets its failed
tasks, runs the engine under a recorded run, and returns a summary.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

from etl.crawl import area as areas
from etl.crawl import bulk
from etl.crawl import queue as Q
from etl.crawl.engine import Engine
from etl.crawl.handlers import TaskHandlers
from etl.crawl.model import Child
from etl.crawl.settings import CrawlSettings, epoch_ms
from etl.crawl.writer import UpdatePass, WriteTotals, Writer
from etl.db.connect import connection, create_pool
from etl.db.migrate import ensure_schema
from etl.db.target import DatabaseTarget
from etl.mapillary import discovery as D
from etl.mapillary.client import ClientSettings, MapillaryClient
from etl.progress import make_progress
from etl.errors import RunFailure
from etl.runs import recorded_run
from etl.summary import Summary

log = logging.getLogger(__name__)
GC_THRESHOLD = 50_000  # allocations between young-generation collections (Python's default: 700)


@dataclass
class CrawlSummary(Summary):
    crawl_id: int
    resumed: bool
    seconds: float
    images: int  # image rows written by this run (new, changed or restored)
    new_images: int
    new_sequences: int
    skipped_records: int
    requests: dict[str, int]
    retries: int
    errors: dict[str, int]
    tasks_finished: int
    db_seconds: float = 0.0  # time in COPY + upsert transactions
    bulk_load: bool = False  # images were bulk-loaded (etl/crawl/bulk.py)
    index_seconds: float = 0.0  # rebuilding images' indexes at the end of a bulk load (in `seconds`)
    task_states: dict[str, int] = field(default_factory=dict)
    timeline: list[list[int]] = field(default_factory=list)  # [minute, calls, answers, failures] (the report's)
    answers: dict[str, int] = field(default_factory=dict)  # quirks of the API's answers met (TaskHandlers.counters)
    rejected_fields: list[str] = field(default_factory=list)  # image fields the API rejected, left out of the run
    # per class: calls, calls_per_min (run average), allowance_per_min in force at the end, found, rate_limited
    rate_usage: dict[str, dict] = field(default_factory=dict)
    # the request window: ceiling, peak, final, and why it was cut (rate_limited, timeout, latency)
    concurrency: dict = field(default_factory=dict)
    failed_examples: list[str] = field(default_factory=list)
    pass_number: int = 0  # 0: the area's first crawl; 1, 2, ...: update passes (crawl --update)
    area_crawl_id: int = 0  # the area's first crawl (the same as crawl_id for pass 0)
    changed_images: int = 0  # by this run: stored images whose attributes changed
    unchanged_images: int = 0  # answered as stored, not written
    deleted_images: int = 0  # marked deleted: the API certainly no longer has them
    restored_images: int = 0  # deleted images answered again

    @property
    def failed(self) -> int:
        return self.task_states.get("failed", 0)

    def failure(self) -> RunFailure | None:
        if not self.failed:
            return None
        return RunFailure(f"{self.failed:,} task(s) failed (e.g. {'; '.join(self.failed_examples)})",
                          hint="rerun the same command with --retry-failed")

    def counters(self) -> dict:
        return {k: v for k, v in self.__dict__.items() if k != "failed_examples"}

    def lines(self) -> list[str]:
        total = sum(self.requests.values())
        answered = self.images + self.unchanged_images  # images the answers held (written or not)
        per_k = f"{1000 * total / answered:.2f}" if answered else "-"
        rate = self.images / self.seconds if self.seconds > 0 else 0.0
        states = ", ".join(f"{k} {v:,}" for k, v in sorted(self.task_states.items()))
        title = f"crawl {self.crawl_id}" if not self.pass_number else \
            f"crawl {self.crawl_id} (update pass {self.pass_number} of crawl {self.area_crawl_id})"
        return [
            f"{title} ({'resumed' if self.resumed else 'new'}) in {self.seconds:.1f} s",
            f"images written: {self.images:,} ({self.new_images:,} new, {self.changed_images:,} changed, "
            f"{self.restored_images:,} restored; {rate:,.0f}/s); unchanged (not written): {self.unchanged_images:,}; "
            f"deleted: {self.deleted_images:,}",
            f"new sequences: {self.new_sequences:,}; records without required fields: {self.skipped_records:,}",
            f"requests: {total:,} ({per_k} per 1,000 images): "
            + (", ".join(f"{k} {v:,}" for k, v in sorted(self.requests.items())) or "none"),
            f"retries: {self.retries:,}; errors: "
            + (", ".join(f"{k} {v:,}" for k, v in sorted(self.errors.items())) or "none"),
            f"database writes: {self.db_seconds:.1f} s in COPY{'' if self.bulk_load else ' + upsert'} (all writers)"
            + (f", then {self.index_seconds:.1f} s rebuilding indexes (bulk load)" if self.bulk_load else "")
            + f"; tasks finished by this run: {self.tasks_finished:,}; all tasks of the crawl: {states or 'none'}",
        ] + self._rate_lines() + self._answer_lines()

    def _rate_lines(self) -> list[str]:
        if not self.rate_usage:
            return []
        parts = []
        for name, c in sorted(self.rate_usage.items()):
            allowance = c.get("allowance_per_min")
            found = " found by its 429s" if c.get("found") else ""
            parts.append(f"{name} {c['calls_per_min']:,}/min" + (f" of {allowance:,}/min{found}" if allowance else ""))
        calls = sum(c["calls"] for c in self.rate_usage.values())
        drawn = sum(c["rate_limited"] for c in self.rate_usage.values())
        w = self.concurrency
        cuts = ", ".join(f"{k} {v:,}" for k, v in sorted(w.get("cuts", {}).items())) or "none"
        return [f"calls per minute (run average): {', '.join(parts)}; 429s drawn: {drawn:,} "
                f"({100 * drawn / calls if calls else 0:.1f}% of calls); concurrency: peak {w.get('peak')}, "
                f"at the end {w.get('final')} of {w.get('ceiling')} (cuts: {cuts})"]

    def _answer_lines(self) -> list[str]:
        a, parts = self.answers, []
        if self.rejected_fields:
            parts.append(f"image fields the API rejected (left out, columns empty): {', '.join(self.rejected_fields)}")
        if a.get("tile_features_without_id"):
            parts.append(f"tile features without a usable image id: {a['tile_features_without_id']:,} "
                         f"(found through {a.get('tile_sequences_followed', 0):,} sequence(s))")
        for key, what in (("tile_values_unreadable", "unreadable tile values dropped"),
                          ("image_ids_unreadable", "unreadable sequence members"),
                          ("tile_images_unknown_organization", "images skipped, organisation unreadable"),
                          ("unexpected_answers", "answers of an unexpected shape (their tasks retried)")):
            if a.get(key):
                parts.append(f"{what}: {a[key]:,}")
        return ["; ".join(parts)] if parts else []


async def _seed(settings: CrawlSettings, wkb_box: tuple[float, float, float, float]):  # noqa: ANN202
    async def seed(conn, crawl_id: int) -> None:  # noqa: ANN001
        if settings.method == "search":
            await Q.seed_boxes(conn, crawl_id, settings.box_size)
            return
        z = D.start_zoom(wkb_box)
        tiles = D.tiles_covering(wkb_box, z)
        await Q.add_children(conn, crawl_id, [Child("tile", D.tile_key(*t), 0, D.tile_bounds(*t)) for t in tiles])

    return seed


@dataclass(frozen=True)
class Opened:
    crawl_id: int  # the pass worked on
    area_crawl_id: int  # the area's first crawl
    pass_number: int
    resumed: bool


async def _open(target: DatabaseTarget | str, spec: areas.AreaSpec, settings: CrawlSettings, update: bool,
                retry_failed: bool) -> Opened:
    import shapely

    async with connection(target) as conn:
        wkb = await areas.area_wkb(conn, spec)
        bounds = tuple(shapely.from_wkb(wkb).bounds)
        key = settings.crawl_key(areas.digest(wkb))
        identity = {"area": spec.describe(), **settings.identity()}
        base_id, created = await Q.open_crawl(conn, key, settings.method, wkb, identity, await _seed(settings, bounds))
        if created:
            if update:
                log.info("crawl %d: this area was never crawled: --update crawls it a first time", base_id)
            return Opened(base_id, base_id, 0, False)
        crawl_id, number, created = await Q.open_pass(conn, base_id, update, retry_failed)
    return Opened(crawl_id, base_id, number, not created)


def _stored_lookups(queue: Q.TaskQueue):  # noqa: ANN202 - etl.crawl.tile_task's Stored and Outside
    """What an update pass's tiles are compared with: the stored images, and the area."""
    async def stored(task_id: int) -> list[tuple[int, str, float, float]]:
        rows = await queue.stored_in_task(task_id)
        return [(r["id"], r["sequence_id"], r["lon"], r["lat"]) for r in rows]

    async def outside(ids: list[int], lons: list[float], lats: list[float], margin: float) -> set[int]:
        return {r["id"] for r in await queue.outside_area(ids, lons, lats, margin)}

    return stored, outside


def _update_pass(settings: CrawlSettings) -> UpdatePass:
    def moment(text: str | None) -> datetime | None:
        return None if text is None else datetime.fromtimestamp(epoch_ms(text) / 1000, tz=timezone.utc)

    return UpdatePass(moment(settings.since), moment(settings.until), settings.organization_id)


async def run_crawl(target: DatabaseTarget | str, spec: areas.AreaSpec, settings: CrawlSettings,
                    client_settings: ClientSettings, retry_failed: bool = False, quiet: bool = False,
                    update: bool = False) -> CrawlSummary:
    await ensure_schema(target)
    opened = await _open(target, spec, settings, update, retry_failed)
    crawl_id, resumed = opened.crawl_id, opened.resumed
    dsn = target if isinstance(target, str) else target.connection_dsn()
    pool = await create_pool(dsn, min_size=0, max_size=3)  # no floor: nothing to restore after a restart
    try:
        queue = Q.TaskQueue(pool, crawl_id, settings.lease_s, settings.db_budget_s, update=opened.pass_number > 0)
        if retry_failed:
            log.info("crawl %d: %d failed task(s) set to run again", crawl_id, await queue.retry_failed())
        recorded = {"area": spec.describe(), "crawl_id": crawl_id, "area_crawl_id": opened.area_crawl_id,
                    "pass": opened.pass_number, **settings.recorded(),
                    "graph_url": client_settings.graph_url, "tiles_url": client_settings.tiles_url}
        async with pool.acquire() as conn:
            bulk_load = await bulk.prepare(conn, crawl_id, settings.bulk_load)
        async with recorded_run(pool, "crawl", recorded) as run:
            summary = await _execute(dsn, queue, settings, client_settings, quiet, resumed, bulk_load)
            summary.pass_number, summary.area_crawl_id = opened.pass_number, opened.area_crawl_id
            if bulk_load:
                _add_bulk_finish(summary, await bulk.finish(dsn, crawl_id))
            run.counters.update(summary.counters())
            summary.failed_examples = [f"{r['kind']} {r['key']}: {r['last_error']}" for r in await queue.finish_crawl()]
        return summary
    finally:
        await pool.close()


def _add_bulk_finish(summary: CrawlSummary, done: bulk.BulkFinish) -> None:
    summary.bulk_load = True
    summary.index_seconds = done.seconds
    summary.seconds += done.seconds
    summary.images -= done.duplicates_removed
    summary.new_images -= done.duplicates_removed
    summary.new_sequences = done.new_sequences


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Rarer cyclic garbage collections while the crawl runs.

    Every answer allocates thousands of row tuples (none in a reference cycle); at the
    default threshold (700) the collector ran every few hundred rows and its full passes
    walked every row waiting in the write queues. Objects alive now (modules, the
    settings) are frozen out of the walk; memory stays bounded by the write queues.
    """
    old = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, *old[1:])
    try:
        yield
    finally:
        gc.set_threshold(*old)
        gc.unfreeze()


async def _execute(dsn: str, queue: Q.TaskQueue, settings: CrawlSettings, client_settings: ClientSettings,
                   quiet: bool, resumed: bool, bulk_load: bool) -> CrawlSummary:
    with _fewer_collections():
        return await _execute_engine(dsn, queue, settings, client_settings, quiet, resumed, bulk_load)


async def _execute_engine(dsn: str, queue: Q.TaskQueue, settings: CrawlSettings, client_settings: ClientSettings,
                          quiet: bool, resumed: bool, bulk_load: bool) -> CrawlSummary:
    update = _update_pass(settings) if queue.update else None
    writers = [Writer(dsn, queue.crawl_id, queue.worker, settings.max_attempts, settings.batch_rows,
                      settings.db_budget_s, bulk_load, update) for _ in range(settings.writers)]
    try:
        async with MapillaryClient(client_settings) as client:
            with make_progress(f"crawl {queue.crawl_id}", "images", quiet=quiet) as progress:
                lookups = _stored_lookups(queue) if queue.update and settings.method == "tiles" else (None, None)
                handlers = TaskHandlers(client, settings, *lookups)
                engine = Engine(queue, writers, client, handlers, settings.concurrency, progress)
                result = await engine.run()
    finally:
        for writer in writers:
            await writer.close()
    stats, totals = client.stats, WriteTotals.sum([w.totals for w in writers])
    return CrawlSummary(
        crawl_id=queue.crawl_id, resumed=resumed, seconds=result.seconds, images=totals.images,
        new_images=totals.new_images, new_sequences=totals.new_sequences, skipped_records=totals.skipped,
        requests=dict(stats.requests), retries=sum(stats.retries.values()), errors=dict(stats.errors),
        tasks_finished=result.tasks_finished, task_states=result.counts, db_seconds=totals.seconds,
        timeline=[[minute, *counts] for minute, counts in sorted(stats.timeline.items())],
        answers=dict(handlers.counters), rejected_fields=list(handlers.fields.dropped),
        changed_images=totals.changed, unchanged_images=totals.unchanged, deleted_images=totals.deleted,
        restored_images=totals.restored,
        rate_usage=_rate_usage(client, result.seconds),
        concurrency={"ceiling": settings.concurrency, "peak": client.window.peak, "final": client.window.limit,
                     "cuts": dict(client.window.cuts)},
    )


def _rate_usage(client: MapillaryClient, seconds: float) -> dict[str, dict]:
    usage = client.limits.usage()
    for c in usage.values():  # the run's average, not the last minute's
        c["calls_per_min"] = round(60 * c["calls"] / seconds) if seconds > 0 else 0
    return usage
