"""Benchmark of `mlyetl filter` at continent scale, with an in-memory GeoPandas run of the
same rules side by side.

    MLYETL_DATA_DIR=/tmp/bench-cluster .venv/bin/python benchmarks/bench_filters.py \\
        --images 5000000 --geopandas-max 5000000 --out /tmp/bench-5m.json

(one size per invocation, so that each run's peak RSS is its own).

    MLYETL_DATA_DIR=/tmp/bench-cluster .venv/bin/python benchmarks/bench_filters.py \\
        --images 5000000 --case curation --out /tmp/bench-5m-curation.json

The curation case (docs/filters.md, "Curation") runs the filter with attribute filters,
thinning 50 m urban / 300 m other and caps of 20 per 1 km cell, and the same rules with
GeoPandas + a shapely STRtree (geopandas_curation.py) in the same run; the two kept sets
(ids and cell ids) must be equal.

For each size: synthetic images over Europe are generated in SQL (not timed as part of the
filter), the Natural Earth 1:50m Europe and urban layers are used, the filter runs
in-process (its step times, the database size and this process's peak RSS are recorded),
then an unchanged re-run (incremental: nothing to do). GeoPandas runs in a subprocess on
the same images (exported once to .npz) so that its peak RSS is its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402  (benchmarks/synthetic.py)
from etl.boundaries import naturalearth  # noqa: E402
from etl.db.connect import connection  # noqa: E402
from etl.db.migrate import ensure_schema  # noqa: E402
from etl.db.target import resolve_target  # noqa: E402
from etl.filters import FilterParams, run_filter  # noqa: E402
from etl.filters.curation_params import CurationParams  # noqa: E402
from etl.results_admin import drop_result  # noqa: E402


def _load() -> str:
    """The 1-minute load average: other work on the same cores changes every figure."""
    return Path("/proc/loadavg").read_text().split()[0]


def _rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


async def _reset(conn, keep_images: bool) -> None:  # noqa: ANN001
    for row in await conn.fetch("SELECT name FROM filter_results"):
        await drop_result(conn, row["name"])  # with its tables: every run starts from new ones
    if not keep_images:
        await conn.execute("TRUNCATE images")


async def _checkpoint(conn) -> str:  # noqa: ANN001
    """Write out what generating (or vacuuming) the images left dirty, so that the timed
    filter does not share the disk and the cores with that write-back (a first run right
    after generating 5 M images took 3.75 s instead of ~2.9, and GeoPandas' clip 5.4 s
    instead of ~3.9). Needs a superuser or pg_checkpoint, as on our own cluster."""
    try:
        await conn.execute("CHECKPOINT")
    except asyncpg.InsufficientPrivilegeError:
        return "not allowed"
    return "done"


async def _warm_scan(conn) -> float:  # noqa: ANN001
    """Read every image once before the timed runs, as the filter's own earlier run (or
    anything else reading the table) leaves it: the first read of freshly generated rows
    is slower (the walk 2.05 s instead of ~1.7 at 5 M, once per generated table), which is
    not the filter's cost. Returns the scan's seconds."""
    started = time.monotonic()
    await conn.fetchval("SELECT count(*) FROM images WHERE deleted_at IS NULL")
    return round(time.monotonic() - started, 2)


async def _layers(conn) -> dict:  # noqa: ANN001
    """Rebuild the Natural Earth layers with the CLI in a child process (same database, by
    the environment): reading vector files imports pyogrio, which imports GeoPandas, pandas
    and pyarrow when they are installed, so the peak RSS measured here stays the filter's."""
    started = time.monotonic()
    for command in (["add-continent", "Europe"], ["add-urban"]):
        subprocess.run([sys.executable, "-m", "etl", "boundaries", *command], check=True, capture_output=True)
    rows = {r["kind"]: r for r in await conn.fetch(
        "SELECT kind, id, cell_count FROM boundary_layers WHERE (kind, name) IN (('continent', 'Europe'), "
        "('urban', $1))", naturalearth.DEFAULT_URBAN_NAME)}
    return {"seconds": round(time.monotonic() - started, 1), "urban_id": rows["urban"]["id"],
            "continent_cells": rows["continent"]["cell_count"], "urban_cells": rows["urban"]["cell_count"]}


