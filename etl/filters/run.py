"""One `mlyetl filter` run: find what changed, clip + classify + walk it in one parallel
statement (one summary row per sequence), write its points, lines and signatures in
parallel buckets, index and attach a new result's partitions, store the counts. A
result's first computation (nothing stored yet) runs each bucket on its own connection:
one pass over images finds, signs and walks the bucket's sequences, then writes them.

Incremental rule: a sequence is recomputed when any of its images was inserted, updated
or deleted (or marked deleted) since the result last stored it, or when the images of the
--exclude-result changed; everything is recomputed when a layer was reloaded. Each bucket
commits its points, lines and sequence signatures together, so a killed run, restarted
with the same command, redoes only the buckets that had not committed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import time
from dataclasses import dataclass, field

import asyncpg

from etl import boundaries
from etl.db.connect import create_pool
from etl.db.migrate import ensure_schema
from etl.db.target import DatabaseTarget
from etl.errors import UserInputError
from etl.filters import signatures, staged_walk, steps
from etl.filters.curation import curate, previous_figures
from etl.filters.params import FilterParams
from etl.filters.results import ResultHandle, attach_partitions, index_statements, open_result
from etl.filters.walk_impl import use_c_walk
from etl.paths import sql_text
from etl.runs import recorded_run

log = logging.getLogger("etl.filters")
LOCK_NAMESPACE = 0x6D6C6669  # 'mlfi': one filter run per result name at a time


@dataclass
class FilterReport:
    counts: dict
    timings: dict[str, float] = field(default_factory=dict)


def default_jobs() -> int:
    return max(1, min(8, os.cpu_count() or 1))


async def _layers(conn: asyncpg.Connection, params: FilterParams) -> dict:
    """Layer ids, grid sizes and load times: a reload changes them and recomputes all."""
    continent = await boundaries.ensure_continent(conn, params.continent)
    urban = await boundaries.ensure_urban_areas(conn, params.urban)
    rows = await conn.fetch("SELECT id, cell_size, loaded_at::text FROM boundary_layers WHERE id = ANY($1)",
                            [continent, urban])
    by_id = {r["id"]: {"id": r["id"], "cell_size": r["cell_size"], "loaded_at": r["loaded_at"]} for r in rows}
    return {"continent": by_id[continent], "urban": by_id[urban]}


async def _check_excluded(conn: asyncpg.Connection, params: FilterParams) -> None:
    if params.exclude_result is None:
        return
    state = await conn.fetchval("SELECT state FROM filter_results WHERE name = $1", params.exclude_result)
    if state != "finished":
        raise UserInputError(f"--exclude-result {params.exclude_result!r} is not a finished result",
                             hint="run 'mlyetl filter' for it first, or check the name in 'mlyetl status'")


class _Timer:
    def __init__(self, timings: dict[str, float]) -> None:
        self.timings = timings

    @contextlib.contextmanager
    def step(self, name: str):  # noqa: ANN201
        started = time.monotonic()
        yield
        self.timings[name] = round(time.monotonic() - started, 2)
        log.info("filter step %s: %.1f s", name, self.timings[name])


async def _write_all(pool: asyncpg.Pool, handle: ResultHandle, buckets: list[int], replace: bool) -> dict:
    async def one(bucket: int) -> steps.BucketWrite:
        async with pool.acquire() as conn:
            return await steps.write_bucket(conn, handle, bucket, replace)

    return _written(handle, await asyncio.gather(*(one(b) for b in buckets)))


def _written(handle: ResultHandle, writes: list[steps.BucketWrite]) -> dict:
    """The written points, and the change since the last finished run when it was counted."""
    figures = {"written_points": sum(w.points for w in writes)}
    if steps.compares(handle):
        figures.update(kept_added=sum(w.added for w in writes), kept_removed=sum(w.removed for w in writes))
    return figures


async def _first_computation(pool: asyncpg.Pool, conn: asyncpg.Connection, handle: ResultHandle,
                             params: FilterParams, layers: dict, buckets: int, stamps: bool,
                             timings: dict[str, float]) -> tuple[dict[int, int], dict]:
    """No row of the result is stored yet and the C walk is there: each bucket, on its own
    connection, walks its sequences and writes them at once (no wait for the other
    buckets). With attribute filters on a single server with change stamps, the images that
    pass are staged first (staged_walk.py: each image read once, `conn` holding the
    snapshot), else each bucket reads all images (walk_fresh_c.sql). Records the walk step
    (until the last bucket has walked) and the write step (from then until the last has
    written) in `timings`; returns the sequences per bucket and the counts."""
    staged = staged_walk.applies(handle, stamps, buckets)
    await steps.create_fresh_tables(conn, handle)
    if staged:
        await staged_walk.create_tables(conn, handle, buckets)
    started = time.monotonic()
    if staged:
        await staged_walk.stage(conn, pool, handle, layers, buckets, buckets)
        timings["stage"] = round(time.monotonic() - started, 2)
    walked: list[float] = []

    async def one(bucket: int) -> tuple[int, steps.BucketWrite]:
        async with pool.acquire() as conn:
            if staged:
                sequences = await staged_walk.walk_bucket(conn, handle, params, buckets, bucket)
            else:
                sequences = await steps.walk_fresh_bucket(conn, handle, params, layers, buckets, bucket, stamps)
            walked.append(time.monotonic())
            return sequences, await steps.write_bucket(conn, handle, bucket, replace=False)

    done = await asyncio.gather(*(one(b) for b in range(buckets)))
    timings["clip_classify_walk"] = round(max(walked) - started, 2)
    timings["write"] = round(time.monotonic() - max(walked), 2)
    counts = await steps.walk_counts(conn, handle)
    counts.update(_written(handle, [written for _, written in done]))
    counts["staged_walk"] = staged
    return {b: sequences for b, (sequences, _) in enumerate(done) if sequences}, counts


async def _build_indexes(pool: asyncpg.Pool, handle: ResultHandle, tables: set[str] | None = None) -> None:
    """The missing indexes of the result's partitions (of `tables` only, when given), as
    many side by side as the pool allows, the points' first."""
    async with pool.acquire() as conn:
        statements = [(table, sql) for table, sql in await index_statements(conn, handle)
                      if tables is None or table in tables]

    async def one(sql: str) -> None:
        async with pool.acquire() as conn:
            await conn.execute(sql)

    await asyncio.gather(*(one(sql) for table, sql in statements if table == handle.points_table))
    await asyncio.gather(*(one(sql) for table, sql in statements if table != handle.points_table))


