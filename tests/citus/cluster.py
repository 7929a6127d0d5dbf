"""A real local Citus cluster for the tests and benchmarks: a coordinator and N workers,
each an embedded cluster (etl/db/cluster.py) in its own data directory on this machine,
with `citus` preloaded. The nodes talk over 127.0.0.1, where this throwaway cluster
trusts its own user (the embedded cluster's generated passwords differ per node).

Citus itself comes from its packages or image on users' machines; here `make test` builds
it from ../shared/vendor/citus when the server lacks it (scripts/ensure-citus.sh).
"""

from __future__ import annotations

import asyncio
import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg

from etl.db.binaries import find_binaries
from etl.db.cluster import DB_USER, EmbeddedCluster, remove_cluster_files

# Later than mlyetl.conf in postgresql.conf: wins where both set something. Small memory
# (three servers share one machine with the rest of the suite), few shards (each filter
# result adds three partitions, each with a shard per colocation group member). No SSL
# between the nodes: the servers run with the test runner's HOME, whose ~/.postgresql the
# server user may not read.
CITUS_SETTINGS = """\
shared_preload_libraries = 'citus'
shared_buffers = '{shared_buffers}'
max_connections = 200
citus.shard_count = {shards}
max_worker_processes = 16
wal_level = logical
citus.node_conninfo = 'sslmode=disable'
"""


class CitusCluster:
    def __init__(self, base: Path, workers: int = 2, shards: int = 8, shared_buffers: str = "128MB") -> None:
        self.base = base
        self.shards, self.shared_buffers = shards, shared_buffers
        self.coordinator = EmbeddedCluster(base / "coordinator")
        self.workers = [EmbeddedCluster(base / f"worker{i + 1}") for i in range(workers)]

    @property
    def nodes(self) -> list[EmbeddedCluster]:
        return [self.coordinator, *self.workers]

    def _configure(self, node: EmbeddedCluster) -> None:
        conf = node.pgdata / "citus.conf"
        if conf.exists():
            return
        conf.write_text(CITUS_SETTINGS.format(shards=self.shards, shared_buffers=self.shared_buffers))
        os.chown(conf, node.pgdata.stat().st_uid, node.pgdata.stat().st_gid)
        with open(node.pgdata / "postgresql.conf", "a", encoding="utf-8") as out:
            out.write("\ninclude 'citus.conf'\n")
        hba = node.pgdata / "pg_hba.conf"
        hba.write_text(f"host all {DB_USER} 127.0.0.1/32 trust\n" + hba.read_text())

    def start(self) -> None:
        for node in self.nodes:
            if not node.is_initialized():
                node.initialize()
            self._configure(node)
            node.ensure_running()

    def restart_node(self, node: EmbeddedCluster, down_s: float) -> None:
        """Stop a node (fast shutdown: its connections are cut), wait, start it on the same
        port (the coordinator's metadata names it; EmbeddedCluster.start may pick another)."""
        import time

        port = node.port()
        node.stop()
        time.sleep(down_s)
        node._run_as_server(["pg_ctl", "-D", str(node.pgdata), "-l", str(node.log_file), "-w", "-t", "60",
                             "-o", f"-p {port}", "start"])

    def stop(self) -> None:
        for node in reversed(self.nodes):
            node.stop()

    def dsn(self, node: EmbeddedCluster, database: str) -> str:
        return f"postgresql://{DB_USER}@127.0.0.1:{node.port()}/{database}"

    async def create_database(self, name: str) -> str:
        """A new database on every node with citus + PostGIS, the workers added; its
        coordinator DSN (the schema is not there yet)."""
        for node in self.nodes:
            conn = await asyncpg.connect(self.dsn(node, "postgres"))
            try:
                await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
                await conn.execute(f"CREATE DATABASE {name}")
            finally:
                await conn.close()
            conn = await asyncpg.connect(self.dsn(node, name))
            try:
                await conn.execute("CREATE EXTENSION citus")
                await conn.execute("CREATE EXTENSION postgis")
            finally:
                await conn.close()
        conn = await asyncpg.connect(self.dsn(self.coordinator, name))
        try:
            await conn.execute("SELECT citus_set_coordinator_host('127.0.0.1', $1)", self.coordinator.port())
            for worker in self.workers:
                await conn.execute("SELECT citus_add_node('127.0.0.1', $1)", worker.port())
        finally:
            await conn.close()
        return self.dsn(self.coordinator, name)

    async def drop_database(self, name: str) -> None:
        for node in self.nodes:
            conn = await asyncpg.connect(self.dsn(node, "postgres"))
            try:
                await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            finally:
                await conn.close()


def citus_installed() -> bool:
    """Does the server the embedded clusters run have Citus?"""
    return (find_binaries().postgis_control_file().parent / "citus.control").exists()


@contextmanager
def local_cluster(workers: int = 2, **settings) -> Iterator[CitusCluster]:
    """A started throwaway cluster, stopped and removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="mlyetl-citus-"))
    base.chmod(base.stat().st_mode | stat.S_IRWXU | stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
    cluster = CitusCluster(base, workers, **settings)
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.stop()
        remove_cluster_files(base)


def run(coro):  # noqa: ANN001, ANN201
    return asyncio.run(coro)
