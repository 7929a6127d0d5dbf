"""Machine reference: binary COPY of image rows into PostGIS alone, rows/s.

The crawler issue states its target next to this reference ("binary COPY into PostGIS
alone reaches ~500,000 rows/s here"): running it on the machine of a benchmark tells
whether that machine is faster or slower than the one the targets were written for.
Two row shapes, since the issue does not say which rows it meant: the crawler's own image
rows (etl/mapillary/parsing.py: IMAGE_COLUMNS, 20 columns, EWKB positions, microsecond
timestamps) into a logged table shaped like `images` without its indexes (what a bulk-load
crawl writes into), and bare points (id, sequence, time, position) into a 4-column table.
Rows are built before the clock starts and COPYed by one connection in batches of 2,000
(the size of one API answer).

    MLYETL_DATA_DIR=/tmp/bench-cluster python benchmarks/bench_copy.py --rows 1000000
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import fresh_database, server_cpu_s, with_database  # noqa: E402
from etl.crawl.codecs import register_row_codecs  # noqa: E402
from etl.db.cluster import EmbeddedCluster  # noqa: E402
from etl.mapillary.parsing import IMAGE_COLUMNS, PG_EPOCH_MS, point_ewkb  # noqa: E402

BATCH = 2_000


def image_rows(count: int) -> list[tuple]:
    """Rows in the crawler's COPY form, with realistic values (fixed seed)."""
    rng = random.Random(5)
    rows = []
    for i in range(count):
        lon, lat = 10 + rng.random(), 50 + rng.random() / 2
        point = point_ewkb(lon, lat)
        captured_us = (1_600_000_000_000 + i * 2_000 - PG_EPOCH_MS) * 1_000
        rows.append((1_000_000_000 + i, f"seq{i // 70:08d}", captured_us, point, True, point,
                     rng.uniform(0, 360), rng.uniform(0, 360), 100.0, 101.5, False,
                     "perspective", "GoPro", "Max", 4000, 3000, 123_456 + i % 500, f"user{i % 500}",
                     None, 0.9))
    return rows


POINT_COLUMNS = ("id", "sequence_id", "captured_at", "geom")
TABLES = {
    "image rows": ("CREATE TABLE copy_probe (LIKE images INCLUDING DEFAULTS)", IMAGE_COLUMNS),
    "points": ("CREATE TABLE copy_probe (id bigint, sequence_id text, captured_at timestamptz, "
               "geom geometry(Point, 4326))", POINT_COLUMNS),
}


async def copy_rate(dsn: str, shape: str, rows: list[tuple], data_dir: str | None) -> dict:
    create, columns = TABLES[shape]
    if shape == "points":
        rows = [(r[0], r[1], r[2], r[3]) for r in rows]
    conn = await asyncpg.connect(dsn)
    try:
        await register_row_codecs(conn)
        await conn.execute("DROP TABLE IF EXISTS copy_probe")
        await conn.execute(create)
        cpu_before = server_cpu_s(data_dir)
        started = time.monotonic()
        for at in range(0, len(rows), BATCH):
            await conn.copy_records_to_table("copy_probe", records=rows[at:at + BATCH], columns=columns)
        seconds = time.monotonic() - started
        stored = await conn.fetchval("SELECT count(*) FROM copy_probe")
        await conn.execute("DROP TABLE copy_probe")
    finally:
        await conn.close()
    await asyncio.sleep(0.5)  # the backend's CPU counts once the postmaster has reaped it
    cpu_after = server_cpu_s(data_dir)
    return {"shape": shape, "rows": stored, "seconds": round(seconds, 2), "rows_per_s": round(stored / seconds),
            "postgres_cpu_s": None if cpu_before is None or cpu_after is None else round(cpu_after - cpu_before, 1),
            "load_before": os.getloadavg()[0]}


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--admin-dsn", help="admin DSN of a server (default: the embedded cluster)")
    args = parser.parse_args()
    data_dir = None
    if args.admin_dsn:
        admin = args.admin_dsn
    else:
        cluster = EmbeddedCluster(Path(os.environ["MLYETL_DATA_DIR"]) if "MLYETL_DATA_DIR" in os.environ else None)
        cluster.ensure_running()
        admin, data_dir = with_database(cluster.socket_dsn(), "postgres"), str(cluster.data_dir)
    dsn = await fresh_database(admin, "bench_copy")
    rows = image_rows(args.rows)
    for shape in TABLES:
        for _ in range(args.repeat):
            print(json.dumps(await copy_rate(dsn, shape, rows, data_dir)), flush=True)


if __name__ == "__main__":
    asyncio.run(main())