async def _index_and_attach(pool: asyncpg.Pool, handle: ResultHandle) -> None:
    async with pool.acquire() as conn:
        statements = await index_statements(conn, handle)

    async def one(sql: str) -> None:
        async with pool.acquire() as conn:
            await conn.execute(sql)

    # the points' indexes first (as many side by side as the pool allows), then the
    # dataset's statistics (for the export that often follows) while the other tables'
    # indexes build; the lines and signatures are left to autovacuum (their geometry
    # statistics are slow to gather and no query of the run needs them)
    await asyncio.gather(*(one(sql) for table, sql in statements if table == handle.points_table))
    await asyncio.gather(one(f"ANALYZE {handle.dataset_table}"),
                         *(one(sql) for table, sql in statements if table != handle.points_table))
    async with pool.acquire() as conn:
        for table in handle.partitions.values():
            await conn.execute(sql_text("filters/partition_primary_key.sql").format(table=table))
        await attach_partitions(conn, handle)


async def _curate_and_index(pool: asyncpg.Pool, conn: asyncpg.Connection, handle: ResultHandle,
                            params: FilterParams, timer: _Timer) -> dict:
    """Curation, and meanwhile (on the pool's other connections) the indexes of the
    partitions it does not write: the candidates' (which it only reads) and the
    signatures'. Curation is one connection's work; the indexes take the other core."""
    indexes = asyncio.create_task(_build_indexes(pool, handle, {handle.points_table, handle.signatures_table}))
    try:
        with timer.step("curate"):
            figures = await curate(conn, handle, params.curation)
    finally:
        await indexes  # (an index build error is raised here, after curation's own)
    return figures


