"""The embedded server stops runaway and orphaned queries on its own (mlyetl.conf):
a query whose client was killed is cancelled within seconds, and temporary files are
capped (temp_file_limit) at a share of the disk space free when the server started."""

from __future__ import annotations

import asyncio
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator

import asyncpg
import pytest

from etl.db.cluster import (
    MIN_TEMP_FILE_LIMIT_MB,
    TEMP_FILE_SHARE,
    EmbeddedCluster,
    guard_settings,
)
from tests.dbserver import throwaway_cluster

APP = "mlyetl-orphan-test"


@pytest.fixture(scope="module")
def cluster() -> Iterator[EmbeddedCluster]:
    with throwaway_cluster("mlyetl-guards-test-") as cluster:
        yield cluster


async def _fetch(dsn: str, sql: str, *args: object) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(dsn)
    try:
        return await conn.fetch(sql, *args)
    finally:
        await conn.close()


def _setting(dsn: str, name: str) -> asyncpg.Record:
    (row,) = asyncio.run(_fetch(dsn, "SELECT setting, unit, source, sourcefile FROM pg_settings WHERE name = $1", name))
    return row


def test_guard_settings_come_from_mlyetl_conf(cluster: EmbeddedCluster) -> None:
    dsn = cluster.socket_dsn()
    limit = _setting(dsn, "temp_file_limit")
    assert limit["source"] == "configuration file" and limit["sourcefile"].endswith("/mlyetl.conf")
    assert limit["unit"] == "kB"
    limit_mb = int(limit["setting"]) // 1024
    # a share of the space free at start: the free space has barely moved since
    expected_mb = max(MIN_TEMP_FILE_LIMIT_MB, shutil.disk_usage(cluster.pgdata).free * TEMP_FILE_SHARE // 2**20)
    assert limit_mb == pytest.approx(expected_mb, rel=0.05)

    check = _setting(dsn, "client_connection_check_interval")
    assert check["sourcefile"].endswith("/mlyetl.conf") and int(check["setting"]) == 5000  # ms

    text = guard_settings(cluster.pgdata, 13)  # no such setting before PostgreSQL 14: the server would not start
    assert "temp_file_limit" in text and "client_connection_check_interval" not in text


def _active(dsn: str) -> list[asyncpg.Record]:
    return asyncio.run(_fetch(dsn, "SELECT pid, state, query FROM pg_stat_activity WHERE application_name = $1", APP))


def test_a_query_whose_client_was_killed_is_cancelled(cluster: EmbeddedCluster) -> None:
    dsn = cluster.socket_dsn()
    client = subprocess.Popen(
        ["psql", dsn, "-X", "-q", "-c", "SELECT pg_sleep(600)"], env={"PGAPPNAME": APP, "PATH": "/usr/bin:/bin"},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 30
        while not [r for r in _active(dsn) if r["state"] == "active"]:
            assert time.monotonic() < deadline, "the query never started"
            time.sleep(0.2)
    finally:
        client.send_signal(signal.SIGKILL)  # the client dies without a word to the server
        client.wait()
    killed_at = time.monotonic()
    while _active(dsn):  # without client_connection_check_interval it would sleep its 600 s
        assert time.monotonic() - killed_at < 30, "the orphaned query still runs"
        time.sleep(0.2)
    assert "connection to client lost" in cluster.log_file.read_text(errors="replace")
