"""Fixtures for the Citus tests: one local cluster (coordinator + 2 workers, three data
directories) for the session, a fresh migrated database on it per test."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import pytest

from etl.db import migrate
from tests.citus.cluster import CitusCluster, citus_installed, local_cluster


@pytest.fixture(scope="session")
def citus_cluster() -> Iterator[CitusCluster]:
    if not citus_installed():
        pytest.fail("Citus is not installed in the PostgreSQL server: run 'make test' (scripts/ensure-citus.sh "
                    "builds it from ../shared/vendor/citus) or install Citus", pytrace=False)
    with local_cluster(workers=2) as cluster:
        yield cluster


@pytest.fixture
def citus_empty_dsn(citus_cluster: CitusCluster) -> Iterator[str]:
    """A new database on every node with citus and PostGIS, workers added, no schema."""
    name = f"c_{uuid.uuid4().hex[:12]}"
    yield asyncio.run(citus_cluster.create_database(name))
    asyncio.run(citus_cluster.drop_database(name))


@pytest.fixture
def citus_dsn(citus_empty_dsn: str) -> str:
    """... with the schema migrated (and so distributed)."""
    asyncio.run(migrate.ensure_schema(citus_empty_dsn))
    return citus_empty_dsn
