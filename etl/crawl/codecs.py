"""Binary COPY codecs for the crawl writers' connections.

Rows carry positions as EWKB bytes and capture times as microseconds since
2000-01-01 UTC (etl/mapillary/parsing.py): exactly the binary wire forms of
geometry (PostGIS reads EWKB in binary COPY) and timestamptz (an int64). So the
writers' connections encode them with asyncpg's built-in C codecs for bytea and
int8, with no Python call per value (~1 us per row less than Python encoders),
and a COPY straight into `images` needs no SQL step to build geometries or
timestamps. Only the writers' own connections get them (they never read
geometries or timestamps back).
"""

from __future__ import annotations

import asyncpg


async def register_row_codecs(conn: asyncpg.Connection) -> None:
    """geometry <- EWKB bytes, timestamptz <- microseconds since 2000, both in binary format."""
    schema = await conn.fetchval("SELECT typnamespace::regnamespace::text FROM pg_type WHERE typname = 'geometry'")
    await conn.set_builtin_type_codec("geometry", schema=schema, codec_name="bytea")
    await conn.set_builtin_type_codec("timestamptz", schema="pg_catalog", codec_name="int8")
