"""`mlyetl images download` against the simulator on a real PostGIS."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import pytest
from PIL import Image

from etl.images.exif import read_gps
from etl.simulator.faults import FaultConfig
from tests.conftest import PROJECT_ROOT, run_cli
from tests.images.conftest import cli_env, load_world_images


def _positions(dsn: str) -> dict[int, tuple[float, float, str]]:
    async def fetch() -> list:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetch("SELECT fp.image_id, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat, fp.class "
                                    "FROM filter_points fp JOIN images i ON i.id = fp.image_id")
        finally:
            await conn.close()
    return {r["image_id"]: (r["lon"], r["lat"], r["class"]) for r in asyncio.run(fetch())}


def _downloads(dsn: str) -> dict[int, tuple[str, str | None]]:
    async def fetch() -> list:
        conn = await asyncpg.connect(dsn)
        try:
            return await conn.fetch("SELECT image_id, state, error FROM image_downloads")
        finally:
            await conn.close()
    return {r["image_id"]: (r["state"], r["error"]) for r in asyncio.run(fetch())}


def _jpgs(out: Path) -> list[Path]:
    return sorted(p for p in out.rglob("*.jpg") if ".partial" not in p.parts)


def _check_images(dsn: str, out: Path, ids: list[int], side: int, folder: str = "256") -> None:
    positions = _positions(dsn)
    files = [p for p in _jpgs(out) if p.parent.name == folder]
    assert sorted(int(p.stem) for p in files) == sorted(ids)  # every image exactly once
    for path in files:
        lon, lat, cls = positions[int(path.stem)]
        assert path.parent.parent.name == {"urban": "urban_100m", "other": "other_1000m"}[cls]
        with Image.open(path) as image:
            image.load()  # decodes the whole picture: a valid JPEG
            assert image.format == "JPEG" and max(image.size) == side
        gps_lat, gps_lon, _ = read_gps(str(path))
        assert abs(gps_lat - lat) < 1e-6 and abs(gps_lon - lon) < 1e-6, path


def _download(dsn: str, simulator, out: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:  # noqa: ANN001
    return run_cli("images", "download", "--size", "256", "--out", str(out), "--graph-url", simulator.base_url,
                   "--backoff", "0.05", *args, env=cli_env(dsn), timeout=timeout)


def test_download_with_resize_exif_and_skip_on_rerun(db_dsn: str, simulator, world, tmp_path: Path) -> None:  # noqa: ANN001
    ids = load_world_images(db_dsn, world, 40)
    done = _download(db_dsn, simulator, tmp_path, "--result", "tiny", "--resize", "100")
    assert done.returncode == 0, done.stderr
    assert "downloaded 40 images" in done.stdout and "images/s" in done.stdout and "MB/s" in done.stdout
    _check_images(db_dsn, tmp_path, ids, 256)
    resized = [p for p in _jpgs(tmp_path) if p.parent.name == "256_resized_100"]
    assert len(resized) == 40
    with Image.open(resized[0]) as small, Image.open(resized[0].parent.parent / "256" / resized[0].name) as big:
        assert max(small.size) == 100
        assert abs(small.size[0] / small.size[1] - big.size[0] / big.size[1]) < 0.02  # aspect kept
    assert {s for s, _ in _downloads(db_dsn).values()} == {"done"}
    served = simulator.stats["requests"].get("thumbs", 0)
    again = _download(db_dsn, simulator, tmp_path, "--result", "tiny")
    assert again.returncode == 0 and "40 already stored" in again.stdout
    assert simulator.stats["requests"].get("thumbs", 0) == served  # nothing fetched twice
    assert not (tmp_path / ".partial").exists()


def test_short_expiry_and_5xx_faults_then_sigkill_and_restart(db_dsn: str, world, tmp_path: Path) -> None:  # noqa: ANN001
    from etl.simulator.config import SimulatorConfig
    from etl.simulator.server import SimulatorServer

    ids = load_world_images(db_dsn, world, 120)
    faults = FaultConfig(error_5xx_rate=0.15, slow_rate=0.05, slow_seconds=0.5)
    with SimulatorServer(SimulatorConfig(world=world, rate_limits={}, url_expiry_seconds=1.0, faults=faults)) as sim:
        args = [sys.executable, "-m", "etl", "images", "download", "--result", "tiny", "--size", "256",
                "--out", str(tmp_path), "--graph-url", sim.base_url, "--backoff", "0.05", "--concurrency", "4",
                "--max-retries", "8"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("MLYETL_", "PG"))} | cli_env(db_dsn)
        proc = subprocess.Popen(args, env=env, cwd=PROJECT_ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        deadline = time.monotonic() + 60
        while len(_jpgs(tmp_path)) < 30 and time.monotonic() < deadline and proc.poll() is None:
            time.sleep(0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        killed_at = len(_jpgs(tmp_path))
        assert 0 < killed_at < len(ids), "the kill should land mid-run"
        time.sleep(1.5)  # every URL the killed run fetched has expired by now
        done = _download(db_dsn, sim, tmp_path, "--result", "tiny", "--concurrency", "4", "--max-retries", "8")
        assert done.returncode == 0, done.stderr
        stats = sim.stats
    assert stats["faults"].get("500", 0) + stats["faults"].get("502", 0) + stats["faults"].get("503", 0) > 0
    _check_images(db_dsn, tmp_path, ids, 256)
    assert {s for s, _ in _downloads(db_dsn).values()} == {"done"} and len(_downloads(db_dsn)) == len(ids)
    assert not list(tmp_path.rglob("*.part")) and not list(tmp_path.rglob("*.raw"))


def test_failures_are_stored_with_a_reason_and_retried_on_request(db_dsn: str, simulator, world, tmp_path: Path) -> None:  # noqa: ANN001
    ids = load_world_images(db_dsn, world, 20)
    simulator.set_faults(FaultConfig(error_5xx_rate=1.0, endpoints=frozenset({"thumbs"})))
    failed = _download(db_dsn, simulator, tmp_path, "--result", "tiny", "--max-retries", "1")
    assert failed.returncode == 1, failed.stderr  # any failed image: a non-zero exit
    assert "20 image(s) failed" in failed.stderr and "--retry-failed" in failed.stderr
    outcomes = _downloads(db_dsn)
    assert len(outcomes) == 20 and all(s == "failed" and e and "HTTP 5" in e for s, e in outcomes.values())
    assert "--retry-failed" in failed.stdout
    simulator.set_faults("")
    skipped = _download(db_dsn, simulator, tmp_path, "--result", "tiny")
    assert "downloaded 0 images" in skipped.stdout  # failures wait for --retry-failed
    retried = _download(db_dsn, simulator, tmp_path, "--result", "tiny", "--retry-failed")
    assert retried.returncode == 0 and "downloaded 20 images" in retried.stdout
    _check_images(db_dsn, tmp_path, ids, 256)
    assert {s for s, _ in _downloads(db_dsn).values()} == {"done"}


def test_a_bad_token_stops_with_one_line_and_no_secret(db_dsn: str, simulator, world, tmp_path: Path) -> None:  # noqa: ANN001
    load_world_images(db_dsn, world, 5)
    done = run_cli("images", "download", "--result", "tiny", "--size", "256", "--out", str(tmp_path),
                   "--graph-url", simulator.base_url, env=cli_env(db_dsn, MAPILLARY_TOKEN="MLY|1|wrongsecret"))
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "refused the token" in lines[0] and "wrongsecret" not in done.stderr + done.stdout


def test_download_one_shard_of_an_export(db_dsn: str, simulator, world, tmp_path: Path) -> None:  # noqa: ANN001
    ids = load_world_images(db_dsn, world, 30)
    exported = run_cli("export", "csv", "--result", "tiny", "--shards", "3", "--out", str(tmp_path / "csv"),
                       env={"MLYETL_DSN": db_dsn})
    assert exported.returncode == 0, exported.stderr
    manifest = json.loads((tmp_path / "csv" / "manifest-all.json").read_text())
    shard = manifest["files"][1]
    shard_ids = [int(line.split(",")[0]) for line in (tmp_path / "csv" / shard["path"]).read_text().splitlines()[1:]]
    done = _download(db_dsn, simulator, tmp_path / "img", "--shard", str(tmp_path / "csv" / shard["path"]))
    assert done.returncode == 0, done.stderr
    assert sorted(int(p.stem) for p in _jpgs(tmp_path / "img")) == sorted(shard_ids)
    assert set(shard_ids) < set(ids) and len(shard_ids) == shard["rows"]


def test_urls_that_are_always_expired_fail_with_that_reason(db_dsn: str, world, tmp_path: Path) -> None:  # noqa: ANN001
    from etl.simulator.config import SimulatorConfig
    from etl.simulator.server import SimulatorServer

    load_world_images(db_dsn, world, 3)
    with SimulatorServer(SimulatorConfig(world=world, rate_limits={}, url_expiry_seconds=-60)) as sim:
        done = _download(db_dsn, sim, tmp_path, "--result", "tiny")
        stats = sim.stats
    assert done.returncode == 1, done.stderr
    outcomes = _downloads(db_dsn)
    assert len(outcomes) == 3 and all(s == "failed" and "expired" in e for s, e in outcomes.values())
    # one batch call, then a fresh URL per image and retry, three times each
    assert stats["requests"]["entities"] + stats["requests"].get("entity", 0) == 1 + 3 * 3
    assert stats["requests"]["thumbs"] == 3 * 4


def test_url_refresh_finds_a_low_allowance_and_downloads_everything(db_dsn: str, world, tmp_path: Path) -> None:  # noqa: ANN001
    from etl.simulator.config import SimulatorConfig
    from etl.simulator.ratelimit import parse_rate_limits
    from etl.simulator.server import SimulatorServer

    ids = load_world_images(db_dsn, world, 60)
    # 15 URL batches of 4 (--concurrency 2), several asked at once, against 2 entity calls a second
    limits = parse_rate_limits("search=off,entity=2/s,tiles=off")
    with SimulatorServer(SimulatorConfig(world=world, rate_limits=limits, latency_s=0.2)) as sim:
        done = _download(db_dsn, sim, tmp_path, "--result", "tiny", "--concurrency", "2", timeout=180)
        stats = sim.stats
    assert done.returncode == 0, done.stderr
    _check_images(db_dsn, tmp_path, ids, 256)
    refused, calls = stats["faults"].get("rate_limited", 0), stats["requests"]["entities"]
    assert refused > 0, "the allowance was never reached: nothing to adapt to"
    assert calls - refused == 15 and refused <= calls // 2, (calls, refused)
