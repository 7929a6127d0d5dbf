"""Bad database inputs: one clear line, the documented exit code, nothing lost."""

from __future__ import annotations

import asyncio
import socket
from urllib.parse import urlsplit

import asyncpg

from tests.conftest import run_cli
from tests.dbserver import with_database


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _one_error_line(stderr: str) -> str:
    lines = [line for line in stderr.splitlines() if line.strip()]
    assert len(lines) == 1, stderr
    assert lines[0].startswith("mlyetl: error: ")
    return lines[0]


def test_unreachable_dsn_is_one_line_exit_1() -> None:
    result = run_cli("db", "migrate", env={"MLYETL_DSN": f"postgresql://someone@127.0.0.1:{_free_port()}/x"})
    assert result.returncode == 1
    line = _one_error_line(result.stderr)
    assert "cannot connect" in line and "MLYETL_DSN" in line


def test_malformed_dsn_is_bad_input_exit_2() -> None:
    result = run_cli("db", "migrate", "--dsn", "postgresql://u@host:notaport/db")
    assert result.returncode == 2
    assert "not valid" in _one_error_line(result.stderr)


async def _make_role(admin_dsn: str, role: str, password: str, database: str) -> None:
    conn = await asyncpg.connect(admin_dsn)
    try:
        await conn.execute(f"DROP ROLE IF EXISTS {role}")
        await conn.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
        await conn.execute(f"CREATE DATABASE {database} OWNER {role}")
    finally:
        await conn.close()


def _tcp_dsn(admin_dsn: str, role: str, password: str, database: str) -> str:
    parts = urlsplit(admin_dsn)
    query = dict(q.split("=", 1) for q in parts.query.split("&") if q)
    port = parts.port or query.get("port")
    return f"postgresql://{role}:{password}@127.0.0.1:{port}/{database}"


def test_wrong_password_is_bad_input_and_never_printed(pg_server: str) -> None:
    asyncio.run(_make_role(pg_server, "mlyetl_pw_test", "right-secret-1", "mlyetl_pw_db"))
    dsn = _tcp_dsn(pg_server, "mlyetl_pw_test", "wrong-secret-2", "mlyetl_pw_db")
    result = run_cli("db", "status", "--dsn", dsn)
    assert result.returncode == 2
    line = _one_error_line(result.stderr)
    assert "refused the login" in line
    assert "wrong-secret-2" not in result.stderr + result.stdout


def test_database_without_postgis_names_the_fix(pg_server: str) -> None:
    asyncio.run(_make_role(pg_server, "mlyetl_nopostgis", "pw-np-3", "mlyetl_nopostgis_db"))
    dsn = _tcp_dsn(pg_server, "mlyetl_nopostgis", "pw-np-3", "mlyetl_nopostgis_db")
    result = run_cli("db", "migrate", "--dsn", dsn)
    assert result.returncode == 2
    assert "CREATE EXTENSION postgis" in _one_error_line(result.stderr)


def test_unwritable_data_dir_is_bad_input(tmp_path) -> None:  # noqa: ANN001
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("db", "start", "--data-dir", str(blocker / "cluster"))
    assert result.returncode == 2
    assert "cannot write the data directory" in _one_error_line(result.stderr)
    assert blocker.read_text() == "not a folder"


def test_existing_data_is_kept_when_a_command_fails(db_dsn: str) -> None:
    async def count() -> int:
        conn = await asyncpg.connect(db_dsn)
        try:
            return await conn.fetchval("SELECT count(*) FROM runs")
        finally:
            await conn.close()

    async def insert() -> None:
        conn = await asyncpg.connect(db_dsn)
        try:
            await conn.execute("INSERT INTO runs (kind) VALUES ('test')")
        finally:
            await conn.close()

    asyncio.run(insert())
    bad = run_cli("db", "migrate", "--revision", "no-such-revision", "--dsn", db_dsn)
    assert bad.returncode != 0
    assert asyncio.run(count()) == 1
    good = run_cli("db", "status", "--dsn", db_dsn)
    assert good.returncode == 0, good.stderr
    assert "PostGIS 3" in good.stdout
