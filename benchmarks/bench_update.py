"""Update benchmark: `crawl --update` after a small change of a 1 M-image world, and the filter after it.

A local simulator (its own process, no added latency, no rate limits) serves the crawler
benchmark's 1 M world. The area is crawled (search method) and filtered; then the world
changes and `mlyetl crawl --update` runs, then the filter again; twice:

1. "sequences": 1 % of the images moved as whole sequences (positions computed again),
   0.5 % deleted (whole sequences, as users delete them), 2 % added (new sequences);
2. "scattered": then 1 % of the images moved one by one, anywhere, 0.5 % deleted and
   2 % added as before: every moved image makes its sequence change for the filter.

Reported per change:

- the update pass: wall time, requests (against the first crawl's), and image rows
  written (inserted + updated, from pg_stat_user_tables) against the rows that really
  changed (new + changed + deleted, from a snapshot of `images` taken before): target
  written <= 1.1 x changed;
- the filter after it: time against the first filter's (target <= 15 %), sequences
  recomputed.

    MLYETL_DATA_DIR=/tmp/bench-cluster python benchmarks/bench_update.py
    ... --size 100k     # a quick look

Figures go to docs/benchmarks.md (section "Update"). The embedded cluster of
MLYETL_DATA_DIR (or --admin-dsn) is used; the run makes its own database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench_crawler import WORLDS, _number, _run_measured, _start_simulator  # noqa: E402
from benchdb import fresh_database  # noqa: E402
from etl import boundaries  # noqa: E402
from etl.db.cluster import EmbeddedCluster  # noqa: E402
from etl.filters import FilterParams, run_filter  # noqa: E402

CHANGES = {"sequences": {"moved_sequences": 0.01, "deleted": 0.005, "added": 0.02},
           "scattered": {"moved": 0.01, "deleted": 0.005, "added": 0.02}}
JSON_CACHE_MB = 4000


def _geojson(path: Path, box: tuple[float, float, float, float]) -> Path:
    w, s, e, n = box
    ring = [[w, s], [e, s], [e, n], [w, n], [w, s]]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "x"}, "geometry": {"type": "Polygon", "coordinates": [ring]}}]}))
    return path


async def _load_layers(dsn: str, area: tuple[float, float, float, float]) -> None:
    """The continent is the crawled area; the urban layer its western fifth."""
    w, s, e, n = area
    conn = await asyncpg.connect(dsn)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            await boundaries.load_polygon_file(conn, _geojson(Path(tmp) / "c.geojson", area), "continent", "benchland")
            urban = (w, s, w + (e - w) / 5, n)
            await boundaries.load_polygon_file(conn, _geojson(Path(tmp) / "u.geojson", urban), "urban", "benchtown")
    finally:
        await conn.close()


def _filter(dsn: str) -> tuple[float, dict]:
    started = time.monotonic()
    report = asyncio.run(run_filter(dsn, FilterParams(name="bench", continent="benchland", urban="benchtown"), jobs=2))
    return time.monotonic() - started, report.counts | {"step_seconds": report.timings}


async def _fetch(dsn: str, sql: str) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("SELECT pg_stat_clear_snapshot()")
        return await conn.fetch(sql)
    finally:
        await conn.close()


def _written(dsn: str) -> int:
    """Image row versions made so far (inserted + updated; deletions are updates of deleted_at)."""
    rows = asyncio.run(_fetch(dsn, "SELECT n_tup_ins + n_tup_upd AS n FROM pg_stat_user_tables WHERE relname = 'images'"))
    return int(rows[0]["n"])


SNAPSHOT = """CREATE TABLE bench_before AS
SELECT id, sequence_id, captured_at, ST_AsEWKB(geom) AS g, ST_AsEWKB(original_geom) AS og, compass_angle,
       computed_compass_angle, altitude, computed_altitude, is_pano, make, model, width, height, creator_id,
       quality_score, deleted_at IS NOT NULL AS deleted
