"""Recording each data-changing command in the `runs` table.

Usage:
    async with recorded_run(conn_or_pool, "crawl", settings) as run:
        ...
        run.counters["images"] = n

The row is written at the start (status 'running') and closed at the end as
finished / failed / interrupted, so `mlyetl status` can show what happened even
when a process was killed (a 'running' row whose pid is gone).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import asyncpg

from etl.logsetup import mask_secrets
from etl.paths import sql_text


@dataclass
class RunRecord:
    id: int
    counters: dict = field(default_factory=dict)


@contextlib.asynccontextmanager
async def recorded_run(db: asyncpg.Connection | asyncpg.Pool, kind: str, settings: dict) -> AsyncIterator[RunRecord]:
    run_id = await db.fetchval(sql_text("runs/start.sql"), kind, settings,
                               socket.gethostname(), os.getpid())
    record = RunRecord(id=run_id)
    status, error = "finished", None
    try:
        yield record
    except (KeyboardInterrupt, asyncio.CancelledError):
        status = "interrupted"
        raise
    except BaseException as exc:
        status, error = "failed", mask_secrets(str(exc))[:2000]
        raise
    finally:
        with contextlib.suppress(Exception):  # a lost connection must not hide the real error
            await db.execute(sql_text("runs/finish.sql"), run_id, status,
                             record.counters, error)
