"""The filter benchmark (benchmarks/bench_filters.py: synthetic images over Europe, the
Natural Earth layers) on a local Citus cluster against a single server, on this machine.

    .venv/bin/python benchmarks/bench_citus.py --images 5000000 --out /tmp/bench-citus.json

Starts a throwaway cluster (coordinator + `--workers` workers, each an embedded cluster in
its own data directory, as the tests do) and a throwaway single server, generates the
same images in both, runs `mlyetl filter` in-process on each (a first computation, then
an unchanged re-run), and records per node the CPU seconds its server processes spent
during the filter (the split of work), plus EXPLAIN ANALYZE of one bucket's walk on Citus:
its tasks per worker and the bytes the workers sent back to the coordinator.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import stat
import sys
import tempfile
import time
from pathlib import Path

import asyncpg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synthetic  # noqa: E402  (benchmarks/synthetic.py)
from benchdb import server_cpu_s  # noqa: E402
from etl.boundaries import naturalearth  # noqa: E402
from etl.db.cluster import EmbeddedCluster, remove_cluster_files  # noqa: E402
from etl.db.migrate import ensure_schema  # noqa: E402
from etl.filters import FilterParams, run_filter  # noqa: E402
from etl.filters.results import ResultHandle  # noqa: E402
from etl.filters.steps import _walk_args, create_fresh_tables, drop_scratch, fresh_walk_sql  # noqa: E402
from tests.citus.cluster import CitusCluster  # noqa: E402


def _load() -> str:
    """The machine's 1-minute load average (other people's work on a shared machine)."""
    return Path("/proc/loadavg").read_text().split()[0]


def _node_cpu_s(data_dir: Path) -> float:
    """CPU seconds of a node so far: its postmaster with the children it reaped
    (server_cpu_s) plus its live children: Citus keeps the coordinator's connections to
    the workers open, so the backends that ran the pushed-down statements are still alive."""
    total = server_cpu_s(data_dir) or 0.0
    postmaster = (Path(data_dir) / "pgdata" / "postmaster.pid").read_text().split()[0]
    for stat_file in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat_file.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone meanwhile
        if fields[1] == postmaster:  # ppid
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


async def _prepare(dsn: str, images: int) -> dict:
    await ensure_schema(dsn)
    conn = await asyncpg.connect(dsn)
    try:
        await naturalearth.build_continent(conn, "Europe")
        urban = await naturalearth.build_urban_areas(conn)
        started = time.monotonic()
        count = await synthetic.generate(conn, images, urban.id)
        await conn.execute("VACUUM ANALYZE images")
        await conn.execute("CHECKPOINT")
        if await conn.fetchval("SELECT count(*) FROM pg_extension WHERE extname = 'citus'"):
            # Citus does not pass CHECKPOINT on: the workers' own checkpoints of the fresh
            # shards would otherwise run (and count) during the filter
            await conn.execute("SELECT run_command_on_workers('CHECKPOINT')")
        generate = round(time.monotonic() - started, 1)
        await conn.fetchval("SELECT count(*) FROM images WHERE deleted_at IS NULL")  # warm, as bench_filters
    finally:
        await conn.close()
    return {"images": count, "generate_seconds": generate}


async def _filter(dsn: str, nodes: dict[str, Path]) -> dict:
    params = FilterParams(name="bench", continent="Europe", urban=naturalearth.DEFAULT_URBAN_NAME)
    before = {name: _node_cpu_s(path) for name, path in nodes.items()}
    load = _load()
    report = await run_filter(dsn, params)
    cpu = {name: round(_node_cpu_s(path) - before[name], 1) for name, path in nodes.items()}
    rerun = await run_filter(dsn, params)
    return {"timings": report.timings, "counts": report.counts, "server_cpu_s": cpu, "load_before": load,
            "load_after": _load(), "rerun_unchanged": rerun.timings}


async def _explain_bucket(dsn: str, buckets: int) -> dict:
    """EXPLAIN ANALYZE of bucket 0's first-computation walk (as the filter runs it)."""
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT kind, id, cell_size FROM boundary_layers")
        by_kind = {r["kind"]: {"id": r["id"], "cell_size": r["cell_size"]} for r in rows}
        layers = {"continent": by_kind["continent"], "urban": by_kind["urban"]}
        params = FilterParams(name="explain", continent="Europe", urban=naturalearth.DEFAULT_URBAN_NAME)
        handle = ResultHandle("explain", 999_999, True, distributed=True)
        await drop_scratch(conn, handle)
        await create_fresh_tables(conn, handle)
        async with conn.transaction():
            await conn.execute("SET LOCAL citus.propagate_set_commands = 'local'")
            await conn.execute("SET LOCAL enable_sort = off")
            await conn.execute("SET LOCAL work_mem = '256MB'")
            await conn.execute("SET LOCAL hash_mem_multiplier = 8")
            plan = await conn.fetch("EXPLAIN (ANALYZE, VERBOSE) " + fresh_walk_sql(handle, stamps=False),
                                    *_walk_args(params, layers, True), buckets, 0)
        await drop_scratch(conn, handle)
    finally:
        await conn.close()
    text = "\n".join(r[0] for r in plan)
    return {
        "task_count": [int(x) for x in re.findall(r"Task Count: (\d+)", text)],
        "tuple_data_received_from_nodes": re.findall(r"Tuple data received from nodes: ([^\n]+)", text),
        "nodes_in_plan": sorted(set(re.findall(r"Node: host=\S+ port=(\d+)", text))),
        "execution_time": re.findall(r"Execution Time: ([\d.]+ ms)", text)[-1:],
        "plan_head": text.splitlines()[:14],
    }