async def _compute(pool: asyncpg.Pool, conn: asyncpg.Connection, handle: ResultHandle, params: FilterParams,
                   layers: dict, jobs: int, timer: _Timer) -> dict:
    buckets = max(2, jobs)
    c_walk = await use_c_walk(conn)
    stamps = await signatures.uses_stamps(conn, handle, params)
    figures: dict = {"spacing_walk": "c" if c_walk else "plpgsql", "change_detection": "stamps" if stamps else "rows"}
    stored = await steps.has_signatures(conn, handle)  # else no row of the result is stored yet
    if c_walk and not stored:
        # nothing stored yet: every sequence is new, find, walk and write them in one pass;
        # one bucket per connection (each bucket reads all images: with --jobs 1, one bucket)
        dirty, counts = await _first_computation(pool, conn, handle, params, layers, jobs, stamps, timer.timings)
        figures.update(counts)
    else:
        with timer.step("find_changed"):
            dirty = await steps.find_dirty(conn, handle, params, buckets=buckets, c_walk=c_walk, stamps=stamps)
        with timer.step("clip_classify_walk"):
            changed = sum(dirty.values())
            by_index = stored and not handle.distributed and await steps.few_changed(conn, handle, changed)
            figures["walk_by_index"] = by_index
            figures.update(await steps.walk(conn, handle, params, layers, c_walk, by_index) if dirty
                           else {"staged_images": 0, "kept_images": 0})
        with timer.step("write"):
            figures.update(await _write_all(pool, handle, sorted(dirty), replace=stored))
    figures["recomputed_sequences"] = sum(dirty.values())
    if handle.curated and handle.fresh:
        # a new result's curation, with the indexes of the tables it does not write
        figures.update(await _curate_and_index(pool, conn, handle, params, timer))
    elif handle.curated and (dirty or not handle.was_finished):
        # thinning and caps: recomputed in full from the stored candidates (a killed run's
        # curation is redone: the result was not finished)
        with timer.step("curate"):
            figures.update(await curate(conn, handle, params.curation))
    elif handle.curated:  # nothing changed since the last finished run: its dataset stands
        figures.update(await previous_figures(conn, handle), kept_added=0, kept_removed=0)
    if handle.fresh:
        with timer.step("index_attach"):
            # the scratch tables go while the indexes build (other tables, other connection)
            await asyncio.gather(_index_and_attach(pool, handle), steps.drop_scratch(conn, handle))
    else:
        await steps.drop_scratch(conn, handle)
    return figures


async def run_filter(target: DatabaseTarget | str, params: FilterParams, *, jobs: int | None = None,
                     replace: bool = False) -> FilterReport:
    """Build or bring up to date result `params.name`; returns its counts and step times."""
    params.validate()
    jobs = jobs or default_jobs()
    await ensure_schema(target)
    report = FilterReport({})
    timer = _Timer(report.timings)
    started = time.monotonic()
    pool = await create_pool(target, min_size=1, max_size=jobs + 1)
    try:
        async with pool.acquire() as conn:
            if not await conn.fetchval("SELECT pg_try_advisory_lock($1, hashtext($2))", LOCK_NAMESPACE, params.name):
                raise UserInputError(f"another 'mlyetl filter' is working on result {params.name!r}",
                                     hint="wait for it to finish (a killed run's lock goes with its connection)")
            with timer.step("layers"):
                layers = await _layers(conn, params)
            await _check_excluded(conn, params)
            async with recorded_run(conn, "filter", {"name": params.name, **params.stored(), "jobs": jobs}) as run:
                handle = await open_result(conn, params, layers, replace)
                await steps.drop_scratch(conn, handle)  # leftovers of a killed run
                figures = await _compute(pool, conn, handle, params, layers, jobs, timer)
                report.counts = await steps.finish(conn, handle, figures)
                run.counters.update(report.counts)
    finally:
        await pool.close()
    report.timings["total"] = round(time.monotonic() - started, 2)
    return report
