"""Image download benchmark: images/s with 1 and 2 workers sharing a result, with and
without ~100 ms per request, client CPU per image, and 2048 -> 512 resizes with and
without draft (reduced-scale) JPEG decoding.

A fresh database gets N images of the simulator's "city" world as a result; the
simulator runs in this process (no rate limits; `--latency` delays every answer, API and
CDN, with the simulator's slow mode) and each `mlyetl images download` runs as its own
process with the default settings, whose CPU and peak RSS come from wait4(). The
simulator's pictures are flat colour, so bytes per image are far below real thumbnails:
images/s is the figure that carries over. The resize part times the resize step alone on
a detailed 2048 x 1536 JPEG (decode, resample, encode with EXIF), in this process.

    MLYETL_DATA_DIR=/tmp/bench-cluster python benchmarks/bench_images.py --images 3000

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

from benchdb import fresh_database, with_database  # noqa: E402
from etl.db.cluster import EmbeddedCluster  # noqa: E402
from etl.simulator.config import DEFAULT_TOKEN, SimulatorConfig  # noqa: E402
from etl.simulator.faults import FaultConfig  # noqa: E402
from etl.simulator.presets import build_world  # noqa: E402
from etl.simulator.server import SimulatorServer  # noqa: E402
from tests.images import conftest as images_fixtures  # noqa: E402

CITY_BOX = (13.30, 52.45, 13.50, 52.58)


def _embedded_admin() -> str:
    data_dir = os.environ.get("MLYETL_DATA_DIR")
    cluster = EmbeddedCluster(Path(data_dir) if data_dir else None)
    cluster.ensure_running()
    return with_database(cluster.socket_dsn(), "postgres")


def _start(dsn: str, base_url: str, out: Path, size: str, resize: str | None, extra: list[str]) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLYETL_", "PG"))}
    env |= {"MLYETL_DSN": dsn, "MAPILLARY_TOKEN": DEFAULT_TOKEN}
    args = [sys.executable, "-m", "etl", "-q", "images", "download", "--result", "tiny", "--size", size,
            "--out", str(out), "--graph-url", base_url, *extra]
    args += ["--resize", resize] if resize else []
    return subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def _wait(proc: subprocess.Popen) -> tuple[float, float, int, str]:
    """(user CPU s, system CPU s, peak RSS MB, stdout) of a finished download process."""
    _, status, usage = os.wait4(proc.pid, 0)
    stdout = proc.stdout.read().decode()
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"download failed: {proc.stderr.read().decode()[-2000:]}")
    return usage.ru_utime, usage.ru_stime, usage.ru_maxrss // 1024, stdout


def download(admin: str, count: int, workers: int, latency: float, size: str = "1024", resize: str | None = None,
             extra: list[str] | None = None) -> str:
    world = build_world("city")
    images_fixtures.TINY_BBOX = CITY_BOX  # the loader takes the first N images of this box
    dsn = asyncio.run(fresh_database(admin, f"bench_images_{count}"))
    images_fixtures.load_world_images(dsn, world, count)
    out = Path(tempfile.mkdtemp(prefix="bench-images-"))
    faults = FaultConfig(slow_rate=1.0, slow_seconds=latency) if latency else FaultConfig()
    try:
        with SimulatorServer(SimulatorConfig(world=world, rate_limits={}, faults=faults)) as sim:
            load_before = os.getloadavg()[0]
            started = time.perf_counter()
            procs = [_start(dsn, sim.base_url, out, size, resize, extra or []) for _ in range(workers)]
            results = [_wait(p) for p in procs]
            seconds = time.perf_counter() - started
            fetched = sim.stats["requests"].get("thumbs", 0)
        files = sum(1 for p in out.rglob("*.jpg") if p.parent.name == size)
    finally:
        shutil.rmtree(out, ignore_errors=True)
    assert files == count, f"{files} files for {count} images"
    user, system = sum(r[0] for r in results), sum(r[1] for r in results)
    own = [re.search(r"client CPU ([\d.]+) s, ([\d.]+) ms per image", r[3]) for r in results]
    own_cpu = sum(float(m.group(1)) for m in own if m)
    rates = [re.search(r"([\d.,]+) images/s", r[3]) for r in results]
    line = (f"| {count:,} | {size}{' -> ' + resize if resize else ''} | {workers} | {latency * 1000:.0f} ms | "
            f"{seconds:.1f} | {count / seconds:,.1f} | {fetched:,} | {user:.1f} + {system:.1f} "
            f"({(user + system) / count * 1000:.2f}) | {own_cpu:.1f} ({own_cpu / count * 1000:.2f}) | "
            f"{max(r[2] for r in results)} | {load_before:.1f} / {os.getloadavg()[0]:.1f} |")
    print(line + "  (per worker: " + ", ".join(m.group(0) for m in rates if m) + ")", flush=True)
    return line


def resize_step(repeat: int) -> None:
    """The resize step alone, 2048 -> 512, with and without draft decoding."""
    from PIL import Image

    from datetime import datetime, timezone

    import numpy as np

    from etl.images.exif import ImageFacts, exif_bytes
    from etl.images.finish import write_resized

    work = Path(tempfile.mkdtemp(prefix="bench-resize-"))
    try:
        rng = np.random.default_rng(1)
        # detail like a street photo's: smooth gradients plus fine noise (a flat picture decodes too fast)
        y, x = np.mgrid[0:1536, 0:2048]
        base = np.stack([(x / 8) % 256, (y / 6) % 256, ((x + y) / 10) % 256], axis=-1)
        pixels = np.clip(base + rng.normal(0, 25, base.shape), 0, 255).astype(np.uint8)
        source = work / "source.jpg"
        Image.fromarray(pixels).save(source, "JPEG", quality=90)
        exif = exif_bytes(ImageFacts(1, "s", datetime.now(timezone.utc), 13.4, 52.5, 40.0, 90.0))
        print(f"\nresize step, 2048 x 1536 -> 512 x 384 ({source.stat().st_size / 1e6:.1f} MB JPEG), {repeat} images:")
        print("| decoding | ms per image (CPU) | images/s per core |\n|---|---|---|")
        for draft in (False, True):
            started = time.process_time()
            for i in range(repeat):
                write_resized(source, work / f"{i % 4}.jpg", (2048, 1536), 512, exif, draft)
            per = (time.process_time() - started) / repeat
            print(f"| {'draft (reduced scale)' if draft else 'full scale'} | {per * 1000:.1f} | {1 / per:,.0f} |",
                  flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=3000, help="images per run")
    parser.add_argument("--latency", type=float, default=0.1, help="seconds added to every answer in the slow runs")
    parser.add_argument("--resize-images", type=int, default=60, help="images for the resize step timing")
    parser.add_argument("--skip", action="append", default=[], choices=["latency", "cpu", "resize", "resize-e2e"])
    parser.add_argument("--admin-dsn", help="admin DSN of a server (default: the embedded cluster)")
    args = parser.parse_args()
    admin = args.admin_dsn or _embedded_admin()
    print(f"load average before: {os.getloadavg()}, cores: {os.cpu_count()}")
    print("| images | size | workers | latency | seconds | images/s | CDN fetches | CPU s user + system, whole processes "
          "(ms/image) | of which the download phase (ms/image) | peak RSS MB | load before / after |\n|---|---|---|---|---|---|---|---|---|---|---|")
    if "latency" not in args.skip:
        download(admin, args.images, 1, args.latency)
        download(admin, args.images, 2, args.latency)
    if "cpu" not in args.skip:
        download(admin, args.images, 1, 0.0)
    if "resize-e2e" not in args.skip:
        download(admin, args.images // 3, 1, 0.0, "2048", "512", ["--no-draft"])
        download(admin, args.images // 3, 1, 0.0, "2048", "512")
    if "resize" not in args.skip:
        resize_step(args.resize_images)


if __name__ == "__main__":
    main()
