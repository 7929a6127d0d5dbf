"""Binary COPY codecs for the crawl writers' connections.

Rows carry positions as EWKB bytes and capture times as epoch milliseconds
(etl/mapillary/parsing.py): the cheapest forms to build in Python. These codecs
pass them to PostgreSQL as they are, so a COPY straight into `images` needs no
SQL step to build geometries or timestamps. Only the writers' own connections
get them (they never read timestamps back).
"""

from __future__ import annotations

import asyncpg

_PG_EPOCH_MS = 946_684_800_000  # 2000-01-01, PostgreSQL's timestamp origin, in Unix ms


def _ms_to_pg(ms: int) -> tuple[int]:
    return ((ms - _PG_EPOCH_MS) * 1000,)  # microseconds since 2000-01-01 UTC


def _pg_to_ms(value: tuple[int]) -> int:
    return value[0] // 1000 + _PG_EPOCH_MS


async def register_row_codecs(conn: asyncpg.Connection) -> None:
    """geometry <- EWKB bytes, timestamptz <- epoch ms, in binary format."""
    schema = await conn.fetchval("SELECT typnamespace::regnamespace::text FROM pg_type WHERE typname = 'geometry'")
    await conn.set_type_codec("geometry", schema=schema, encoder=bytes, decoder=bytes, format="binary")
    await conn.set_type_codec("timestamptz", schema="pg_catalog", encoder=_ms_to_pg, decoder=_pg_to_ms, format="tuple")
