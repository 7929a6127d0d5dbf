"""`mlyetl results diff` benchmark: wall time and peak RSS between two dataset versions.

A fresh database gets a synthetic result v1 (tests/export/synthetic.py: sequences of 1-40
images, both classes) and a second version v2: v1 without 1 % of its images, with 1 %
moved, plus 2 % new images. Each diff runs as its own `mlyetl` process (peak RSS from
wait4()); two sizes show whether memory stays flat as the results grow.

    MLYETL_DATA_DIR=/tmp/bench-cluster python benchmarks/bench_diff.py --sequences 25000 --sequences 100000

Figures go to docs/benchmarks.md (section "Export", results diff).
"""

from __future__ import annotations

import argparse
import asyncio
import shutil
import sys
import tempfile
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_export import _embedded_admin, _loadavg, run_mlyetl  # noqa: E402
from benchdb import fresh_database  # noqa: E402
from tests.export.synthetic import IMAGES_SQL, add_result, make_result, points_sql  # noqa: E402

COLUMNS = ("image_id, sequence_id, class, geom, captured_at, compass_angle, altitude, is_pano, width, height, make, "
           "model, creator_username, cell_id")
NEW_POINTS = points_sql("i.id / 1000000000000 = 2", "(i.id / 10000) % 3 = 0")


async def _second_version(dsn: str, sequences: int) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await add_result(conn, "v2", {"spacing_urban": 100, "spacing_other": 1000})
        await conn.execute(f"INSERT INTO filter_points (result_name, {COLUMNS}) SELECT 'v2', {COLUMNS} "
                           f"FROM filter_points WHERE result_name = 'v1' AND abs(hashint8(image_id)) % 100 <> 0")
        await conn.execute("UPDATE filter_points SET geom = ST_SetSRID(ST_MakePoint(ST_X(geom) + 0.0001, ST_Y(geom)), "
                           "4326) WHERE result_name = 'v2' AND abs(hashint8(image_id)) % 100 = 1")
        await conn.execute(IMAGES_SQL, 2, "s2q", sequences // 50, 7, 40)
        await conn.execute(NEW_POINTS, "v2")
        await conn.execute("VACUUM (ANALYZE) images, filter_points")
    finally:
        await conn.close()


def bench(admin: str, sequences: int, out: Path) -> str:
    dsn = asyncio.run(fresh_database(admin, f"bench_diff_{sequences}"))
    rows = asyncio.run(make_result(dsn, name="v1", sequences=sequences, max_len=40))
    asyncio.run(_second_version(dsn, sequences))
    target = out / f"diff-{sequences}"
    seconds, rss, _, server_cpu = run_mlyetl(dsn, "results", "diff", "v1", "v2", "--out", str(target), echo=True)
    server = "-" if server_cpu is None else f"{server_cpu:.1f}"
    line = f"| {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {rss} | {server} |"
    print(f"{line} load {_loadavg()}", flush=True)
    shutil.rmtree(target)
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sequences", type=int, action="append", help="sequences in v1 (repeatable)")
    parser.add_argument("--admin-dsn", help="admin DSN of a server (default: the embedded cluster)")
    args = parser.parse_args()
    admin = args.admin_dsn or _embedded_admin()
    out = Path(tempfile.mkdtemp(prefix="bench-diff-"))
    print("| v1 rows | seconds | v1 rows/s | peak RSS MB | PostgreSQL CPU s |\n|---|---|---|---|---|")
    try:
        for sequences in args.sequences or [25_000]:
            bench(admin, sequences, out)
    finally:
        shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
