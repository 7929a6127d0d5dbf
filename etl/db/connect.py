"""Opening asyncpg connections and pools, with errors a user can act on.

asyncpg errors are mapped by SQLSTATE class (never by message text) to one-line
`EtlError`s; the DSN in a message is always redacted.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import asyncpg

from etl.db.codecs import init_connection
from etl.db.target import DatabaseTarget, redact_dsn
from etl.errors import RunFailure, UserInputError

CONNECT_TIMEOUT_S = 10


def _translate(error: BaseException, where: str) -> Exception:
    if isinstance(error, (asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError)):
        return UserInputError(
            f"the database at {where} refused the login: {error}",
            hint="check the user and password (a .pgpass file or PGPASSWORD keeps it out of the DSN)",
        )
    if isinstance(error, asyncpg.InvalidCatalogNameError):
        return UserInputError(f"the database at {where} does not exist: {error}", hint="create it or fix the DSN")
    if isinstance(error, (ValueError, asyncpg.ClientConfigurationError)):
        return UserInputError(f"the DSN {where} is not valid: {error}", hint="use postgresql://user@host:port/dbname")
    reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return RunFailure(
        f"cannot connect to the database at {where}: {reason}",
        hint="is the server running? check --dsn / MLYETL_DSN, or unset them to use the embedded cluster",
    )


def _dsn(target: DatabaseTarget | str) -> str:
    if isinstance(target, str):
        return target
    if target.cluster is not None and not target.cluster.is_initialized():
        raise UserInputError(f"the embedded cluster in {target.cluster.data_dir} does not exist yet",
                             hint="create and start it: mlyetl db start (from Python: target.start())")
    return target.connection_dsn()


async def connect(target: DatabaseTarget | str, **kwargs) -> asyncpg.Connection:
    dsn = _dsn(target)
    try:
        conn = await asyncpg.connect(dsn or None, timeout=CONNECT_TIMEOUT_S, **kwargs)
        await init_connection(conn)
        return conn
    except (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as error:
        raise _translate(error, redact_dsn(dsn) if dsn else "the PG* environment") from None


async def create_pool(target: DatabaseTarget | str, min_size: int = 1, max_size: int = 4, **kwargs) -> asyncpg.Pool:
    dsn = _dsn(target)
    try:
        return await asyncpg.create_pool(
            dsn or None, min_size=min_size, max_size=max_size, timeout=CONNECT_TIMEOUT_S, init=init_connection,
            **kwargs
        )
    except (OSError, asyncio.TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError, ValueError) as error:
        raise _translate(error, redact_dsn(dsn) if dsn else "the PG* environment") from None


@contextlib.asynccontextmanager
async def connection(target: DatabaseTarget | str, **kwargs) -> AsyncIterator[asyncpg.Connection]:
    conn = await connect(target, **kwargs)
    try:
        yield conn
    finally:
        await conn.close()
