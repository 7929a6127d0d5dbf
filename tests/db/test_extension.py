"""`mlyetl db install-extension`: the C spacing walk built for the server that loads it.

(The wheel test installs it from an installed package; these run from the checkout.)
"""

from __future__ import annotations

import asyncio
import os
import tempfile
from pathlib import Path

import asyncpg

from etl.paths import EXT_DIR
from tests.conftest import run_cli


def test_the_extension_is_not_trusted() -> None:
    control = (EXT_DIR / "mlyetl_spacing" / "mlyetl_spacing.control").read_text()
    assert not [line for line in control.splitlines() if line.strip().startswith("trusted")]


async def _trusted(dsn: str) -> list[bool]:
    conn = await asyncpg.connect(dsn)
    try:
        return [r["trusted"] for r in await conn.fetch(
            "SELECT trusted FROM pg_available_extension_versions WHERE name = 'mlyetl_spacing'")]
    finally:
        await conn.close()


def test_the_server_does_not_offer_it_as_trusted(db_dsn: str) -> None:
    # 1.3 if installed, and any older version whose install script an earlier install left
    assert set(asyncio.run(_trusted(db_dsn))) <= {False}


def test_a_pg_config_of_another_version_is_refused(db_dsn: str, tmp_path: Path) -> None:
    other = tmp_path / "pg_config"
    other.write_text('#!/bin/sh\necho "PostgreSQL 9.6.24"\n')
    other.chmod(0o755)
    done = run_cli("db", "install-extension", "--dsn", db_dsn, "--pg-config", str(other))
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "is for PostgreSQL 9 but the server runs PostgreSQL" in done.stderr


def test_embedded_target_builds_with_the_clusters_binaries_without_starting_one() -> None:
    base = Path(tempfile.mkdtemp(prefix="mlyetl-ext-test-"))
    data_dir = base / "never-created"
    sources = sorted((EXT_DIR / "mlyetl_spacing").iterdir())
    done = run_cli("db", "install-extension", "--data-dir", str(data_dir), timeout=300)
    assert not data_dir.exists()  # no cluster was made just to ask it where it lives
    base.rmdir()
    if os.geteuid() != 0:  # a system PostgreSQL's folders are root's
        assert done.returncode == 2 and "run this command as root" in done.stderr
        return
    assert done.returncode == 0, done.stderr
    assert "installed mlyetl_spacing 1.3 for PostgreSQL" in done.stdout
    pg_config = done.stdout.split("(with ")[1].split(")")[0]
    assert Path(pg_config).parent.joinpath("postgres").exists()  # beside the server binaries
    assert sorted((EXT_DIR / "mlyetl_spacing").iterdir()) == sources  # built in a temporary copy
