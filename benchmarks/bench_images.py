"""Image download benchmark: images/s, MB/s and peak RSS against the local simulator.

A fresh database gets N images of the simulator's "city" world as a result; the
simulator runs in this process (no added latency, no rate limits, no faults) and
`mlyetl images download` runs as its own process, whose peak RSS comes from wait4().
Two sizes of N show whether memory stays flat. The simulator's pictures are flat
colour, so bytes per image are far below real thumbnails: images/s is the figure that
carries over, MB/s is bounded by the local disk and CPU, not the network.

    MLYETL_DATA_DIR=/tmp/bench-cluster python benchmarks/bench_images.py --images 1000 --images 4000

Figures go to docs/benchmarks.md (section "Images").
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_export import _embedded_admin, _fresh_db  # noqa: E402
from etl.simulator.config import DEFAULT_TOKEN, SimulatorConfig  # noqa: E402
from etl.simulator.presets import build_world  # noqa: E402
from etl.simulator.server import SimulatorServer  # noqa: E402
from tests.images import conftest as images_fixtures  # noqa: E402

CITY_BOX = (13.30, 52.45, 13.50, 52.58)


def _run(dsn: str, base_url: str, out: Path, size: str, resize: str | None, concurrency: int) -> tuple[float, int, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLYETL_", "PG"))}
    env |= {"MLYETL_DSN": dsn, "MAPILLARY_TOKEN": DEFAULT_TOKEN}
    args = [sys.executable, "-m", "etl", "-q", "images", "download", "--result", "tiny", "--size", size,
            "--out", str(out), "--graph-url", base_url, "--concurrency", str(concurrency)]
    args += ["--resize", resize] if resize else []
    started = time.perf_counter()
    proc = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    stdout = proc.stdout.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"download failed: {proc.stderr.read().decode()[-2000:]}")
    return elapsed, usage.ru_maxrss // 1024, stdout


def bench(admin: str, count: int, size: str, resize: str | None, concurrency: int) -> str:
    world = build_world("city")
    images_fixtures.TINY_BBOX = CITY_BOX  # the loader takes the first N images of this box
    dsn = asyncio.run(_fresh_db(admin, f"bench_images_{count}"))
    images_fixtures.load_world_images(dsn, world, count)
    out = Path(tempfile.mkdtemp(prefix="bench-images-"))
    try:
        with SimulatorServer(SimulatorConfig(world=world, rate_limits={})) as sim:
            seconds, rss, stdout = _run(dsn, sim.base_url, out, size, resize, concurrency)
        files = [p for p in out.rglob("*.jpg")]
        mb = sum(p.stat().st_size for p in files if p.parent.name == size) / 1e6
    finally:
        shutil.rmtree(out, ignore_errors=True)
    rate = re.search(r"([\d.,]+) images/s, ([\d.,]+) MB/s", stdout)
    line = (f"| {count:,} | {size} | {resize or '-'} | {concurrency} | {seconds:.1f} | {count / seconds:,.1f} | "
            f"{mb / seconds:,.2f} | {rss} |")
    print(line + (f"  (tool's own summary: {rate.group(0)})" if rate else ""), flush=True)
    return line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, action="append", help="images to download (repeatable)")
    parser.add_argument("--size", default="1024", choices=["256", "1024", "2048", "original"])
    parser.add_argument("--resize", help="also write a resized copy with this long side")
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--admin-dsn", help="admin DSN of a server (default: the embedded cluster)")
    args = parser.parse_args()
    admin = args.admin_dsn or _embedded_admin()
    print("| images | size | resize | concurrency | seconds | images/s | MB/s | peak RSS MB |\n|---|---|---|---|---|---|---|---|")
    for count in args.images or [1000]:
        bench(admin, count, args.size, args.resize, args.concurrency)


if __name__ == "__main__":
    main()
