"""A class of a result as a stream of Arrow record batches, read with a server-side cursor.

Only one batch (default 50,000 rows) is in memory at a time; the GeoPackage and
GeoParquet writers both consume this stream.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pyarrow as pa

from etl.paths import sql_text

SCHEMA = pa.schema([
    ("image_id", pa.int64()),
    ("sequence_id", pa.string()),
    ("captured_at", pa.timestamp("ms", tz="UTC")),
    ("captured_at_ms", pa.int64()),
    ("lon", pa.float64()),
    ("lat", pa.float64()),
    ("class", pa.string()),
    ("compass_angle", pa.float64()),
    ("is_pano", pa.bool_()),
    ("width", pa.int32()),
    ("height", pa.int32()),
    ("make", pa.string()),
    ("model", pa.string()),
    ("creator_username", pa.string()),
    ("altitude", pa.float64()),
    ("cell_id", pa.int64()),  # a curated result's equal-area grid cell (docs/filters.md), else null
    ("geometry", pa.binary()),
])


def arrow_query(rows_sql: str) -> str:
    """The query giving SCHEMA's columns from `rows_sql` (rows shaped like filter_points, in
    the order to write; see sql/export/arrow_columns.sql)."""
    return sql_text("export/arrow_columns.sql").format(rows=rows_sql)


def record_batches(conn: asyncpg.Connection, result: str, cls: str,
                   rows_per_batch: int = 50_000) -> AsyncIterator[pa.RecordBatch]:
    """Batches of the class's kept rows, in image id order."""
    return query_batches(conn, sql_text("export/class_rows.sql"), [result, cls], rows_per_batch)


async def query_batches(conn: asyncpg.Connection, rows_sql: str, args: list,
                        rows_per_batch: int = 50_000) -> AsyncIterator[pa.RecordBatch]:
    """Batches of SCHEMA from the rows of `rows_sql` (with `args`), in its order."""
    async with conn.transaction():  # a cursor lives inside a transaction
        cursor = await conn.cursor(arrow_query(rows_sql), *args)
        while rows := await cursor.fetch(rows_per_batch):
            columns = list(zip(*rows))
            yield pa.RecordBatch.from_arrays(
                [pa.array(values, type=field.type) for values, field in zip(columns, SCHEMA)], schema=SCHEMA)
