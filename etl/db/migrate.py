"""Alembic glue: upgrade, downgrade and report the schema version.

Migrations run over an asyncpg connection wrapped by SQLAlchemy, inside one
transaction holding an advisory lock, so that two processes starting at once
(two crawlers, say) never migrate the same database twice.

Alembic and SQLAlchemy are imported only when a migration runs: they take
~0.5 s to import, and every command checks the schema version first.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from functools import cache
from typing import TYPE_CHECKING

import asyncpg

from etl.db import citus
from etl.db.connect import connect
from etl.db.target import DatabaseTarget
from etl.errors import UserInputError
from etl.paths import MIGRATIONS_DIR
from etl.qgis.styles import install_base_styles

if TYPE_CHECKING:
    from alembic.config import Config
    from sqlalchemy import Connection

MIGRATION_LOCK_ID = 0x6D6C7965  # 'mlye': serialises migrations across processes
_REVISION_LINE = re.compile(r'^(down_revision|revision)\s*(?::[^=]*)?=\s*(?:"([^"]*)"|None)', re.M)


def _config(connection: Connection | None = None) -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["connection"] = connection
    return config


@cache
def head_revision() -> str:
    """The newest revision: the one no migration names as its down_revision.

    Read from the migration files' `revision = "..."` lines, without alembic (see the
    module docstring); tests/db checks it against alembic's own answer.
    """
    revisions, parents = set(), set()
    for path in (MIGRATIONS_DIR / "versions").glob("*.py"):
        for key, value in _REVISION_LINE.findall(path.read_text()):
            (revisions if key == "revision" else parents).add(value or None)
    heads = revisions - parents
    if len(heads) != 1:
        raise RuntimeError(f"migrations must have exactly one head, found {sorted(map(str, heads))}")
    return heads.pop() or "base"


def alembic_head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_config()).get_current_head() or "base"


async def check_postgis(conn: asyncpg.Connection) -> None:
    """Fail with the fix when the database cannot have PostGIS or we may not create it."""
    installed = await conn.fetchval("SELECT extversion FROM pg_extension WHERE extname = 'postgis'")
    if installed:
        return
    available = await conn.fetchval("SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'")
    if not available:
        raise UserInputError(
            "the database server has no PostGIS",
            hint="install PostGIS on the server (Debian: postgresql-NN-postgis-3) or use the embedded cluster",
        )
    may_create = await conn.fetchval("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
    if not may_create:
        raise UserInputError(
            "the database has no PostGIS and this user may not add it",
            hint="as a superuser run: CREATE EXTENSION postgis;",
        )


async def _with_alembic(target: DatabaseTarget | str, action: Callable[[Connection], object]) -> object:
    from alembic.util.exc import CommandError
    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import create_async_engine
    from sqlalchemy.pool import NullPool

    probe = await connect(target)
    try:
        await check_postgis(probe)
    finally:
        await probe.close()
    dsn = target if isinstance(target, str) else target.connection_dsn()
    engine = create_async_engine(
        "postgresql+asyncpg://", async_creator=lambda: asyncpg.connect(dsn or None), poolclass=NullPool
    )

    def run(sync_conn: Connection) -> object:
        sync_conn.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": MIGRATION_LOCK_ID})
        result = action(sync_conn)
        sync_conn.commit()
        return result

    try:
        async with engine.connect() as conn:
            return await conn.run_sync(run)
    except CommandError as error:
        raise UserInputError(f"migration failed: {error}", hint="'mlyetl db migrate' without --revision goes to the latest") from None
    finally:
        await engine.dispose()


def _current(sync_conn: Connection) -> str:
    from alembic.runtime.migration import MigrationContext

    return MigrationContext.configure(sync_conn).get_current_revision() or "base"


async def current_revision(target: DatabaseTarget | str) -> str:
    return str(await _with_alembic(target, _current))


async def upgrade(target: DatabaseTarget | str, revision: str = "head") -> str:
    def action(sync_conn: Connection) -> str:
        from alembic import command

        command.upgrade(_config(sync_conn), revision)
        return _current(sync_conn)

    result = str(await _with_alembic(target, action))
    if result == head_revision():
        await distribute(target)
    return result


async def distribute(target: DatabaseTarget | str) -> list[str]:
    """After the migrations: on a Citus coordinator, place the tables (etl/db/citus.py);
    nothing on a single server. Under the migration lock, so two processes never race."""
    conn = await connect(target)
    try:
        if not await citus.is_citus(conn):
            return []
        # a session lock (each create_distributed_table commits on its own)
        await conn.execute("SELECT pg_advisory_lock($1)", MIGRATION_LOCK_ID)
        return await citus.distribute(conn)
    finally:
        await conn.close()  # releases the lock


async def downgrade(target: DatabaseTarget | str, revision: str = "base") -> str:
    def action(sync_conn: Connection) -> str:
        from alembic import command

        command.downgrade(_config(sync_conn), revision)
        return _current(sync_conn)

    return str(await _with_alembic(target, action))


async def ensure_schema(target: DatabaseTarget | str) -> None:
    """Bring the schema to head if it is behind, and the QGIS styles in place.

    Every command that needs the database calls this first.
    """
    conn = await connect(target)
    try:
        has_table = await conn.fetchval("SELECT to_regclass('public.alembic_version') IS NOT NULL")
        version = await conn.fetchval("SELECT version_num FROM alembic_version") if has_table else None
        if version != head_revision():
            await upgrade(target)
        elif await citus.is_citus(conn):
            await distribute(target)  # a table another node's migration made, a new worker: cheap when done
        await install_base_styles(conn)
    finally:
        await conn.close()


def run(coro):  # noqa: ANN001, ANN201 - a tiny helper for the CLI layer
    return asyncio.run(coro)
