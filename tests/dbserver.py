"""The PostGIS server the test suite runs against, chosen like the issue asks:

`MLYETL_TEST_DSN` (an admin DSN: it must be allowed to CREATE DATABASE) when set,
else a testcontainers PostGIS when a Docker engine answers, else the embedded
cluster (the same code the CLI uses) in a throwaway data directory.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from etl.db.cluster import EmbeddedCluster, remove_cluster_files


def with_database(dsn: str, database: str) -> str:
    """`dsn` pointing at another database on the same server."""
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def _docker_answers() -> bool:
    try:
        import docker  # testcontainers' dependency

        client = docker.from_env(timeout=3)
        client.ping()
        return True
    except Exception:  # no engine, no socket, no permission: fall back to embedded
        return False


@contextmanager
def _embedded() -> Iterator[tuple[str, str]]:
    # mkdtemp makes a 0700 folder; the server user (postgres, when we are root) must enter it.
    base = Path(tempfile.mkdtemp(prefix="mlyetl-test-"))
    base.chmod(base.stat().st_mode | stat.S_IRWXU | stat.S_IXGRP | stat.S_IXOTH | stat.S_IRGRP | stat.S_IROTH)
    cluster = EmbeddedCluster(base / "cluster")
    try:
        cluster.ensure_running()
        yield with_database(cluster.socket_dsn(), "postgres"), "embedded cluster"
    finally:
        cluster.stop()
        remove_cluster_files(base)


@contextmanager
def _container() -> Iterator[tuple[str, str]]:
    from testcontainers.postgres import PostgresContainer

    with PostgresContainer("postgis/postgis:16-3.4", driver=None) as pg:
        yield pg.get_connection_url(), "testcontainers postgis/postgis:16-3.4"


@contextmanager
def test_server() -> Iterator[tuple[str, str]]:
    """Yield (admin DSN, description) of the server for this test session."""
    if os.environ.get("MLYETL_TEST_DSN"):
        yield os.environ["MLYETL_TEST_DSN"], "MLYETL_TEST_DSN"
    elif _docker_answers():
        with _container() as server:
            yield server
    else:
        with _embedded() as server:
            yield server
