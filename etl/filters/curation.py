"""Curation of a result after its per-sequence spacing: thinning across sequences per
class, then caps per (cell, class) of an equal-area grid (docs/filters.md, "Curation").

Every run recomputes the whole curated set from the result's stored candidates (the
images spacing kept, filter_candidates): a rerun after new images arrive therefore equals
a full recompute, whatever changed. Each step is one set-based statement; the thinning
rounds decide, each at once, every candidate that comes first among its undecided
neighbours (the same set as the sequential rule), and end when none is left undecided.
The dataset (filter_points) is replaced in one transaction.
"""

from __future__ import annotations

import json
import logging
import time

import asyncpg

from etl.filters.curation_params import CurationParams
from etl.filters.results import ResultHandle
from etl.filters.steps import sql_for
from etl.paths import sql_text

log = logging.getLogger("etl.filters")
CURATION_WORK_MEM = "256MB"
CURATION_FIGURES = ("candidates", "pairs", "rounds", "thinned_out", "capped_out", "spacing_kept_urban",
                    "spacing_kept_other")


def priority_order(priority: str) -> str:
    """The ORDER BY of a --priority (a line of curation_priority.sql; a fixed choice)."""
    for line in sql_text("filters/curation_priority.sql").splitlines():
        key, sep, order = line.partition(": ")
        if sep and key == priority and not line.startswith("--"):
            return order
    raise ValueError(f"unknown priority {priority!r}")


async def _thin_table(conn: asyncpg.Connection, handle: ResultHandle, curation: CurationParams) -> int:
    sql = sql_for("curate_thin_table.sql", handle, order=priority_order(curation.priority))
    args = [handle.name] + ([curation.with_defaults().seed] if curation.priority == "random" else [])
    await conn.execute(sql, *args)
    await conn.execute(f"ANALYZE {handle.thin_table}")
    return await conn.fetchval(f"SELECT count(*) FROM {handle.thin_table}")


async def _thin(conn: asyncpg.Connection, handle: ResultHandle, curation: CurationParams) -> dict:
    """Fill the dropped table; returns the pairs, rounds and dropped count."""
    await conn.execute(f"CREATE UNLOGGED TABLE {handle.dropped_table} (id bigint)")
    if not curation.thins:
        return {"pairs": 0, "rounds": 0, "thinned_out": 0}
    await conn.execute(sql_for("curate_pairs.sql", handle), float(curation.min_distance_urban),
                       float(curation.min_distance_other))
    pairs = await conn.fetchval(f"SELECT count(*) FROM {handle.pairs_table}")
    await conn.execute(f"CREATE UNLOGGED TABLE {handle.undecided_table} AS "
                       f"SELECT a AS id FROM {handle.pairs_table} UNION SELECT b FROM {handle.pairs_table}")
    rounds, dropped = 0, 0
    round_sql = sql_for("curate_round.sql", handle)
    while True:
        row = await conn.fetchrow(round_sql)
        if row["kept"] == 0 and row["dropped"] == 0:
            break
        rounds += 1
        dropped += row["dropped"]
    left = await conn.fetchval(f"SELECT count(*) FROM {handle.undecided_table}")
    if left:  # cannot happen: the first candidate among the undecided is always kept
        raise RuntimeError(f"thinning left {left} candidates undecided")
    return {"pairs": pairs, "rounds": rounds, "thinned_out": dropped}


async def _write(conn: asyncpg.Connection, handle: ResultHandle, curation: CurationParams) -> int:
    """Make the dataset the rows of curate_rows.sql; returns their count."""
    rows = sql_for("curate_rows.sql", handle)
    args = (handle.name, curation.effective_cell_size, curation.max_per_cell)
    if handle.fresh and not handle.was_finished:
        # a new result's partition: no index yet, no dataset before: written whole
        await conn.execute(f"DELETE FROM {handle.dataset_table}")
        status = await conn.execute(sql_for("curate_write.sql", handle, rows=rows), *args)
        return int(status.split()[-1])
    # the new rows in a scratch table: the dataset becomes them, and curate_changes.sql
    # compares their ids with the last run's
    await conn.execute(sql_for("curate_kept.sql", handle, rows=rows), *args)
    if handle.distributed:
        # Citus runs no statement that joins the sharded dataset with a local table
        await conn.execute(f"DELETE FROM {handle.dataset_table}")
        await conn.execute(sql_for("curate_insert_kept.sql", handle))
    else:  # the partition is indexed: only the rows that change are written
        await conn.execute(sql_for("curate_update.sql", handle))
    return await conn.fetchval(f"SELECT count(*) FROM {handle.kept_table}")


async def dataset_counts(conn: asyncpg.Connection, handle: ResultHandle) -> dict:
    """The curated dataset's kept counts (result_finish.sql's own count what spacing kept)."""
    by_class = {r["class"]: r["n"] for r in await conn.fetch(
        f"SELECT class, count(*) AS n FROM {handle.dataset_table} GROUP BY class")}
    urban, other = by_class.get("urban", 0), by_class.get("other", 0)
    return {"kept": urban + other, "kept_urban": urban, "kept_other": other}


async def previous_figures(conn: asyncpg.Connection, handle: ResultHandle) -> dict:
    """The last finished run's curation figures, for a run that had nothing to recompute."""
    stored = await conn.fetchval("SELECT counts FROM filter_results WHERE name = $1", handle.name)
    stored = json.loads(stored) if isinstance(stored, str) else dict(stored or {})
    return {k: stored[k] for k in CURATION_FIGURES if k in stored} | await dataset_counts(conn, handle)


async def curate(conn: asyncpg.Connection, handle: ResultHandle, curation: CurationParams) -> dict:
    """Recompute result `handle`'s dataset from its candidates; returns its figures."""
    started = time.monotonic()
    await conn.execute(f"DROP TABLE IF EXISTS {', '.join(handle.curation_tables)}")
    async with conn.transaction():
        await conn.execute(f"SET LOCAL work_mem = '{CURATION_WORK_MEM}'")
        # hash joins: the scratch tables' row estimates made the planner sort the neighbour
        # probes of curate_pairs.sql for a merge join, several times slower
        await conn.execute("SET LOCAL enable_mergejoin = off")
        candidates = await _thin_table(conn, handle, curation)
        figures = await _thin(conn, handle, curation)
        if handle.was_finished:  # the dataset is the last finished run's: count what changes
            await conn.execute(f"CREATE TEMP TABLE curation_previous ON COMMIT DROP AS "
                               f"SELECT image_id AS id FROM {handle.dataset_table}")
        written = await _write(conn, handle, curation)
        if handle.was_finished:
            figures.update(dict(await conn.fetchrow(sql_for("curate_changes.sql", handle))))
        await conn.execute(sql_for("curate_lines.sql", handle), handle.name)
        by_class = await conn.fetchrow(f"SELECT count(*) FILTER (WHERE urban) AS urban, "
                                       f"count(*) FILTER (WHERE NOT urban) AS other FROM {handle.thin_table}")
    await conn.execute(f"DROP TABLE IF EXISTS {', '.join(handle.curation_tables)}")
    figures.update({"candidates": candidates, "capped_out": candidates - figures["thinned_out"] - written,
                    "spacing_kept_urban": by_class["urban"], "spacing_kept_other": by_class["other"],
                    "curation_seconds": round(time.monotonic() - started, 2), **await dataset_counts(conn, handle)})
    log.info("curation: %s candidates, %s pairs, %s rounds, %s thinned out, %s capped out, %s kept",
             candidates, figures["pairs"], figures["rounds"], figures["thinned_out"], figures["capped_out"], written)
    return figures
