"""Several `mlyetl images download` processes sharing one result through the database."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg

from etl.simulator.config import SimulatorConfig
from etl.simulator.faults import FaultConfig
from etl.simulator.server import SimulatorServer
from tests.conftest import PROJECT_ROOT
from tests.images.conftest import cli_env, load_world_images
from tests.images.test_download import _check_images, _downloads, _jpgs


def _start(dsn: str, sim: SimulatorServer, out: Path, *args: str, prefix: list[str] | None = None) -> subprocess.Popen:
    command = [sys.executable, "-m", "etl", "images", "download", "--result", "tiny", "--size", "256",
               "--out", str(out), "--graph-url", sim.base_url, "--backoff", "0.05", *args]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLYETL_", "PG"))} | cli_env(dsn)
    return subprocess.Popen((prefix or []) + command, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def _query(dsn: str, sql: str, *args: object) -> list[asyncpg.Record]:
    async def fetch() -> list[asyncpg.Record]:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetch(sql, *args)
        finally:
            await conn.close()
    return asyncio.run(fetch())


def _slow_thumbs(seconds: float) -> FaultConfig:
    """Every CDN answer waits `seconds` (the simulator's slow mode), so that runs overlap."""
    return FaultConfig(slow_rate=1.0, slow_seconds=seconds, endpoints=frozenset({"thumbs"}))


def test_two_workers_fetch_each_image_once_and_both_exit_0(db_dsn: str, world, tmp_path: Path) -> None:  # noqa: ANN001
    ids = load_world_images(db_dsn, world, 240)
    with SimulatorServer(SimulatorConfig(world=world, rate_limits={}, faults=_slow_thumbs(0.05))) as sim:
        args = ("--batch-images", "20", "--concurrency", "4")
        first, second = _start(db_dsn, sim, tmp_path, *args), _start(db_dsn, sim, tmp_path, *args)
        outputs = [p.communicate(timeout=180) for p in (first, second)]
        stats = sim.stats
    assert first.returncode == 0 and second.returncode == 0, outputs
    assert stats["requests"]["thumbs"] == len(ids)  # every image fetched exactly once
    _check_images(db_dsn, tmp_path, ids, 256)
    assert {s for s, _ in _downloads(db_dsn).values()} == {"done"} and len(_downloads(db_dsn)) == len(ids)
    workers = _query(db_dsn, "SELECT worker, state, batches, claimed, downloaded, failed FROM image_download_workers")
    assert len(workers) == 2 and all(w["state"] == "finished" and w["failed"] == 0 for w in workers)
    assert all(w["downloaded"] > 0 and w["batches"] > 0 for w in workers), "both workers took a share"
    assert sum(w["downloaded"] for w in workers) == len(ids)
    batches = _query(db_dsn, "SELECT state, done, failed, lease_owner FROM image_download_batches")
    assert len(batches) == 12 and all(b["state"] == "done" and b["lease_owner"] is None for b in batches)
    assert sum(b["done"] for b in batches) == len(ids)
    # the status command shows each worker's progress under the result
    from tests.conftest import run_cli
    status = run_cli("status", env={"MLYETL_DSN": db_dsn})
    assert status.returncode == 0, status.stderr
    assert "downloads of tiny" in status.stdout and status.stdout.count("finished") >= 2


def _other_machine() -> list[str] | None:
    """A command prefix that runs a process under another host name (a UTS namespace), so that
    it sees the killed worker as one of another machine: only the lease can free its batch."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-u", "true"], capture_output=True).returncode == 0:
        return [unshare, "-u", "sh", "-c", 'hostname other-machine-$$ && exec "$@"', "sh"]
    return None


def test_a_killed_workers_batch_is_finished_by_another_after_the_lease(db_dsn: str, world, tmp_path: Path) -> None:  # noqa: ANN001
    ids = load_world_images(db_dsn, world, 150)
    lease = 3.0
    with SimulatorServer(SimulatorConfig(world=world, rate_limits={}, faults=_slow_thumbs(0.1))) as sim:
        args = ("--batch-images", "25", "--concurrency", "2", "--lease", str(lease))
        doomed = _start(db_dsn, sim, tmp_path, *args)
        deadline = time.monotonic() + 60
        while len(_jpgs(tmp_path)) < 10 and time.monotonic() < deadline and doomed.poll() is None:
            time.sleep(0.05)
        prefix = _other_machine()
        if prefix is None:  # no namespaces here: a frozen worker keeps its pid, so again only the lease frees it
            doomed.send_signal(signal.SIGSTOP)
        else:
            doomed.send_signal(signal.SIGKILL)
            doomed.wait()
        killed_at = time.monotonic()
        held = _query(db_dsn, "SELECT batch_no, lease_owner FROM image_download_batches WHERE state = 'running'")
        assert held and 0 < len(_jpgs(tmp_path)) < len(ids), "the kill should land mid-batch"
        survivor = _start(db_dsn, sim, tmp_path, *args, prefix=prefix)
        out, err = survivor.communicate(timeout=180)
        finished_after = time.monotonic() - killed_at
        if prefix is None:
            doomed.send_signal(signal.SIGKILL)
            doomed.wait()
        stats = sim.stats
    assert survivor.returncode == 0, err
    assert finished_after >= lease - 1.0  # it could not have had the batch before the lease ran out
    rows = {r["batch_no"]: r for r in _query(db_dsn, "SELECT batch_no, state, attempts, lease_owner FROM image_download_batches")}
    assert all(r["state"] == "done" for r in rows.values())
    for b in held:
        assert rows[b["batch_no"]]["attempts"] == 2, "the survivor took over the batch the killed worker held"
    _check_images(db_dsn, tmp_path, ids, 256)
    assert {s for s, _ in _downloads(db_dsn).values()} == {"done"} and len(_downloads(db_dsn)) == len(ids)
    # at most the killed worker's downloads in flight were fetched twice
    assert len(ids) <= stats["requests"]["thumbs"] <= len(ids) + 2