async def _shard_rows(dsn: str) -> dict:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT nodeport, count(*) AS shards, sum(shard_size) AS bytes FROM citus_shards "
                                "WHERE table_name = 'images'::regclass GROUP BY nodeport ORDER BY nodeport")
    finally:
        await conn.close()
    return {str(r["nodeport"]): {"shards": r["shards"], "mb": round(r["bytes"] / 2**20)} for r in rows}


def _base(prefix: str) -> Path:
    base = Path(tempfile.mkdtemp(prefix=prefix))
    base.chmod(base.stat().st_mode | stat.S_IRWXU | stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
    return base


async def main(args: argparse.Namespace) -> dict:
    out: dict = {"images_requested": args.images, "workers": args.workers, "shards": args.shards,
                 "started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "cpus": os.cpu_count(),
                 "loadavg_start": Path("/proc/loadavg").read_text().split()[:3]}
    base = _base("bench-citus-")
    cluster = CitusCluster(base, args.workers, shards=args.shards, shared_buffers=args.shared_buffers)
    single = EmbeddedCluster(base / "single")
    try:
        cluster.start()
        dsn = await cluster.create_database("bench")
        out["citus_prepare"] = await _prepare(dsn, args.images)
        out["citus_images_per_worker"] = await _shard_rows(dsn)
        nodes = {"coordinator": cluster.coordinator.data_dir,
                 **{f"worker{i + 1}": w.data_dir for i, w in enumerate(cluster.workers)}}
        out["citus"] = await _filter(dsn, nodes)
        out["citus_explain_bucket0"] = await _explain_bucket(dsn, args.buckets)
        print(json.dumps(out), flush=True)
        cluster.stop()  # the single server runs alone
        if not args.citus_only:
            single.ensure_running()
            sdsn = single.socket_dsn()
            out["single_prepare"] = await _prepare(sdsn, args.images)
            out["single"] = await _filter(sdsn, {"server": single.data_dir})
    finally:
        cluster.stop()
        single.stop()
        remove_cluster_files(base)
        out["loadavg_end"] = Path("/proc/loadavg").read_text().split()[:3]
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--images", type=int, default=5_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--shards", type=int, default=32, help="citus.shard_count (Citus's default: 32)")
    parser.add_argument("--buckets", type=int, default=2, help="the filter's buckets (--jobs) for the EXPLAIN")
    parser.add_argument("--shared-buffers", default="1GB", help="per node")
    parser.add_argument("--citus-only", action="store_true", help="skip the single server")
    parser.add_argument("--out", type=Path)
    arguments = parser.parse_args()
    result = asyncio.run(main(arguments))
    print(json.dumps(result), flush=True)
    if arguments.out:
        arguments.out.write_text(json.dumps(result, indent=1))
