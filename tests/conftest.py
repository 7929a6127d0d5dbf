"""Shared fixtures: an isolated PostGIS database per test, and the CLI as a subprocess."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path

import asyncpg
import pytest

from etl.db import migrate
from tests.dbserver import test_server, with_database

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SERVER_FACTS = pytest.StashKey[str]()


async def run_statements(dsn: str, *statements: str) -> None:
    """Run the statements in order on one connection, each outside a transaction block (CREATE DATABASE, ...)."""
    conn = await asyncpg.connect(dsn)
    try:
        for sql in statements:
            await conn.execute(sql)
    finally:
        await conn.close()


async def _versions(dsn: str) -> str:
    conn = await asyncpg.connect(dsn)
    try:
        server = await conn.fetchval("SHOW server_version")
        postgis = await conn.fetchval("SELECT postgis_full_version()")
    finally:
        await conn.close()
    return f"PostgreSQL {server}; {postgis.split(' GEOS')[0]}"


@pytest.fixture(scope="session")
def pg_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """Admin DSN of the session's PostGIS server."""
    with test_server() as (admin_dsn, description):
        request.config.stash[SERVER_FACTS] = description
        yield admin_dsn


@pytest.fixture(scope="session")
def template_database(pg_server: str, request: pytest.FixtureRequest) -> str:
    """A database migrated to head, cloned for each test (cloning is much faster than migrating)."""
    name = f"mlyetl_template_{os.getpid()}"
    asyncio.run(run_statements(pg_server, f"DROP DATABASE IF EXISTS {name}", f"CREATE DATABASE {name}"))
    dsn = with_database(pg_server, name)
    asyncio.run(migrate.upgrade(dsn))
    facts = asyncio.run(_versions(dsn))
    request.config.stash[SERVER_FACTS] = f"{request.config.stash[SERVER_FACTS]}: {facts}"
    yield name
    asyncio.run(run_statements(pg_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


def _fresh_database(pg_server: str, template: str) -> Iterator[str]:
    name = f"t_{uuid.uuid4().hex[:12]}"
    asyncio.run(run_statements(pg_server, f"CREATE DATABASE {name} TEMPLATE {template}"))
    yield with_database(pg_server, name)
    asyncio.run(run_statements(pg_server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))


@pytest.fixture
def db_dsn(pg_server: str, template_database: str) -> Iterator[str]:
    """DSN of a fresh database with PostGIS and the schema at head, dropped after the test."""
    yield from _fresh_database(pg_server, template_database)


@pytest.fixture
def empty_db_dsn(pg_server: str) -> Iterator[str]:
    """DSN of a fresh, empty database (no PostGIS, no schema)."""
    yield from _fresh_database(pg_server, "template0")


def run_cli(*args: str, env: dict[str, str] | None = None, timeout: float = 120,
            input: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run `mlyetl ARGS` in a subprocess, as a user would."""
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("MLYETL_", "PG"))}
    full_env.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "etl", *args], capture_output=True, text=True,
        env=full_env, timeout=timeout, input=input, cwd=PROJECT_ROOT,
    )


def pytest_terminal_summary(terminalreporter, exitstatus, config) -> None:  # noqa: ANN001
    facts = config.stash.get(SERVER_FACTS, None)
    if facts:
        terminalreporter.write_line(f"database tests ran on: {facts}")
