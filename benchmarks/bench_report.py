"""Benchmark of `mlyetl report` on the filter benchmark's synthetic result.

    MLYETL_DATA_DIR=/tmp/bench-cluster .venv/bin/python benchmarks/bench_report.py \\
        --images 5000000 --out /tmp/bench-report-5m.json

Uses the images and the result `bench` that benchmarks/bench_filters.py leaves in the
database when they are there (same size), else generates the images (Europe, 100 per
sequence on average, see synthetic_images.sql) and runs the filter first (not timed).
Then writes the report twice (the first run reads images from disk, the second from the
cache) and records each run's seconds, the folder's size, its largest files and this
process's peak RSS; with --browser, how long headless Chromium takes to draw the map.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402  (benchmarks/synthetic.py)
from etl.boundaries import naturalearth  # noqa: E402
from etl.db.connect import connection  # noqa: E402
from etl.db.migrate import ensure_schema  # noqa: E402
from etl.db.target import resolve_target  # noqa: E402
from etl.filters import FilterParams, run_filter  # noqa: E402
from etl.report import build_report  # noqa: E402
from etl.report.folder import folder_bytes  # noqa: E402

RESULT = "bench"


async def _prepare(target, images: int) -> dict:  # noqa: ANN001
    out: dict = {}
    async with connection(target) as conn:
        present = await conn.fetchval("SELECT count(*) FROM images")
        has_result = await conn.fetchval("SELECT count(*) FROM filter_results WHERE name = $1 AND state = 'finished'",
                                         RESULT)
        if abs(present - images) >= images * 0.01:
            await conn.execute("TRUNCATE images")
            urban = await naturalearth.build_urban_areas(conn)
            await naturalearth.build_continent(conn, "Europe")
            started = time.monotonic()
            present = await synthetic.generate(conn, images, urban.id)
            await conn.execute("VACUUM ANALYZE images")
            out["generate_seconds"] = round(time.monotonic() - started, 1)
            has_result = 0
    out["images"] = present
    if not has_result:
        params = FilterParams(name=RESULT, continent="Europe", urban=naturalearth.DEFAULT_URBAN_NAME)
        started = time.monotonic()
        await run_filter(target, params, replace=True)
        out["filter_seconds"] = round(time.monotonic() - started, 1)
    async with connection(target) as conn:
        out["kept"] = await conn.fetchval("SELECT count(*) FROM filter_points WHERE result_name = $1", RESULT)
        out["sequences"] = await conn.fetchval("SELECT count(*) FROM filter_sequence_lines WHERE result_name = $1",
                                               RESULT)
    return out


async def _report(target, out_dir: Path) -> dict:  # noqa: ANN001
    started = time.monotonic()
    timings: dict = {}
    async with connection(target) as conn:
        await build_report(conn, RESULT, out_dir, timings=timings)
    seconds = time.monotonic() - started
    files = sorted(((p.stat().st_size, str(p.relative_to(out_dir))) for p in out_dir.rglob("*") if p.is_file()),
                   reverse=True)
    return {"seconds": round(seconds, 1), "steps": timings, "folder_mb": round(folder_bytes(out_dir) / 2**20, 2),
            "largest_files_mb": {name: round(size / 2**20, 2) for size, name in files[:5]}}


def _browser(page: Path) -> dict:
    """Open the page in headless Chromium (as tests/report does): seconds until the map is
    drawn, console errors, non-file requests."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from tests.report.browser import chromium, console_errors, requested_urls, screenshot

    driver = chromium()
    try:
        started = time.monotonic()
        driver.get(page.as_uri())
        while not driver.execute_script("return !!(window.mlyetlReport && mlyetlReport.ready)"):
            if time.monotonic() - started > 120:
                break
            time.sleep(0.1)
        seconds = time.monotonic() - started
        time.sleep(1)
        shot = screenshot(driver, "bench-5m")
        return {"ready_seconds": round(seconds, 1), "console_errors": console_errors(driver),
                "network_requests": [u for u in requested_urls(driver) if not u.startswith(("file:", "data:"))],
                "screenshot": str(shot)}
    finally:
        driver.quit()


async def main(args: argparse.Namespace) -> dict:
    target = resolve_target()
    await asyncio.to_thread(target.start)  # the embedded cluster, when that is the target
    await ensure_schema(target)
    result = {"images_requested": args.images, "loadavg_before": Path("/proc/loadavg").read_text().split()[0]}
    result.update(await _prepare(target, args.images))
    with tempfile.TemporaryDirectory(prefix="bench-report-") as tmp:
        out = args.keep or Path(tmp)
        result["runs"] = [await _report(target, out / f"run{i}") for i in range(2)]
        if args.browser:
            result["browser"] = _browser(out / "run0" / "index.html")
    result["python_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    result["loadavg_after"] = Path("/proc/loadavg").read_text().split()[0]
    return result


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=5_000_000, help="Image count of the synthetic result.")
    parser.add_argument("--out", type=Path, help="Write the figures as JSON here.")
    parser.add_argument("--keep", type=Path, help="Write the reports here (kept) instead of a temporary folder.")
    parser.add_argument("--browser", action="store_true", help="Also open the report in headless Chromium.")
    arguments = parser.parse_args()
    figures = asyncio.run(main(arguments))
    print(json.dumps(figures, indent=1))
    if arguments.out:
        arguments.out.write_text(json.dumps(figures, indent=1))