async def _sizes(conn) -> dict:  # noqa: ANN001
    sql = """SELECT pg_database_size(current_database()) AS db,
                    pg_total_relation_size('images') AS images,
                    (SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits
                     WHERE inhparent = 'filter_points'::regclass) AS points,
                    (SELECT sum(pg_total_relation_size(inhrelid)) FROM pg_inherits
                     WHERE inhparent = 'filter_sequence_lines'::regclass) AS lines"""
    row = await conn.fetchrow(sql)
    return {k: round((v or 0) / 2**20) for k, v in dict(row).items()}


def _geopandas(npz: Path) -> dict:
    started = time.monotonic()
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("geopandas_filters.py")), str(npz)],
                          capture_output=True, text=True, timeout=3600)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:], "seconds": round(time.monotonic() - started, 1)}
    return json.loads(done.stdout.strip().splitlines()[-1])


# the curation case: what a machine-learning dataset asks for. Synthetic capture times
# start at 2020-01-01 and grow by 1000 s per sequence (synthetic_images.sql): the date
# filter leaves out the first tenth of the sequences, whatever the size.
def _curation(images: int) -> CurationParams:
    after = datetime(2020, 1, 1, tzinfo=timezone.utc) + timedelta(
        seconds=1000 * (images // synthetic.MEAN_IMAGES_PER_SEQUENCE) // 10)
    return CurationParams(captured_after=after, pano="exclude", camera_types=("perspective", "fisheye"),
                          min_quality=0.2, daylight=True, min_distance_urban=50.0, min_distance_other=300.0,
                          max_per_cell=20, cell_size=1000.0)


def _geopandas_curation(npz: Path, tmp: Path, curation: CurationParams) -> tuple[dict, dict[int, int]]:
    params = {"after": curation.captured_after.timestamp(), "pano": "exclude",
              "cameras": [synthetic.CAMERAS.index(c) for c in curation.camera_types],
              "min_quality": curation.min_quality, "daylight": True, "urban_m": curation.min_distance_urban,
              "other_m": curation.min_distance_other, "max_per_cell": curation.max_per_cell,
              "cell_size": curation.cell_size, "spacing_urban": 100.0, "spacing_other": 1000.0}
    (tmp / "params.json").write_text(json.dumps(params))
    done = subprocess.run([sys.executable, str(Path(__file__).with_name("geopandas_curation.py")), str(npz),
                           str(tmp / "params.json"), str(tmp / "kept.npz")], capture_output=True, text=True, timeout=7200)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-3:]}, {}
    import numpy as np

    kept = np.load(tmp / "kept.npz")
    return json.loads(done.stdout.strip().splitlines()[-1]), dict(zip(kept["id"].tolist(), kept["cell"].tolist()))


async def _sql_kept(conn, name: str) -> dict[int, int]:  # noqa: ANN001
    out: dict[int, int] = {}
    async with conn.transaction():
        async for r in conn.cursor("SELECT image_id, cell_id FROM filter_points WHERE result_name = $1", name,
                                   prefetch=50_000):
            out[r["image_id"]] = r["cell_id"]
    return out


async def bench_curation(target, images: int, layers: dict, reuse_images: bool,  # noqa: ANN001
                         run_geopandas: bool = True) -> dict:
    curation = _curation(images)
    out: dict = {"case": "curation", "images_requested": images, "params": curation.stored()}
    async with connection(target) as conn:
        present = await conn.fetchval("SELECT count(*) FROM images") if reuse_images else 0
        reuse = abs(present - images) < images * 0.01
        await _reset(conn, keep_images=reuse)
        started = time.monotonic()
        out["images"] = present if reuse else await synthetic.generate(conn, images, layers["urban_id"])
        await conn.execute("VACUUM ANALYZE images")
        out["generate_seconds"] = "reused" if reuse else round(time.monotonic() - started, 1)
        out["checkpoint"] = await _checkpoint(conn)
        out["warm_scan_seconds"] = await _warm_scan(conn)
    params = FilterParams(name="bench-curated", continent="Europe", urban=naturalearth.DEFAULT_URBAN_NAME,
                          curation=curation)
    out["loadavg"] = {"before_filter": _load()}
    report = await run_filter(target, params)
    out["loadavg"]["after_filter"] = _load()
    out["filter"] = {"timings": report.timings, "counts": report.counts}
    rerun = await run_filter(target, params)
    out["rerun_unchanged"] = {"timings": rerun.timings, "recomputed": rerun.counts["recomputed_sequences"]}
    out["python_peak_rss_mb"] = _rss_mb()  # before reading the sets below, which is not part of the filter
    async with connection(target) as conn:
        out["sizes_mb"] = await _sizes(conn)
        if not run_geopandas:
            return out
        with tempfile.TemporaryDirectory(prefix="bench-gpd-") as tmp:
            npz = Path(tmp) / "images.npz"
            await synthetic.export_arrays(conn, npz)
            out["loadavg"]["before_geopandas"] = _load()
            out["geopandas"], expected = _geopandas_curation(npz, Path(tmp), curation)
            out["loadavg"]["after_geopandas"] = _load()
        got = await _sql_kept(conn, "bench-curated")
    out["same_set"] = got == expected
    out["kept"] = {"sql": len(got), "geopandas": len(expected),
                   "only_sql": len(got.keys() - expected.keys()), "only_geopandas": len(expected.keys() - got.keys()),
                   "cell_differs": sum(1 for k in got.keys() & expected.keys() if got[k] != expected[k])}
    gpd_total = out["geopandas"].get("timings", {}).get("total")
    if gpd_total:
        out["ratio_to_geopandas"] = round(report.timings["total"] / gpd_total, 3)
    return out