FROM images"""
CHANGED = """SELECT
  (SELECT count(*) FROM images i WHERE NOT EXISTS (SELECT 1 FROM bench_before b WHERE b.id = i.id)) AS new,
  (SELECT count(*) FROM images i JOIN bench_before b USING (id)
   WHERE (b.deleted IS DISTINCT FROM (i.deleted_at IS NOT NULL))) AS deleted_or_restored,
  (SELECT count(*) FROM images i JOIN bench_before b USING (id)
   WHERE i.deleted_at IS NULL AND NOT b.deleted AND
         (b.sequence_id, b.captured_at, b.g, b.og, b.compass_angle, b.computed_compass_angle, b.altitude,
          b.computed_altitude, b.is_pano, b.make, b.model, b.width, b.height, b.creator_id, b.quality_score)
         IS DISTINCT FROM
         (i.sequence_id, i.captured_at, ST_AsEWKB(i.geom), ST_AsEWKB(i.original_geom), i.compass_angle,
          i.computed_compass_angle, i.altitude, i.computed_altitude, i.is_pano, i.make, i.model, i.width, i.height,
          i.creator_id, i.quality_score)) AS changed"""


def _crawl_figures(run: dict) -> dict:
    text = run["text"]
    return {"exit": run["status"], "wall_s": round(run["wall_s"], 1), "crawl_s": _number(r"in ([\d.]+) s\n", text),
            "requests": _number(r"requests: ([\d,]+)", text), "images_written": _number(r"images written: ([\d,]+)", text),
            "unchanged": _number(r"unchanged \(not written\): ([\d,]+)", text),
            "deleted": _number(r"deleted: ([\d,]+)", text), "peak_rss_mb": round(run["peak_rss_mb"], 1),
            "summary": text.strip().splitlines()}


def _update(dsn: str, url: str, area_text: str, change: dict, first: dict, first_filter_s: float) -> dict:
    """Change the world, run the update pass and the filter after it; their figures."""
    asyncio.run(_fetch(dsn, "DROP TABLE IF EXISTS bench_before"))
    asyncio.run(_fetch(dsn, SNAPSHOT))
    request = urllib.request.Request(url + "/__simulator/world/change", data=json.dumps(change).encode(),
                                     method="POST", headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        version = json.loads(answer.read())["version"]
    written_before = _written(dsn)
    update = _crawl_figures(_run_measured((dsn, url, area_text), "search", ["--update"]))
    time.sleep(1.0)  # the backends have exited; their statistics are flushed
    rows_written = _written(dsn) - written_before
    truth = dict(asyncio.run(_fetch(dsn, CHANGED))[0])
    changed_rows = sum(int(v) for v in truth.values())
    filter_s, counts = _filter(dsn)
    figures = {"change": change, "world_version": version, "update": update,
               "update_requests_vs_first": round(update["requests"] / first["requests"], 3),
               "rows_written": rows_written, "changed_rows": changed_rows, "changed_detail": truth,
               "written_per_changed": round(rows_written / changed_rows, 3) if changed_rows else None,
               "filter_after_update_s": round(filter_s, 2),
               "filter_after_update_sequences": counts.get("recomputed_sequences"),
               "filter_after_update_steps": counts["step_seconds"],
               "filter_time_vs_first": round(filter_s / first_filter_s, 3)}
    print(json.dumps(figures), flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(WORLDS), default="1m")
    parser.add_argument("--admin-dsn", help="DSN allowed to CREATE DATABASE (default: the embedded cluster)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--keep-cluster", action="store_true", help="leave the embedded cluster running")
    args = parser.parse_args()
    admin, cluster = args.admin_dsn, None
    if not admin:
        cluster = EmbeddedCluster()
        cluster.ensure_running()
        admin = cluster.socket_dsn()
    world, area_text = WORLDS[args.size]
    area = tuple(float(v) for v in area_text.split(","))
    sim, url = _start_simulator(world, JSON_CACHE_MB)
    try:
        dsn = asyncio.run(fresh_database(admin, f"bench_update_{args.size}"))
        asyncio.run(_load_layers(dsn, area))  # type: ignore[arg-type]
        first = _crawl_figures(_run_measured((dsn, url, area_text), "search", []))
        first_filter_s, first_counts = _filter(dsn)
        row = {"size": args.size, "first_crawl": first, "first_filter_s": round(first_filter_s, 2),
               "first_filter_sequences": first_counts.get("recomputed_sequences"),
               "first_filter_steps": first_counts["step_seconds"], "updates": {}}
        for name, change in CHANGES.items():
            row["updates"][name] = _update(dsn, url, area_text, change, first, first_filter_s)
        row["load_average"] = Path("/proc/loadavg").read_text().split()[0]
        print(json.dumps(row, indent=2), flush=True)
        if args.json:
            args.json.write_text(json.dumps(row, indent=2) + "\n")
    finally:
        sim.kill()
        sim.wait()
        if cluster is not None and not args.keep_cluster:
            cluster.stop()


if __name__ == "__main__":
    main()
