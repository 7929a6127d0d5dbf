"""Kept-image density of a result before and after curation, for the report's map
(sql/filters/curation_density.sql: per Web Mercator cell at zoom 2-14, the counts of the
images spacing kept and of the curated dataset, per class)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg

from etl.paths import sql_text

COLUMNS = ("bu", "bo", "au", "ao")  # before urban, before other, after urban, after other


async def curation_density(conn: asyncpg.Connection, result: str) -> AsyncIterator[asyncpg.Record]:
    """The rows of curation_density.sql for `result`, streamed from a cursor (one row per
    map cell and zoom level; feed them to etl.report.bins.read_bins with COLUMNS)."""
    async with conn.transaction():
        async for row in conn.cursor(sql_text("filters/curation_density.sql"), result, prefetch=5000):
            yield row