async def bench_size(target, images: int, run_geopandas: bool, layers: dict,  # noqa: ANN001
                     reuse_images: bool = False) -> dict:
    out: dict = {"images_requested": images}
    async with connection(target) as conn:
        present = await conn.fetchval("SELECT count(*) FROM images") if reuse_images else 0
        reuse = abs(present - images) < images * 0.01  # the same synthetic size is already there
        await _reset(conn, keep_images=reuse)
        started = time.monotonic()
        out["images"] = present if reuse else await synthetic.generate(conn, images, layers["urban_id"])
        await conn.execute("VACUUM ANALYZE images")
        out["generate_seconds"] = "reused" if reuse else round(time.monotonic() - started, 1)
        out["checkpoint"] = await _checkpoint(conn)
        out["warm_scan_seconds"] = await _warm_scan(conn)
    params = FilterParams(name="bench", continent="Europe", urban=naturalearth.DEFAULT_URBAN_NAME)
    out["loadavg"] = {"before_filter": _load()}
    report = await run_filter(target, params)
    out["loadavg"]["after_filter"] = _load()
    out["filter"] = {"timings": report.timings, "counts": report.counts}
    rerun = await run_filter(target, params)
    out["rerun_unchanged"] = {"timings": rerun.timings, "recomputed": rerun.counts["recomputed_sequences"]}
    out["python_peak_rss_mb"] = _rss_mb()  # before the export below, which is not part of the filter
    async with connection(target) as conn:
        out["sizes_mb"] = await _sizes(conn)
        if run_geopandas:
            with tempfile.TemporaryDirectory(prefix="bench-gpd-") as tmp:
                npz = Path(tmp) / "images.npz"
                await synthetic.export_arrays(conn, npz)
                out["loadavg"]["before_geopandas"] = _load()
                out["geopandas"] = _geopandas(npz)
                out["loadavg"]["after_geopandas"] = _load()
    return out


async def main(args: argparse.Namespace) -> list[dict]:
    target = resolve_target()
    await asyncio.to_thread(target.start)  # the embedded cluster, when that is the target
    await ensure_schema(target)
    async with connection(target) as conn:
        layers = await _layers(conn)
    print(json.dumps({"layers": layers}), flush=True)
    results = []
    for images in args.images:
        if args.case == "curation":
            result = await bench_curation(target, images, layers, args.reuse_images, images <= args.geopandas_max)
        else:
            result = await bench_size(target, images, images <= args.geopandas_max, layers, args.reuse_images)
        print(json.dumps(result), flush=True)
        results.append(result)
    return results


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, action="append", required=True, help="Image count (repeatable).")
    parser.add_argument("--geopandas-max", type=int, default=5_000_000, help="Run GeoPandas up to this size (0: never).")
    parser.add_argument("--out", type=Path, help="Write all results as JSON here.")
    parser.add_argument("--case", choices=("plain", "curation"), default="plain",
                        help="plain: clip, classify, spacing; curation: plus attribute filters, thinning and caps.")
    parser.add_argument("--reuse-images", action="store_true",
                        help="Keep the synthetic images already in the database when their count is the size asked "
                             "(filter-only rerun; the layers are rebuilt all the same).")
    arguments = parser.parse_args()
    all_results = asyncio.run(main(arguments))
    if arguments.out:
        arguments.out.write_text(json.dumps(all_results, indent=1))
