"""Export benchmark: CSV rows/s (500 shards), GeoPackage and GeoParquet rows/s, peak RSS.

A fresh database gets a synthetic result (tests/export/synthetic.py: sequences of 1-40
images, both classes, 2/3 of the rows kept); each `mlyetl export ...` runs as its own
process and its peak RSS comes from wait4(). Running two sizes shows whether memory
stays flat as the result grows.

    MLYETL_DATA_DIR=/tmp/bench-cluster python benchmarks/bench_export.py --sequences 50000 --sequences 200000

Figures go to docs/benchmarks.md (section "Export").
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchdb import fresh_database, server_cpu_s, with_database  # noqa: E402
from etl.db.cluster import EmbeddedCluster  # noqa: E402
from tests.export.synthetic import make_result  # noqa: E402


async def _vacuum(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("VACUUM (ANALYZE) images, filter_points, filter_sequence_lines")
    finally:
        await conn.close()


def run_mlyetl(dsn: str, *args: str, echo: bool = False) -> tuple[float, int, float, float | None]:
    """(seconds, peak RSS in MB, Python CPU s, PostgreSQL CPU s or None) of one `mlyetl` process;
    `echo` prints its (short) standard output."""
    server_before = server_cpu_s(os.environ.get("MLYETL_DATA_DIR"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLYETL_", "PG"))} | {"MLYETL_DSN": dsn}
    started = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "etl", "-q", *args], env=env, cwd=ROOT,
                            stdout=subprocess.PIPE if echo else subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"mlyetl {' '.join(args)} failed: {proc.stderr.read().decode()[-2000:]}")
    if echo:
        print(proc.stdout.read().decode().strip(), flush=True)
    time.sleep(0.3)  # let the postmaster reap the backends
    server_after = server_cpu_s(os.environ.get("MLYETL_DATA_DIR"))
    server = None if server_before is None or server_after is None else server_after - server_before
    return elapsed, usage.ru_maxrss // 1024, usage.ru_utime + usage.ru_stime, server


EXPORTS = {"csv": ("csv, 500 shards", ["csv", "--shards", "500", "--force"]),
           "gpkg": ("gpkg (both classes)", ["gpkg"]),
           "geoparquet": ("geoparquet (both classes)", ["geoparquet"])}


def bench(admin: str, sequences: int, out: Path, formats: list[str], repeat: int) -> list[str]:
    dsn = asyncio.run(fresh_database(admin, f"bench_export_{sequences}"))
    started = time.perf_counter()
    rows = asyncio.run(make_result(dsn, name="bench", sequences=sequences, max_len=40))
    print(f"loaded {rows:,} kept rows in {time.perf_counter() - started:.0f} s", flush=True)
    # otherwise autovacuum of the fresh tables runs during the first exports and its CPU
    # counts as the server's (it once added 90 CPU-s to one run)
    asyncio.run(_vacuum(dsn))
    lines = []
    for kind, args in [EXPORTS[f] for f in formats for _ in range(repeat)]:
        target = out / kind.split()[0]
        seconds, rss, python_cpu, server_cpu = run_mlyetl(dsn, "export", *args, "--result", "bench", "--out", str(target))
        size = sum(p.stat().st_size for p in target.iterdir()) / 1e6
        server = "-" if server_cpu is None else f"{server_cpu:.1f}"
        line = (f"| {kind} | {rows:,} | {seconds:.1f} | {rows / seconds:,.0f} | {size:,.0f} | {rss} "
                f"| {python_cpu:.1f} | {server} |")
        print(f"{line} load {_loadavg()}", flush=True)
        lines.append(line)
        shutil.rmtree(target)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sequences", type=int, action="append", help="sequences in the result (repeatable)")
    parser.add_argument("--format", action="append", choices=sorted(EXPORTS), dest="formats",
                        help="which exports to time (repeatable; default all three)")
    parser.add_argument("--repeat", type=int, default=1, help="time each export this many times")
    parser.add_argument("--admin-dsn", help="admin DSN of a server (default: the embedded cluster)")
    args = parser.parse_args()
    admin = args.admin_dsn or _embedded_admin()
    out = Path(tempfile.mkdtemp(prefix="bench-export-"))
    print("| export | rows | seconds | rows/s | MB written | peak RSS MB | Python CPU s | PostgreSQL CPU s |\n"
          "|---|---|---|---|---|---|---|---|")
    try:
        for sequences in args.sequences or [50_000]:
            bench(admin, sequences, out, args.formats or list(EXPORTS), args.repeat)
    finally:
        shutil.rmtree(out, ignore_errors=True)


def _loadavg() -> str:
    """The 1-minute load average: other work on the same cores skews every figure."""
    try:
        return Path("/proc/loadavg").read_text().split()[0]
    except OSError:
        return "?"


def _embedded_admin() -> str:
    data_dir = os.environ.get("MLYETL_DATA_DIR")
    cluster = EmbeddedCluster(Path(data_dir) if data_dir else None)
    cluster.ensure_running()
    return with_database(cluster.socket_dsn(), "postgres")


if __name__ == "__main__":
    main()
