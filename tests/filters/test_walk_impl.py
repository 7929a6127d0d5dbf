"""The two spacing walks: the C aggregate (extension mlyetl_spacing, installed by
`make setup`) and the PL/pgSQL fallback give the same result end to end, and a database
where the extension cannot be created falls back, saying so in the log."""

from __future__ import annotations

import asyncio
import itertools
import logging
import secrets
from pathlib import Path

import asyncpg
import pytest

from etl.errors import RunFailure
from etl.filters import steps
from etl.filters.walk_impl import ENV, VERSION, use_c_walk
from tests.filters.helpers import LAT_DEG_PER_M, fetch, filter_square, insert_images, kept_ids, points, setup_square_world


def _world(dsn: str, tmp_path: Path) -> None:
    """Sequences crossing the urban border, out-of-time-order ids, duplicates, equal times."""
    setup_square_world(dsn, tmp_path)
    rows = []
    for s in range(6):
        walk = [(10_000 * (s + 1) - k * 3, f"s{s}", k // 2, 0.45 + k * 0.004 if s % 2 else 0.2 + s * 0.01,
                 0.1 + k * 37.5 * LAT_DEG_PER_M) for k in range(40)]
        original = walk[7]  # a duplicate: same sequence, time and position, a higher id
        rows += walk + [(original[0] + 1, *original[1:])]
    asyncio.run(insert_images(dsn, rows))


def _lines(dsn: str, name: str) -> list[tuple]:
    rows = asyncio.run(fetch(dsn, "SELECT sequence_id, image_count, kept_count, duplicate_count, ST_AsText(geom) g "
                                  "FROM filter_sequence_lines WHERE result_name = $1 ORDER BY 1", name))
    return [tuple(r) for r in rows]


def test_c_walk_and_fallback_store_the_same_result(db_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                    caplog: pytest.LogCaptureFixture) -> None:
    _world(db_dsn, tmp_path)
    caplog.set_level(logging.INFO, logger="etl.filters")
    monkeypatch.setenv(ENV, "plpgsql")
    fallback = filter_square(db_dsn, name="pl", spacing_urban=100.0, spacing_other=200.0)
    monkeypatch.setenv(ENV, "auto")
    c_walk = filter_square(db_dsn, name="c", spacing_urban=100.0, spacing_other=200.0)
    assert (fallback.counts["spacing_walk"], c_walk.counts["spacing_walk"]) == ("plpgsql", "c")
    assert f"spacing walk: C (extension mlyetl_spacing {VERSION})" in caplog.text
    pl_points = {i: (r["class"], r["kept"], r["duplicate_of"]) for i, r in points(db_dsn, "pl").items()}
    c_points = {i: (r["class"], r["kept"], r["duplicate_of"]) for i, r in points(db_dsn, "c").items()}
    assert pl_points == c_points
    assert sum(1 for v in c_points.values() if v[2] is not None) >= 3  # duplicates were exercised
    assert 0 < sum(1 for v in c_points.values() if v[1]) < len(c_points)
    assert _lines(db_dsn, "pl") == _lines(db_dsn, "c") and len(_lines(db_dsn, "c")) == 6
    # the stored counts (summed from the lines) are the points' own counts
    assert c_walk.counts["clipped"] == len(c_points) == fallback.counts["clipped"]
    assert c_walk.counts["kept"] == sum(1 for v in c_points.values() if v[1])
    assert c_walk.counts["duplicates"] == sum(1 for v in c_points.values() if v[2] is not None)
    assert c_walk.counts["kept_urban"] == sum(1 for v in c_points.values() if v[1] and v[0] == "urban") > 0


async def _as_role_without_create(dsn: str, check) -> object:  # noqa: ANN001
    """Run `check(conn)` connected as a fresh role that may not create extensions here."""
    role, password = f"walk_{secrets.token_hex(4)}", secrets.token_hex(12)
    admin = await asyncpg.connect(dsn)
    await admin.execute(f"CREATE ROLE {role} LOGIN PASSWORD '{password}'")
    try:
        conn = await asyncpg.connect(dsn, user=role, password=password)
        try:
            return await check(conn)
        finally:
            await conn.close()
    finally:
        await admin.execute(f"DROP ROLE {role}")
        await admin.close()


