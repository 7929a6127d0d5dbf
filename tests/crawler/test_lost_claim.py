"""A claim whose commit the server made but whose answer the crawler never got.

The server is made to commit and then hang before answering (it waits for a
synchronous standby that does not exist); its backend is then terminated, so the
crawler sees a lost connection after a real commit. Retrying the claim must give
back the tasks the lost answer held, not orphan them under the crawler's lease.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import asyncpg
import pytest
import shapely

from etl.crawl import queue as Q
from etl.db import migrate
from etl.db.cluster import EmbeddedCluster
from etl.db.connect import create_pool
from tests.dbserver import throwaway_cluster

AREA = shapely.to_wkb(shapely.MultiPolygon([shapely.box(6.6, 46.5, 6.7, 46.6)]))


@pytest.fixture
def own_cluster() -> Iterator[EmbeddedCluster]:
    with throwaway_cluster("mlyetl-lost-claim-") as cluster:
        yield cluster


async def _set_standby(admin: asyncpg.Connection, names: str) -> None:
    await admin.execute(f"ALTER SYSTEM SET synchronous_standby_names = '{names}'")
    await admin.execute("SELECT pg_reload_conf()")
    await asyncio.sleep(0.3)  # the reload reaches every backend


async def _lose_next_claim_answer(admin: asyncpg.Connection) -> None:
    """Wait until a claim has committed and waits for the standby, then cut its connection."""
    for _ in range(200):
        pid = await admin.fetchval(
            "SELECT pid FROM pg_stat_activity WHERE wait_event = 'SyncRep' AND query LIKE '%FOR UPDATE SKIP LOCKED%'")
        if pid:
            await admin.execute("SELECT pg_terminate_backend($1)", pid)
            await _set_standby(admin, "")
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the claim never reached its commit")


def test_a_claim_whose_answer_was_lost_returns_its_tasks_on_retry(own_cluster: EmbeddedCluster) -> None:
    dsn = own_cluster.socket_dsn()

    async def scenario() -> None:
        await migrate.upgrade(dsn)
        pool = await create_pool(dsn, max_size=2)
        admin = await asyncpg.connect(dsn)
        try:
            async with pool.acquire() as conn:
                crawl_id, _ = await Q.open_crawl(conn, "k", "search", AREA, "{}",
                                                 lambda c, i: Q.seed_boxes(c, i, 0.025))
            queue = Q.TaskQueue(pool, crawl_id, lease_s=30, db_budget_s=30)
            first = await queue.claim(3)
            await _set_standby(admin, "no_such_standby")
            claimed, _ = await asyncio.gather(queue.claim(4), _lose_next_claim_answer(admin))
            mine = await admin.fetch("SELECT id FROM crawl_tasks WHERE lease_owner = $1 AND state = 'running'",
                                     queue.worker)
            held = {t.id for t in first} | {t.id for t in claimed}
            # every task leased to this crawler is one it knows about: nothing orphaned
            assert {r["id"] for r in mine} == held
            assert len(claimed) == 4 and not {t.id for t in first} & {t.id for t in claimed}
            assert all(t.attempts == 1 for t in claimed)
        finally:
            await admin.close()
            await pool.close()

    asyncio.run(scenario())
