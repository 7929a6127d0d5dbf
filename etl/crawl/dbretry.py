"""Riding out a database that goes away for a while (restart, failover, network).

Database calls of the crawl go through `with_db_retry`: on a connection-class
error it waits (growing pauses) and tries again, up to `budget_s` seconds in all,
then stops with a clear message. A call whose connection was lost may have
committed all the same, so only idempotent work goes through here as is: upserts,
state updates guarded by the lease owner and the state they leave (a repeat changes
nothing), inserts with ON CONFLICT DO NOTHING, and bulk COPYs that the bulk load
de-duplicates at its end. The one statement that is not, the claim of new tasks,
recovers the outcome of a lost try before trying again (etl/crawl/queue.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

import asyncpg

from etl.errors import RunFailure
from etl.retry import CONFLICTS, DATABASE

log = logging.getLogger(__name__)
T = TypeVar("T")

CONNECTION_ERRORS = (
    asyncpg.PostgresConnectionError,  # SQLSTATE class 08
    asyncpg.OperatorInterventionError,  # class 57: admin shutdown, cannot connect now
    asyncpg.InterfaceError,  # connection closed under us
    asyncpg.InternalClientError,  # a connection cut in the middle of a COPY is left unusable
    ConnectionError,
    OSError,
    asyncio.TimeoutError,
)
CONFLICT_ERRORS = (asyncpg.DeadlockDetectedError, asyncpg.SerializationError)
# Through a Citus coordinator, a worker node that goes away in the middle of a statement
# is often reported as an internal error (XX000) or an I/O error (58030, a COPY into its
# shards) with one of these messages (Citus's own, or the worker's passed on without its
# SQLSTATE), not as a connection-class error; for the crawl it is the same: part of the
# database is away for a while.
CITUS_NODE_LOST = (
    "failure on connection marked as essential",
    "failed to read result",
    "failed to COPY to shard",
    "failed to complete COPY",
    "terminating connection due to administrator command",
    "server closed the connection unexpectedly",
    "connection not open",
    "the database system is shutting down",
    "the database system is starting up",
)


def lost_connection(error: BaseException) -> bool:
    """Is `error` the database (or one Citus node of it) going away, not the statement failing?"""
    if isinstance(error, CONNECTION_ERRORS):
        return True
    return (isinstance(error, (asyncpg.InternalServerError, asyncpg.PostgresIOError))
            and any(m in str(error) for m in CITUS_NODE_LOST))


async def with_db_retry(what: str, call: Callable[[], Awaitable[T]], budget_s: float,
                        on_reconnect: Callable[[], Awaitable[None]] | None = None) -> T:
    """`call()`; retried on lost connections for up to `budget_s` s, on deadlocks a few times."""
    started, attempt, conflicts = time.monotonic(), 0, 0
    while True:
        try:
            return await call()
        except CONFLICT_ERRORS:
            conflicts += 1
            if CONFLICTS.gives_up(conflicts):
                raise
            await asyncio.sleep(CONFLICTS.delay(conflicts))
        except Exception as error:
            if not lost_connection(error):
                raise
            if time.monotonic() - started > budget_s:
                raise RunFailure(
                    f"lost the database while {what} and it did not come back within {budget_s:g} s "
                    f"({type(error).__name__})",
                    hint="start the server again and rerun the same command: the crawl resumes",
                ) from None
            attempt += 1
            pause = DATABASE.delay(attempt)
            log.warning("database unavailable while %s (%s); retrying in %.1f s", what, type(error).__name__, pause)
            await asyncio.sleep(pause)
            if on_reconnect is not None:
                try:
                    await on_reconnect()
                except Exception as reconnect_error:
                    if not lost_connection(reconnect_error):
                        raise
                    # still down: the next round waits again