def test_a_database_without_the_extension_falls_back_and_says_so(db_dsn: str, monkeypatch: pytest.MonkeyPatch,
                                                                 caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="etl.filters")
    monkeypatch.setenv(ENV, "auto")
    assert asyncio.run(_as_role_without_create(db_dsn, use_c_walk)) is False
    assert "spacing walk: PL/pgSQL fallback (extension mlyetl_spacing" in caplog.text
    assert "permission denied" in caplog.text.lower() or "privilege" in caplog.text.lower()
    monkeypatch.setenv(ENV, "c")  # asked for C explicitly: a clear failure, not a silent fallback
    with pytest.raises(RunFailure, match="mlyetl_spacing cannot be used"):
        asyncio.run(_as_role_without_create(db_dsn, use_c_walk))


async def _walk_rows_in_this_order(dsn: str, rows: list[tuple]) -> asyncpg.Record:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS mlyetl_spacing")
        return await conn.fetchrow(
            "SELECT (mlyetl_walk_sequence(timestamptz '2021-06-01' + make_interval(secs => t), id, lat, 0.0, false,"
            " 100.0, 100.0, false)).* FROM unnest($1::int[], $2::bigint[], $3::float8[]) AS r(t, id, lat)",
            *[list(column) for column in zip(*rows)])
    finally:
        await conn.close()


def test_the_c_aggregate_walks_rows_given_in_any_order(db_dsn: str) -> None:
    # it sorts each sequence's rows by (captured_at, id) itself: every order of the same
    # rows gives the same walk (the 2nd image is 111 m on, kept; the 3rd 55 m, the 4th 166 m)
    rows = [(0, 1, 0.0), (1, 2, 0.001), (1, 3, 0.0015), (2, 4, 0.0025)]
    walks = {repr(tuple(asyncio.run(_walk_rows_in_this_order(db_dsn, list(order))))) for order in itertools.permutations(rows)}
    assert len(walks) == 1
    walked = asyncio.run(_walk_rows_in_this_order(db_dsn, rows[::-1]))
    assert (walked["image_count"], list(walked["kept_ids"]), walked["line"] is not None) == (4, [1, 2, 4], True)


def test_the_c_aggregate_refuses_an_image_given_twice(db_dsn: str) -> None:
    with pytest.raises(asyncpg.PostgresError, match="image 2 given twice"):
        asyncio.run(_walk_rows_in_this_order(db_dsn, [(0, 1, 0.0), (1, 2, 0.001), (1, 2, 0.001)]))


async def _walk_table(dsn: str, parallel: bool) -> list[tuple]:
    """Walk 3,000 sequences of a table, with a forced parallel plan (partial states built by
    workers, serialized, combined) or a serial one."""
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS mlyetl_spacing")
        await conn.execute(
            "CREATE TABLE IF NOT EXISTS walk_rows AS SELECT g % 3000 AS seq, g::bigint AS id,"
            " timestamptz '2021-06-01' + make_interval(secs => (g::bigint * 7919) % 50) AS t,"
            " 45 + ((g::bigint * 104729) % 997) * 1e-5 AS lat, 7 + ((g::bigint * 1299709) % 991) * 1e-5 AS lon,"
            " g % 7 = 0 AS urban FROM generate_series(1, 300000) g")
        await conn.execute("ANALYZE walk_rows")
        settings = ("SET parallel_setup_cost = 0; SET parallel_tuple_cost = 0; SET min_parallel_table_scan_size = 0;"
                    " SET max_parallel_workers_per_gather = 2; SET parallel_leader_participation = off"
                    if parallel else "SET max_parallel_workers_per_gather = 0")
        await conn.execute(settings)
        plan = "\n".join(r[0] for r in await conn.fetch(
            "EXPLAIN SELECT seq, mlyetl_walk_sequence(t, id, lat, lon, urban, 100.0, 1000.0, false) FROM walk_rows GROUP BY seq"))
        assert ("Partial" in plan) == parallel, plan
        rows = await conn.fetch("SELECT seq, (mlyetl_walk_sequence(t, id, lat, lon, urban, 100.0, 1000.0, false)).*"
                                " FROM walk_rows GROUP BY seq ORDER BY seq")
        return [tuple(r) for r in rows]
    finally:
        await conn.close()


