"""Errors from below that are not bugs become one clear line (etl.errors.explain)."""

from __future__ import annotations

import asyncio
import errno

import asyncpg
import pytest

from etl.errors import RunFailure, UserInputError, explain


def test_a_query_over_temp_file_limit_is_explained(db_dsn: str) -> None:
    async def run() -> BaseException:
        conn = await asyncpg.connect(db_dsn)
        try:
            await conn.execute("SET temp_file_limit = '64kB'; SET work_mem = '64kB'")
            with pytest.raises(asyncpg.PostgresError) as caught:
                await conn.fetchval("SELECT count(*) FROM (SELECT g FROM generate_series(1, 200000) g ORDER BY g DESC) s")
            return caught.value
        finally:
            await conn.close()

    known = explain(asyncio.run(run()))
    assert isinstance(known, RunFailure) and "temp_file_limit" in known.one_line()


def test_file_system_errors_are_explained_and_connection_errors_are_not() -> None:
    full = explain(OSError(errno.ENOSPC, "No space left on device", "/tmp/x.csv"))
    assert isinstance(full, UserInputError) and "/tmp/x.csv" in full.one_line() and "file system /" in full.one_line()
    assert "disk is full" in explain(OSError(errno.ENOSPC, "No space left on device")).one_line()
    assert "Permission denied" in explain(PermissionError(errno.EACCES, "Permission denied", "/root/x")).one_line()
    assert explain(ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused")) is None
    assert explain(ValueError("a bug")) is None
