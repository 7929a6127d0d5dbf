"""The work queue on a real PostGIS: disjoint claims, lease expiry, guarded finishes, seeding."""

from __future__ import annotations

import asyncio

import shapely

from etl.crawl import queue as Q
from etl.crawl.model import Finish
from etl.crawl.writer import Writer
from etl.db.connect import create_pool

AREA = shapely.to_wkb(shapely.MultiPolygon([shapely.box(6.6, 46.5, 6.7, 46.6)]))


async def _crawl(dsn: str, lease_s: float = 30) -> tuple:
    pool = await create_pool(dsn, max_size=4)
    async with pool.acquire() as conn:
        crawl_id, created = await Q.open_crawl(conn, "k1", "search", AREA, "{}",
                                               lambda c, i: Q.seed_boxes(c, i, 0.025))
        again, created_again = await Q.open_crawl(conn, "k1", "search", AREA, "{}",
                                                  lambda c, i: Q.seed_boxes(c, i, 0.025))
    assert created and not created_again and again == crawl_id
    return pool, crawl_id


def test_claims_are_disjoint_and_expired_leases_are_taken_over(db_dsn: str) -> None:
    async def scenario() -> None:
        pool, crawl_id = await _crawl(db_dsn)
        a, b = Q.TaskQueue(pool, crawl_id, 30, 5), Q.TaskQueue(pool, crawl_id, 30, 5)
        first, second = await asyncio.gather(a.claim(10), b.claim(10))
        assert len(first) == 10 and len(second) == 6  # 4 x 4 boxes in all
        assert not {t.id for t in first} & {t.id for t in second}
        assert await b.claim(10) == []
        # a's lease runs out (a died on another machine): b takes its tasks over
        await pool.execute("UPDATE crawl_tasks SET lease_expires_at = now() - interval '1 s' WHERE lease_owner = $1", a.worker)
        taken = await b.claim(20)
        assert {t.id for t in taken} == {t.id for t in first} and all(t.attempts == 2 for t in taken)
        # a comes back and tries to finish: its lease is gone, nothing changes
        writer = Writer(db_dsn, crawl_id, a.worker, 3)
        await writer.connect()
        await writer.flush(([], []), [Finish(first[0].id, "done")])
        assert writer.totals.lost_leases == 1
        assert await pool.fetchval("SELECT state FROM crawl_tasks WHERE id = $1", first[0].id) == "running"
        await writer.close()
        await pool.close()

    asyncio.run(scenario())


def test_retry_state_goes_back_to_pending_then_fails(db_dsn: str) -> None:
    async def scenario() -> None:
        pool, crawl_id = await _crawl(db_dsn)
        queue = Q.TaskQueue(pool, crawl_id, 30, 5)
        writer = Writer(db_dsn, crawl_id, queue.worker, max_attempts=2)
        await writer.connect()
        task = (await queue.claim(1))[0]
        await writer.flush(([], []), [Finish(task.id, "retry", error="HTTP 503")])
        assert (await queue.counts())["pending"] == 16
        task = (await queue.claim(1))[0]
        await writer.flush(([], []), [Finish(task.id, "retry", error="HTTP 503")])
        assert (await queue.counts())["failed"] == 1
        assert await queue.retry_failed() == 1
        assert "failed" not in await queue.counts()
        await writer.close()
        await pool.close()

    asyncio.run(scenario())
