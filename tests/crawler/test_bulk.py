"""The bulk load's bookkeeping on a real PostGIS: start, refusal, duplicates, index rebuild."""

from __future__ import annotations

import asyncio

import asyncpg
import pytest

from etl.crawl import bulk
from etl.errors import UserInputError
from tests.crawler.conftest import IMAGE_INDEXES, assert_indexes_intact, query

INSERT = """INSERT INTO images (id, sequence_id, captured_at, geom, original_geom, make)
            VALUES ($1, $2, to_timestamp($3), ST_SetSRID(ST_MakePoint($4, 46.5), 4326),
                    ST_SetSRID(ST_MakePoint($4, 46.5), 4326), $5)"""

STAMP_TRIGGERS_ON = ("SELECT count(*) FROM pg_trigger WHERE tgrelid = 'images'::regclass "
                     "AND tgname LIKE 'images_stamp_%' AND tgenabled <> 'D'")


async def _load(dsn: str) -> bulk.BulkFinish:
    conn = await asyncpg.connect(dsn)
    try:
        assert await bulk.prepare(conn, 7, allowed=True)
        assert await conn.fetchval("SELECT count(*) FROM pg_indexes WHERE tablename = 'images'") == 0
        # the change-stamp triggers are off while rows are copied in
        assert await conn.fetchval(STAMP_TRIGGERS_ON) == 0
        assert await bulk.prepare(conn, 7, allowed=True)  # the same crawl again (a resume) joins its load
        with pytest.raises(UserInputError, match="crawl 7 is bulk-loading"):
            await bulk.prepare(conn, 8, allowed=True)
        # an image on the edge of two boxes arrives twice; the later copy is kept
        for args in [(1, "a", 10, 6.1, "old"), (2, "a", 20, 6.2, None), (1, "a", 10, 6.1, "new"), (3, "b", 5, 6.3, None)]:
            await conn.execute(INSERT, *args)
    finally:
        await conn.close()
    return await bulk.finish(dsn, 7)


def test_bulk_load_rebuilds_every_index_and_keeps_one_copy(db_dsn: str) -> None:
    done = asyncio.run(_load(db_dsn))
    assert done.duplicates_removed == 1 and done.new_sequences == 2
    assert_indexes_intact(db_dsn)
    assert [(r["id"], r["make"]) for r in query(db_dsn, "SELECT id, make FROM images ORDER BY id")] == [
        (1, "new"), (2, None), (3, None)]
    seqs = query(db_dsn, "SELECT id, extract(epoch FROM first_captured_at) AS f, extract(epoch FROM last_captured_at) AS l "
                         "FROM sequences ORDER BY id")
    assert [(r["id"], float(r["f"]), float(r["l"])) for r in seqs] == [("a", 10.0, 20.0), ("b", 5.0, 5.0)]
    assert asyncio.run(bulk.finish(db_dsn, 7)).new_sequences == 0  # nothing left to do
    # the triggers are on again, and every loaded sequence got a change stamp
    assert query(db_dsn, STAMP_TRIGGERS_ON)[0][0] == 4
    assert [r["sequence_id"] for r in query(db_dsn, "SELECT DISTINCT sequence_id FROM sequence_changes "
                                                    "ORDER BY 1")] == ["a", "b"]


def test_no_bulk_load_into_a_table_with_rows_or_when_disabled(db_dsn: str) -> None:
    async def check() -> tuple[bool, bool]:
        conn = await asyncpg.connect(db_dsn)
        try:
            disabled = await bulk.prepare(conn, 1, allowed=False)
            await conn.execute(INSERT, 1, "a", 10, 6.1, None)
            return disabled, await bulk.prepare(conn, 1, allowed=True)
        finally:
            await conn.close()

    assert asyncio.run(check()) == (False, False)
    names = {r["indexname"] for r in query(db_dsn, "SELECT indexname FROM pg_indexes WHERE tablename = 'images'")}
    assert names == IMAGE_INDEXES


def test_a_finish_cut_short_is_completed_by_the_next(db_dsn: str) -> None:
    async def cut_short() -> None:
        conn = await asyncpg.connect(db_dsn)
        try:
            assert await bulk.prepare(conn, 3, allowed=True)
            await conn.execute(INSERT, 1, "a", 10, 6.1, None)
            # as if killed after the key was rebuilt: the other three are still pending
            await conn.execute("CREATE UNIQUE INDEX images_pkey ON images (id)")
            await conn.execute("ALTER TABLE images ADD CONSTRAINT images_pkey PRIMARY KEY USING INDEX images_pkey")
            await conn.execute("DELETE FROM images_bulk_indexes WHERE name = 'images_pkey'")
        finally:
            await conn.close()

    asyncio.run(cut_short())
    done = asyncio.run(bulk.finish(db_dsn, 3))
    assert done.new_sequences == 1 and done.duplicates_removed == 0
    assert_indexes_intact(db_dsn)
