"""Listing and dropping named filter results (`mlyetl results`).

A result owns its row in filter_results and its own tables, named after its numeric id:
its partitions filter_points_r<id>, filter_sequence_lines_r<id> and filter_sequences_r<id>
(the lines and signatures also cascade from the row) and the filter's work tables.
Dropping removes all of it in one transaction, so a result name can be used again.
"""

from __future__ import annotations

import asyncpg

from etl.errors import UserInputError
from etl.paths import sql_text

RESULT_TABLE_PREFIXES = ("filter_points_r", "filter_sequence_lines_r", "filter_sequences_r",
                         "filter_work_r", "filter_walk_r", "filter_stage_r", "filter_changes_r",
                         "filter_candidates_r", "filter_thin_r", "filter_pairs_r", "filter_undecided_r",
                         "filter_dropped_r", "filter_kept_r")  # curation (0006)


async def drop_result(conn: asyncpg.Connection, name: str) -> int:
    """Drop result `name` and its tables; returns the id it had."""
    result_id = await conn.fetchval(sql_text("results/get.sql"), name)
    if result_id is None:
        raise UserInputError(f"no filter result named {name!r}", hint="see `mlyetl results list`")
    tables = [f"{prefix}{int(result_id):d}" for prefix in RESULT_TABLE_PREFIXES]
    async with conn.transaction():
        await conn.execute(f"DROP TABLE IF EXISTS {', '.join(tables)}")  # names built from an integer id only
        await conn.execute(sql_text("results/delete_styles.sql"), tables)
        await conn.execute(sql_text("results/delete_downloads.sql"), result_id)
        await conn.execute(sql_text("results/delete.sql"), name)
    return int(result_id)


async def list_results(conn: asyncpg.Connection) -> list[asyncpg.Record]:
    return await conn.fetch(sql_text("status/results.sql"))
