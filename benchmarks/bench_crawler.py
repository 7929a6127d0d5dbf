"""Crawler benchmark: end-to-end images/s, requests per 1,000 images, peak RSS.

A local simulator (its own process, no added latency, no rate limits) serves a
uniform synthetic world of the chosen size; `mlyetl crawl` runs as a separate
process into a fresh database; its peak RSS comes from wait4(). The old
pipeline's request count is computed for the same world from its documented
method: the same bbox discovery plus at least 7 calls per sequence.

    MLYETL_DATA_DIR=/tmp/bench-cluster python benchmarks/bench_crawler.py --size 1m --method search --method tiles
    MLYETL_DATA_DIR=/tmp/bench-cluster python benchmarks/bench_crawler.py --size 10m --method search
    ... --no-bulk-load    # the upsert path with live indexes, for comparison
    ... --latency 1.0     # every answer a second late, the documented allowance on both sides
    ... --latency 1.0 --allowance search=167/s   # the same allowance with a one-second burst
    ... --size sparse --latency 1.0   # ~5,000 calls of ~220 images
    ... --size calls --latency 1.0 --allowance search=167/s   # ~5,000 calls of ~22 images

With `--latency` the simulator answers after that many seconds and limits calls per class
(`--allowance`, default the documented limits); the crawler keeps its default settings
(rate limits included), so the figures are calls per minute against the allowance, 429s
drawn, the request window and images/s: what a crawl of the real API gets.

CPU seconds of the crawler, the simulator and PostgreSQL (the postmaster's reaped
backends) are reported too: on two cores they share, CPU per image decides the rate.

Figures go to docs/benchmarks.md (section "Crawler"). The embedded cluster of
MLYETL_DATA_DIR (or --admin-dsn) is used; each run makes its own database.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import aiohttp
import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import fresh_database, process_cpu_s, server_cpu_s  # noqa: E402
from etl.db.cluster import EmbeddedCluster  # noqa: E402
from etl.simulator.config import DEFAULT_TOKEN  # noqa: E402

# Uniform worlds: background 3 sequences per 0.01-degree cell, ~2,200 images per square km-ish cell row.
WORLDS = {
    "100k": ("seed=5;bbox=10.0,50.0,10.1,50.5;background=3", "10.0,50.0,10.1,50.5"),
    "1m": ("seed=5;bbox=10.0,50.0,11.0,50.5;background=3", "10.0,50.0,11.0,50.5"),
    "10m": ("seed=5;bbox=10.0,50.0,15.0,51.0;background=3", "10.0,50.0,15.0,51.0"),
    # ~1 M images in ~5,000 boxes of ~220 (one call each): a crawl bound by calls, not rows
    "sparse": ("seed=5;bbox=10.0,45.0,20.0,50.0;background=0.03", "10.0,45.0,20.0,50.0"),
    # ~110,000 images in the same ~5,000 calls (~22 each): the calls alone, little to write
    "calls": ("seed=5;bbox=10.0,45.0,20.0,50.0;background=0.003", "10.0,45.0,20.0,50.0"),
}
# rendered JSON of the whole world too (~600 MB per 1 M images): each cell is rendered once
JSON_CACHE_MB = 8000
OLD_CALLS_PER_SEQUENCE = 7  # the old scripts' minimum per sequence (docs/original-pipeline.md)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start_simulator(world: str, json_cache_mb: int, latency: float = 0.0,
                     allowance: str = "off") -> tuple[subprocess.Popen, str]:
    # the whole world stays generated in memory (~1.2 GB at 10 M): a crawl asks for each
    # area several times, and regenerating evicted cells made the simulator the bottleneck
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "etl", "simulator", "serve", "--port", str(port), "--world", world,
                             "--rate-limits", allowance, "--cache-images", "12000000", "--cache-json-mb", str(json_cache_mb),
                             "--latency", str(latency)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}"
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("the simulator did not start")


async def _warm(url: str, area: str) -> None:
    """Ask the simulator for the whole area once, in boxes of 0.02 degrees, before timing.

    Every cell is then generated and its JSON rendered: the simulator's CPU during the
    crawl is only what serving costs (a real API has its data already). Reported as a
    separate figure, never as the headline.
    """
    from etl.mapillary.parsing import IMAGE_FIELDS

    w, s, e, n = (float(v) for v in area.split(","))
    step, boxes = 0.02, []
    for i in range(round((e - w) / step)):
        for j in range(round((n - s) / step)):
            boxes.append(f"{w + i * step},{s + j * step},{w + (i + 1) * step},{s + (j + 1) * step}")
    slots = asyncio.Semaphore(8)
    async with aiohttp.ClientSession(headers={"Authorization": f"OAuth {DEFAULT_TOKEN}"}) as session:
        async def one(box: str) -> None:
            async with slots, session.get(f"{url}/images", params={"bbox": box, "fields": IMAGE_FIELDS}) as resp:
                await resp.read()

        await asyncio.gather(*(one(b) for b in boxes))


def _run_measured(argv_dsn: tuple, method: str, extra: list[str], limited: bool = False) -> dict:
    """Run the crawl as a child and read its own peak RSS via wait4 (not the simulator's)."""
    dsn, url, area = argv_dsn
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLYETL_", "PG"))} | {"MAPILLARY_TOKEN": DEFAULT_TOKEN}
    argv = [sys.executable, "-m", "etl", "-q", "crawl", "--bbox", area, "--method", method, "--graph-url", url,
            "--tiles-url", url, "--dsn", dsn, *([] if limited else ["--rate-limit", "off"]), *extra]
    out_path = Path(f"/tmp/bench-crawler-{os.getpid()}-{method}.out")
    with open(out_path, "w") as out:
        started = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
    text = out_path.read_text()
    return {"text": text, "status": status, "wall_s": wall, "peak_rss_mb": usage.ru_maxrss / 1024,
            "cpu_s": usage.ru_utime + usage.ru_stime}


def _machine_busy_s() -> float:
    """CPU seconds all processes of the machine have used (user, nice, system, irq), from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    return (sum(fields) - fields[3] - fields[4]) / os.sysconf("SC_CLK_TCK")  # minus idle and iowait


def _rate_figures(text: str) -> dict:
    """The summary's calls per minute against the allowance, 429s drawn and request window."""
    line = next((x for x in text.splitlines() if x.startswith("calls per minute")), "")
    return {"calls_per_min": line.split(": ", 1)[1].split(";")[0] if line else None,
            "rate_limited": _number(r"429s drawn: ([\d,]+)", line),
            "peak_concurrency": _number(r"concurrency: peak (\d+)", line),
            "final_concurrency": _number(r"at the end (\d+)", line)}


def _number(pattern: str, text: str) -> float:
    match = re.search(pattern, text)
    return float(match.group(1).replace(",", "")) if match else float("nan")


async def _sequences(dsn: str) -> int:
    conn = await asyncpg.connect(dsn)
    try:
        return int(await conn.fetchval("SELECT count(DISTINCT sequence_id) FROM images"))
    finally:
        await conn.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(WORLDS), default="1m")
    parser.add_argument("--method", action="append", choices=["search", "tiles"])
    parser.add_argument("--admin-dsn", help="DSN allowed to CREATE DATABASE (default: the embedded cluster)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--no-bulk-load", action="store_true", help="upsert with live indexes (the pre-bulk-load path)")
    parser.add_argument("--warm-simulator", action="store_true",
                        help="generate and render the whole world in the simulator before timing (a separate figure)")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="seconds every answer takes; the crawler then keeps its rate limits (default settings)")
    parser.add_argument("--allowance", default="",
                        help="the simulator's limits with --latency (default: the documented ones), e.g. search=167/s")
    parser.add_argument("--json-cache-mb", type=int, default=JSON_CACHE_MB,
                        help="the simulator's rendered-JSON cache (0: every answer rendered, as before session 3)")
    args = parser.parse_args()
    methods = args.method or ["search"]
    admin, cluster = args.admin_dsn, None
    if not admin:
        cluster = EmbeddedCluster()
        cluster.ensure_running()
        admin = cluster.socket_dsn()
    world, area = WORLDS[args.size]
    limited = args.latency > 0
    sim, url = _start_simulator(world, args.json_cache_mb, args.latency, (args.allowance or "") if limited else "off")
    results = []
    try:
        if args.warm_simulator:
            asyncio.run(_warm(url, area))
        for method in methods:
            dsn = asyncio.run(fresh_database(admin, f"bench_crawler_{args.size}_{method}"))
            data_dir = cluster.data_dir if cluster else None
            load_before = Path("/proc/loadavg").read_text().split()[0]
            sim_cpu, pg_cpu, busy = process_cpu_s(sim.pid), server_cpu_s(data_dir), _machine_busy_s()
            run = _run_measured((dsn, url, area), method, ["--no-bulk-load"] if args.no_bulk_load else [], limited)
            # PostgreSQL: the backends of the crawl have exited and been reaped by now
            sim_cpu = process_cpu_s(sim.pid) - sim_cpu
            pg_cpu = server_cpu_s(data_dir) - pg_cpu if pg_cpu is not None else float("nan")
            # what other processes (another engineer's benchmark, tests) took from the two cores meanwhile
            others = _machine_busy_s() - busy - run["cpu_s"] - sim_cpu - pg_cpu
            text = run["text"]
            images = _number(r"images written: ([\d,]+)", text)
            requests = _number(r"requests: ([\d,]+)", text)
            crawl_s = _number(r"in ([\d.]+) s\n", text)
            index_s = _number(r"then ([\d.]+) s rebuilding indexes", text)
            db_s = _number(r"database writes: ([\d.]+) s", text)
            sequences = asyncio.run(_sequences(dsn))
            search_requests = _number(r"images_bbox ([\d,]+)", text) if method == "search" else float("nan")
            row = {"size": args.size, "method": method, "load": "upsert" if args.no_bulk_load else "bulk",
                   "json_cache_mb": args.json_cache_mb, "warm_simulator": args.warm_simulator, "load_before": load_before,
                   "exit": run["status"], "images": images,
                   "crawl_s": crawl_s, "images_per_s": round(images / crawl_s), "db_write_s": db_s, "index_rebuild_s": index_s,
                   "requests": requests, "requests_per_1000": 1000 * requests / images,
                   "sequences": sequences, "peak_rss_mb": round(run["peak_rss_mb"], 1), "crawler_cpu_s": round(run["cpu_s"], 1),
                   "simulator_cpu_s": round(sim_cpu, 1), "postgres_cpu_s": round(pg_cpu, 1),
                   "other_processes_cpu_s": round(others, 1),
                   "load_average": Path("/proc/loadavg").read_text().split()[0],
                   "latency_s": args.latency, "allowance": (args.allowance or "documented") if limited else "off",
                   **_rate_figures(text)}
            if method == "search":
                old = search_requests + OLD_CALLS_PER_SEQUENCE * sequences
                row["old_pipeline_requests_per_1000"] = 1000 * old / images
            results.append(row)
            print(json.dumps(row), flush=True)
            if run["status"] != 0:
                print(text[-2000:], file=sys.stderr)
    finally:
        sim.kill()
        sim.wait()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