def test_the_c_aggregate_gives_the_same_walks_in_parallel_and_serial_plans(db_dsn: str) -> None:
    parallel, serial = asyncio.run(_walk_table(db_dsn, True)), asyncio.run(_walk_table(db_dsn, False))
    assert len(serial) == 3000 and parallel == serial
    assert sum(r[6] for r in serial) > 3000  # kept images (several per sequence): real walks


def test_the_walk_stores_the_same_result_with_hash_or_sorted_grouping(db_dsn: str, tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    # above HASH_WALK_MAX_IMAGES the walk statement sorts by sequence instead of hashing
    # (bounded memory); both plans must store the same result
    _world(db_dsn, tmp_path)
    assert asyncio.run(_hash_allowed(db_dsn)) is True
    filter_square(db_dsn, name="hashed", spacing_urban=100.0, spacing_other=200.0)
    monkeypatch.setattr(steps, "HASH_WALK_MAX_IMAGES", -2)  # below any estimate, -1 included
    assert asyncio.run(_hash_allowed(db_dsn)) is False
    filter_square(db_dsn, name="sorted", spacing_urban=100.0, spacing_other=200.0)
    assert _lines(db_dsn, "hashed") == _lines(db_dsn, "sorted") and len(_lines(db_dsn, "sorted")) == 6
    assert points(db_dsn, "hashed").keys() == points(db_dsn, "sorted").keys()


async def _hash_allowed(dsn: str) -> bool:
    conn = await asyncpg.connect(dsn)
    try:
        return await steps.hash_walk_allowed(conn)
    finally:
        await conn.close()


def test_kept_images_updated_between_the_walk_and_the_write_get_their_new_attributes(
        db_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # images updated after the walk and before the write (a crawl running beside the
    # filter): their kept rows carry the values the write sees, never stale or missing ones
    _world(db_dsn, tmp_path)
    filter_square(db_dsn, name="still", spacing_urban=100.0, spacing_other=200.0)
    still = kept_ids(db_dsn, "still")
    write_bucket = steps.write_bucket
    moved: list[int] = []

    async def update_then_write(conn, handle, bucket, replace):  # noqa: ANN001, ANN202
        if not moved:  # before the first bucket: every image gets a new row version
            status = await conn.execute("UPDATE images SET make = 'moved-' || id")
            moved.append(int(status.split()[-1]))
        return await write_bucket(conn, handle, bucket, replace)

    monkeypatch.setattr(steps, "write_bucket", update_then_write)
    filter_square(db_dsn, name="moving", spacing_urban=100.0, spacing_other=200.0)
    assert moved and moved[0] > 200
    assert kept_ids(db_dsn, "moving") == still  # kept_ids also checks the attributes against images
    makes = asyncio.run(fetch(db_dsn, "SELECT DISTINCT make = 'moved-' || image_id AS new FROM filter_points "
                                      "WHERE result_name = 'moving'"))
    assert [r["new"] for r in makes] == [True]


def test_both_signature_forms_agree_so_switching_walks_recomputes_nothing(
        db_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # signatures_rows.sql hashes each image with hashint8extended(id, xmin::text::bigint), or with
    # the extension's mlyetl_row_hash(id, xmin): the same value, so the signatures stored by
    # one walk are the ones the other computes
    _world(db_dsn, tmp_path)
    monkeypatch.setenv(ENV, "plpgsql")
    assert filter_square(db_dsn, name="switch").counts["recomputed_sequences"] == 6
    monkeypatch.setenv(ENV, "auto")
    again = filter_square(db_dsn, name="switch")
    assert (again.counts["spacing_walk"], again.counts["recomputed_sequences"]) == ("c", 0)
    mismatches = asyncio.run(fetch(db_dsn, "SELECT count(*) AS n, count(*) FILTER (WHERE mlyetl_row_hash(id, xmin) "
                                           "<> hashint8extended(id, xmin::text::bigint)) AS bad FROM images"))
    assert mismatches[0]["n"] > 200 and mismatches[0]["bad"] == 0
    monkeypatch.setenv(ENV, "plpgsql")
    assert filter_square(db_dsn, name="switch").counts["recomputed_sequences"] == 0
