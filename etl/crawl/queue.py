"""The durable work queue: crawls and their box / tile / sequence tasks in PostGIS.

Every task has a state (pending, running, done, empty, split, failed). Workers
claim tasks with FOR UPDATE SKIP LOCKED and hold them under a lease that they
renew while working; a killed worker's lease runs out and its tasks are taken
over. Tasks of a dead worker on this same machine are taken over at once (its
pid is gone), so a killed crawl restarted here does not wait for the lease.

A claim is the one statement of the crawl that is not idempotent: run twice, it
takes twice as many tasks. When its connection is lost, the server may have
committed it all the same; so the retry first looks for tasks running under our
lease that we do not know we hold, and takes those as the claim's answer (see
`TaskQueue.claim`). Without that, they would stay leased to us, renewed for ever,
and the crawl would never end.
"""

from __future__ import annotations

import logging
import math
import os
import secrets
import socket
from collections.abc import Awaitable, Callable, Sequence

import asyncpg

from etl.crawl.dbretry import with_db_retry
from etl.crawl.model import Child, Task
from etl.errors import UserInputError
from etl.paths import sql_text

log = logging.getLogger(__name__)


def new_worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


def _owner_is_dead_here(owner: str) -> bool:
    host, _, rest = owner.partition(":")
    pid_text = rest.partition(":")[0]
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    try:
        os.kill(int(pid_text), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


Seeder = Callable[[asyncpg.Connection, int], Awaitable[None]]


async def open_crawl(conn: asyncpg.Connection, key: str, method: str, area_ewkb: bytes,
                     settings_json: str, seed: Seeder) -> tuple[int, bool]:
    """(crawl id, created). A new crawl gets its area parts and first tasks in the same transaction."""
    async with conn.transaction():
        crawl_id = await conn.fetchval(sql_text("crawl/create_crawl.sql"), key, method, area_ewkb, settings_json)
        if crawl_id is None:
            row = await conn.fetchrow(sql_text("crawl/find_crawl.sql"), key)
            return int(row["id"]), False
        await conn.execute(sql_text("crawl/area_parts.sql"), crawl_id)
        # fresh statistics, or the planner scans every part per box instead of using the GiST index
        await conn.execute("ANALYZE crawl_area_parts")
        await seed(conn, crawl_id)
        return int(crawl_id), True


async def open_pass(conn: asyncpg.Connection, base_id: int, update: bool,
                    retry_failed: bool = False) -> tuple[int, int, bool]:
    """(crawl id, pass number, created) of the pass to work on for an area crawled before.

    Without `update`, or with `retry_failed` (its failed tasks are run again): the latest
    pass, whatever its state (the same command resumes it). With `update`: the latest pass
    when it still has work (another crawler's, or a killed one's), else a new pass seeded
    from the latest one's last boxes and tiles.
    """
    latest = await conn.fetchrow(sql_text("crawl/latest_pass.sql"), base_id)
    if not update or retry_failed or latest["open"]:
        return int(latest["id"]), int(latest["pass"]), False
    number = int(latest["pass"]) + 1
    async with conn.transaction():
        crawl_id = await conn.fetchval(sql_text("crawl/create_pass.sql"), base_id, number)
        if crawl_id is None:
            return int(await conn.fetchval(sql_text("crawl/find_pass.sql"), base_id, number)), number, False
        await conn.execute(sql_text("crawl/area_parts.sql"), crawl_id)
        await conn.execute("ANALYZE crawl_area_parts")
        await conn.execute(sql_text("crawl/seed_pass.sql"), crawl_id, latest["id"])
    return int(crawl_id), number, True


# First boxes of one crawl: a continent at the default 0.1 degrees needs about 0.5 M
# (seeding makes some thousands a second);
# past this, seeding alone would run for many minutes and the queue would be mostly
# boxes the API answers empty, so a bigger --box-size (or the tiles method) is asked for.
MAX_SEED_BOXES = 2_000_000
ANNOUNCE_SEED_BOXES = 100_000  # past this, say what is being done (it takes a while)


async def seed_boxes(conn: asyncpg.Connection, crawl_id: int, box_size: float) -> None:
    """The first boxes of a search crawl; their number is bounded before any is made."""
    most = await conn.fetchval(sql_text("crawl/count_seed_boxes.sql"), crawl_id, box_size)
    if most > MAX_SEED_BOXES:
        factor = math.sqrt(most / MAX_SEED_BOXES)
        raise UserInputError(
            f"the area would start as about {most:,.0f} boxes of {box_size:g} degrees; at most "
            f"{MAX_SEED_BOXES:,} are allowed",
            hint=f"give --box-size {math.ceil(box_size * factor * 100) / 100:g} or more, a smaller area, "
                 "or --method tiles")
    if most > ANNOUNCE_SEED_BOXES:
        log.info("crawl %d: making up to %s first boxes of %g degrees", crawl_id, f"{most:,.0f}", box_size)
    await conn.execute(sql_text("crawl/seed_boxes.sql"), crawl_id, box_size)


async def add_children(conn: asyncpg.Connection, crawl_id: int, children: Sequence[Child]) -> None:
    if not children:
        return
    bounds = [c.bounds or (None, None, None, None) for c in children]
    await conn.execute(
        sql_text("crawl/add_tasks.sql"), crawl_id, [c.kind for c in children], [c.key for c in children],
        [c.depth for c in children], *([b[i] for b in bounds] for i in range(4)),
    )


class TaskQueue:
    """Claiming, leasing and counting the tasks of one crawl for one worker."""

    def __init__(self, pool: asyncpg.Pool, crawl_id: int, lease_s: float, db_budget_s: float,
                 update: bool = False) -> None:
        self.pool, self.crawl_id, self.update = pool, crawl_id, update
        self.lease_s, self.db_budget_s = lease_s, db_budget_s
        self.worker = new_worker_id()
        # ids handed out by claim() whose end state has not committed yet (see forget())
        self.held: set[int] = set()

    async def _run(self, what: str, sql: str, *args: object) -> list[asyncpg.Record]:
        async def call() -> list[asyncpg.Record]:
            async with self.pool.acquire() as conn:
                return await conn.fetch(sql, *args)

        return await with_db_retry(what, call, self.db_budget_s)

    async def _run_status(self, what: str, sql: str, *args: object) -> str:
        async def call() -> str:
            async with self.pool.acquire() as conn:
                return await conn.execute(sql, *args)

        return await with_db_retry(what, call, self.db_budget_s)

    async def claim(self, n: int) -> list[Task]:
        tries = 0

        async def call() -> list[asyncpg.Record]:
            nonlocal tries
            tries += 1
            async with self.pool.acquire() as conn:
                if tries > 1:  # the last try may have committed before its answer was lost
                    lost = await conn.fetch(sql_text("crawl/claim_recover.sql"), self.crawl_id, self.worker,
                                            self.lease_s, list(self.held))
                    if lost:
                        log.info("recovered %d task(s) claimed just before the connection was lost", len(lost))
                        return lost
                return await conn.fetch(sql_text("crawl/claim.sql"), self.crawl_id, n, self.worker, self.lease_s)

        rows = await with_db_retry("claiming tasks", call, self.db_budget_s)
        self.held.update(r["id"] for r in rows)
        return [Task(r["id"], r["kind"], r["key"], r["depth"], r["inside"], r["attempts"], tuple(r["image_ids"] or ()),
                     tuple(r["sequence_ids"] or ()))
                for r in rows]

    def forget(self, task_ids: Sequence[int]) -> None:
        """The end states of these tasks have committed: they are no longer ours."""
        self.held.difference_update(task_ids)

    async def renew(self) -> None:
        await self._run("renewing leases", sql_text("crawl/renew_leases.sql"), self.worker, self.lease_s)

    async def release_mine(self) -> None:
        """Give our running tasks back (on a clean stop) so that others need not wait."""
        await self._run("releasing tasks", sql_text("crawl/release_owner.sql"), self.crawl_id, self.worker)
        self.held.clear()

    async def take_over_dead_local_workers(self) -> int:
        owners = await self._run("listing workers", sql_text("crawl/lease_owners.sql"), self.crawl_id)
        dead = [r["lease_owner"] for r in owners if r["lease_owner"] != self.worker and _owner_is_dead_here(r["lease_owner"])]
        for owner in dead:
            await self._run("taking over tasks", sql_text("crawl/release_owner.sql"), self.crawl_id, owner)
            log.info("took over the tasks of a crawler that is gone (%s)", owner)
        return len(dead)

    async def plan_checks(self, ids_per_task: int) -> int:
        """An update pass whose boxes / tiles are done: check tasks for what it did not see."""
        status = await self._run_status("planning checks", sql_text("crawl/plan_checks.sql"), self.crawl_id,
                                        ids_per_task)
        return int(status.split()[-1])

    async def stored_in_task(self, task_id: int) -> list[asyncpg.Record]:
        """The live stored images of a task's footprint (an update pass compares a tile with them)."""
        return await self._run("reading stored images", sql_text("crawl/stored_in_task.sql"), task_id)

    async def outside_area(self, ids: list[int], lons: list[float], lats: list[float],
                           margin: float) -> list[asyncpg.Record]:
        return await self._run("testing points against the area", sql_text("crawl/outside_area.sql"), self.crawl_id,
                               ids, lons, lats, margin)

    async def counts(self) -> dict[str, int]:
        rows = await self._run("counting tasks", sql_text("crawl/task_counts.sql"), self.crawl_id)
        return {r["state"]: int(r["n"]) for r in rows}

    async def retry_failed(self) -> int:
        async def call() -> str:
            async with self.pool.acquire() as conn:
                return await conn.execute(sql_text("crawl/retry_failed.sql"), self.crawl_id)

        status = await with_db_retry("resetting failed tasks", call, self.db_budget_s)
        return int(status.split()[-1])

    async def finish_crawl(self) -> list[asyncpg.Record]:
        await self._run("closing the crawl", sql_text("crawl/finish_crawl.sql"), self.crawl_id)
        return await self._run("listing failures", sql_text("crawl/failed_sample.sql"), self.crawl_id)
