"""Helpers shared by the benchmarks: a fresh migrated database, CPU seconds from /proc."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import asyncpg

from etl.db import migrate


def with_database(dsn: str, name: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(dsn)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


async def fresh_database(admin_dsn: str, name: str) -> str:
    """Drop and create database `name` (the admin DSN may CREATE DATABASE), migrate it; its DSN."""
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.execute(f"CREATE DATABASE {name}")
    finally:
        await conn.close()
    dsn = with_database(admin_dsn, name)
    await migrate.upgrade(dsn)
    return dsn


def process_cpu_s(pid: int) -> float:
    """utime + stime of a running process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu_s(data_dir: str | Path | None) -> float | None:
    """CPU seconds of an embedded cluster so far: the postmaster plus its reaped children
    (backends, parallel workers); None when there is no such cluster (another server)."""
    try:
        pid = int((Path(data_dir) / "pgdata" / "postmaster.pid").read_text().split()[0])  # type: ignore[arg-type]
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (TypeError, OSError, ValueError, IndexError):
        return None
    return sum(int(f) for f in fields[11:15]) / os.sysconf("SC_CLK_TCK")
