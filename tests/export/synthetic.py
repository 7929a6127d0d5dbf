"""A synthetic filter result straight in SQL (the contract with the filter stage):
images + filter_results + filter_points, with sequences of varying length, both
classes, awkward text (commas, quotes, newlines, NULLs) and full-precision coordinates."""

from __future__ import annotations

import asyncio
import json

import asyncpg

IMAGES_SQL = """
INSERT INTO images (id, sequence_id, captured_at, geom, geom_is_computed, compass_angle, computed_compass_angle,
                    altitude, computed_altitude, is_pano, width, height, make, model, creator_username)
SELECT $1::bigint * 1000000000000 + s * 10000 + k,
       $2 || lpad(s::text, 7, '0'),
       timestamptz '2021-05-01 00:00:00+00' + s * interval '1 hour' + k * interval '2.345 seconds',
       ST_SetSRID(ST_MakePoint(6.6 + s * 0.000123456789 + k * 0.0000101, 46.5 + s * 0.0000987654321 - k * 0.0000073), 4326),
       s % 5 <> 0,
       (s * 37 + k * 11) % 360 + 0.25,
       (s * 37 + k * 11 + 3) % 360 + 0.5,
       400 + k * 0.1,
       CASE WHEN s % 7 = 0 THEN NULL ELSE 401 + k * 0.1 END,
       s % 11 = 0,
       4000, 3000,
       CASE WHEN s % 50 = 0 THEN E'Odd, "Make"\\nLine' ELSE 'GoPro' END,
       CASE WHEN s % 13 = 0 THEN NULL ELSE 'HERO' || (s % 9) END,
       CASE WHEN s % 17 = 0 THEN NULL ELSE 'user_' || (s % 101) END
FROM generate_series(1, $3::int) AS s,
     LATERAL generate_series(1, 1 + abs(hashint4(s + $4::int)) % $5::int) AS k
"""

def points_sql(selection: str, urban: str) -> str:
    """INSERT of result $1's kept rows: the images i that the SQL condition `selection` picks,
    urban where `urban` holds, with the attributes the filter copies (sql/filters/insert_points.sql)."""
    return f"""
INSERT INTO filter_points (result_name, image_id, sequence_id, class, geom, captured_at, compass_angle, altitude,
                           is_pano, width, height, make, model, creator_username)
SELECT $1, i.id, i.sequence_id, CASE WHEN {urban} THEN 'urban' ELSE 'other' END, i.geom, i.captured_at,
       CASE WHEN i.geom_is_computed THEN coalesce(i.computed_compass_angle, i.compass_angle) ELSE i.compass_angle END,
       CASE WHEN i.geom_is_computed THEN coalesce(i.computed_altitude, i.altitude) ELSE i.altitude END,
       i.is_pano, i.width, i.height, i.make, i.model, i.creator_username
FROM images i WHERE {selection}
"""


# 2/3 of the batch's images kept, a third of the sequences urban
POINTS_SQL = points_sql("i.id / 1000000000000 = $2::bigint AND (i.id % 10000) % 3 <> 2", "(i.id / 10000) % 3 = 0")


async def make_result(dsn: str, name: str = "europe", sequences: int = 200, max_len: int = 40,
                      batch: int = 1, seed: int = 0, params: dict | None = None) -> int:
    """Insert a result; returns the number of kept rows."""
    params = params if params is not None else {"spacing_urban": 100, "spacing_other": 1000, "spacing_mode": "path"}
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(IMAGES_SQL, batch, f"s{batch}q", sequences, seed, max_len)
        await add_result(conn, name, params)
        await conn.execute(POINTS_SQL, name, batch)
        await add_lines(conn, name)
        await conn.execute("ANALYZE images; ANALYZE filter_points")
        return int(await conn.fetchval("SELECT count(*) FROM filter_points WHERE result_name = $1", name))
    finally:
        await conn.close()


LINES_SQL = """
INSERT INTO filter_sequence_lines (result_name, sequence_id, image_count, urban_count, other_count, kept_count,
                                   kept_urban_count, kept_other_count, duplicate_count, length_m,
                                   first_captured_at, last_captured_at)
SELECT $1, sequence_id, count(*), count(*) FILTER (WHERE class = 'urban'), count(*) FILTER (WHERE class = 'other'),
       count(*), count(*) FILTER (WHERE class = 'urban'), count(*) FILTER (WHERE class = 'other'), 0, 0,
       min(captured_at), max(captured_at)
FROM filter_points WHERE result_name = $1
GROUP BY sequence_id
"""


async def add_lines(conn: asyncpg.Connection, name: str) -> None:
    """The result's sequence lines with their counts, as the filter writes them beside its
    points (export plans from the counts); no geometry: the export does not read it."""
    await conn.execute(LINES_SQL, name)


async def add_result(conn: asyncpg.Connection, name: str, params: dict) -> None:
    """A finished filter_results row and its partitions (one of each per result)."""
    result_id = await conn.fetchval(
        "INSERT INTO filter_results (name, params, state) VALUES ($1, $2, 'finished') RETURNING id",
        name, json.dumps(params))
    literal = name.replace("'", "''")
    for parent in ("filter_points", "filter_sequence_lines", "filter_sequences"):
        await conn.execute(f"CREATE TABLE {parent}_r{result_id} PARTITION OF {parent} FOR VALUES IN ('{literal}')")


def make_result_sync(dsn: str, **kwargs: object) -> int:
    return asyncio.run(make_result(dsn, **kwargs))
