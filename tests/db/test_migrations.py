"""The schema: migrations up and down on a real PostGIS, typmod geometry columns."""

from __future__ import annotations

import asyncio

import asyncpg

from etl.db import migrate

EXPECTED_TABLES = {
    "runs", "images", "sequences", "crawls", "crawl_tasks", "boundary_layers",
    "boundary_features", "boundary_parts", "filter_results", "filter_points", "image_downloads",
    "images_bulk_indexes",
}


async def _tables(dsn: str) -> set[str]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")
    finally:
        await conn.close()
    return {r["tablename"] for r in rows}


async def _geometry_columns(dsn: str) -> dict[str, tuple[str, int]]:
    conn = await asyncpg.connect(dsn)
    try:
        rows = await conn.fetch("SELECT f_table_name, f_geometry_column, type, srid FROM geometry_columns")
    finally:
        await conn.close()
    return {f"{r['f_table_name']}.{r['f_geometry_column']}": (r["type"], r["srid"]) for r in rows}


def test_empty_database_to_head_and_back_to_base(empty_db_dsn: str) -> None:
    assert asyncio.run(migrate.upgrade(empty_db_dsn)) == migrate.head_revision()
    assert EXPECTED_TABLES <= asyncio.run(_tables(empty_db_dsn))
    assert asyncio.run(migrate.downgrade(empty_db_dsn, "base")) == "base"
    assert not (EXPECTED_TABLES & asyncio.run(_tables(empty_db_dsn)))
    # and up again: a downgrade leaves nothing behind that blocks a new upgrade
    assert asyncio.run(migrate.upgrade(empty_db_dsn)) == migrate.head_revision()


def test_migrate_is_idempotent(db_dsn: str) -> None:
    before = asyncio.run(_tables(db_dsn))
    assert asyncio.run(migrate.upgrade(db_dsn)) == migrate.head_revision()
    assert asyncio.run(migrate.upgrade(db_dsn)) == migrate.head_revision()
    assert asyncio.run(_tables(db_dsn)) == before


def test_every_geometry_column_has_a_type_and_srid_for_qgis(db_dsn: str) -> None:
    columns = asyncio.run(_geometry_columns(db_dsn))
    assert columns["images.geom"] == ("POINT", 4326)
    assert columns["boundary_parts.geom"] == ("POLYGON", 4326)
    for name, (geometry_type, srid) in columns.items():
        assert geometry_type != "GEOMETRY" and srid == 4326, name


def test_every_geometry_column_has_a_gist_index(db_dsn: str) -> None:
    async def unindexed() -> list[str]:
        conn = await asyncpg.connect(db_dsn)
        try:
            rows = await conn.fetch(
                """
                SELECT g.f_table_name || '.' || g.f_geometry_column AS col
                FROM geometry_columns g
                WHERE g.f_table_schema = 'public'
                  -- tables (a view such as filter_clipped reads the indexed images.geom)
                  AND EXISTS (SELECT 1 FROM pg_class c WHERE c.relname = g.f_table_name AND c.relkind IN ('r', 'p'))
                  AND NOT EXISTS (
                    SELECT 1 FROM pg_indexes i
                    WHERE i.tablename = g.f_table_name AND i.indexdef ILIKE '%USING gist%'
                      AND i.indexdef ILIKE '%(' || g.f_geometry_column || '%')
                """
            )
        finally:
            await conn.close()
        return [r["col"] for r in rows]

    assert asyncio.run(unindexed()) == []


def test_ensure_schema_migrates_an_empty_database(empty_db_dsn: str) -> None:
    asyncio.run(migrate.ensure_schema(empty_db_dsn))
    assert asyncio.run(migrate.current_revision(empty_db_dsn)) == migrate.head_revision()


def test_head_revision_without_alembic_agrees_with_alembic() -> None:
    assert migrate.head_revision() == migrate.alembic_head_revision() != "base"


def test_a_database_at_0001_is_upgraded_to_head(empty_db_dsn: str) -> None:
    # a database made by the first release (revision 0001) gets the crawler's bulk-load table
    assert asyncio.run(migrate.upgrade(empty_db_dsn, "0001")) == "0001"
    assert "images_bulk_indexes" not in asyncio.run(_tables(empty_db_dsn))
    asyncio.run(migrate.ensure_schema(empty_db_dsn))
    assert asyncio.run(migrate.current_revision(empty_db_dsn)) == migrate.head_revision() == "0009"
    assert "images_bulk_indexes" in asyncio.run(_tables(empty_db_dsn))


async def _result_with_points_table(conn: asyncpg.Connection, name: str, result_id: int, attached: bool) -> str:
    """A finished result's row and its filter_points partition table (attached, or left bare
    as a killed first run leaves it); returns the table's name."""
    await conn.execute("INSERT INTO filter_results (name, id, params, state) VALUES ($1, $2, '{}', 'finished')",
                       name, result_id)
    table = f"filter_points_r{result_id}"
    await conn.execute(f"CREATE TABLE {table} (LIKE filter_points INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    if attached:
        await conn.execute(f"ALTER TABLE filter_points ATTACH PARTITION {table} FOR VALUES IN ('{name}')")
    return table


async def _result_at_0002(conn: asyncpg.Connection, name: str, result_id: int, attached: bool) -> None:
    """A result as revision 0002 stored it: every clipped image, kept or not."""
    table = await _result_with_points_table(conn, name, result_id, attached)
    await conn.executemany(f"INSERT INTO {table} (result_name, image_id, sequence_id, class, kept, geom) "
                           "VALUES ($1, $2, 's', 'urban', $3, ST_SetSRID(ST_MakePoint(1, 2), 4326))",
                           [(name, 1, True), (name, 2, False), (name, 3, True)])
    await conn.execute("INSERT INTO filter_sequences (result_name, sequence_id, signature) VALUES ($1, 's', '3:1')",
                       name)


def test_a_0002_result_keeps_its_kept_images_and_an_unfinished_one_starts_over(empty_db_dsn: str) -> None:
    async def scenario() -> tuple:
        await migrate.upgrade(empty_db_dsn, "0002")
        conn = await asyncpg.connect(empty_db_dsn)
        try:
            await _result_at_0002(conn, "done", 1, attached=True)
            await _result_at_0002(conn, "killed", 2, attached=False)  # a first run killed before attaching
            await migrate.upgrade(empty_db_dsn)
            points = await conn.fetch("SELECT result_name, image_id FROM filter_points ORDER BY 1, 2")
            signatures = await conn.fetch("SELECT result_name FROM filter_sequences ORDER BY 1")
            columns = await conn.fetch("SELECT attname FROM pg_attribute WHERE attrelid = 'filter_points'::regclass "
                                       "AND attnum > 0 AND NOT attisdropped")
            states = dict(await conn.fetch("SELECT name, state FROM filter_results"))
            return ([tuple(p) for p in points], [s[0] for s in signatures], {c[0] for c in columns}, states)
        finally:
            await conn.close()

    points, signatures, columns, states = asyncio.run(scenario())
    assert points == [("done", 1), ("done", 3)]  # the dataset stays; the clipped-only image goes
    assert signatures == ["done"] and states == {"done": "finished", "killed": "running"}
    assert "kept" not in columns and "duplicate_of" not in columns
    assert "filter_points_r2" not in asyncio.run(_tables(empty_db_dsn))


async def _result_at_0003(conn: asyncpg.Connection, name: str, result_id: int, attached: bool) -> None:
    """A result as revision 0003 stored it: its points partition, lines and signatures in shared tables."""
    table = await _result_with_points_table(conn, name, result_id, attached)
    await conn.execute(f"INSERT INTO {table} (result_name, image_id, sequence_id, class, geom) "
                       "VALUES ($1, 1, 's', 'urban', ST_SetSRID(ST_MakePoint(1, 2), 4326))", name)
    await conn.execute(
        "INSERT INTO filter_sequence_lines (result_name, sequence_id, geom, image_count, urban_count, other_count, "
        "kept_count, kept_urban_count, kept_other_count, duplicate_count, length_m, first_captured_at, "
        "last_captured_at) VALUES ($1, 's', ST_GeomFromText('LINESTRING(1 2, 1 3)', 4326), 2, 2, 0, 1, 1, 0, 0, "
        "111195.1, now(), now())", name)
    await conn.execute("INSERT INTO filter_sequences (result_name, sequence_id, signature) VALUES ($1, 's', '2:7')",
                       name)


async def _partition_rows(conn: asyncpg.Connection) -> list[tuple]:
    """(table holding the row, result, sequence) of every line and signature."""
    rows = await conn.fetch("SELECT tableoid::regclass::text, result_name, sequence_id FROM filter_sequence_lines "
                            "UNION ALL SELECT tableoid::regclass::text, result_name, sequence_id FROM filter_sequences "
                            "ORDER BY 1")
    return [tuple(r) for r in rows]


def test_0004_moves_lines_and_signatures_into_partitions_and_back(empty_db_dsn: str) -> None:
    async def scenario() -> tuple:
        await migrate.upgrade(empty_db_dsn, "0003")
        conn = await asyncpg.connect(empty_db_dsn)
        try:
            await _result_at_0003(conn, "done", 1, attached=True)
            await _result_at_0003(conn, "killed", 2, attached=False)  # a first run killed before attaching
            await migrate.upgrade(empty_db_dsn, "0004")
            upgraded = await _partition_rows(conn)
            kinds = dict(await conn.fetch("SELECT relname, relkind::text FROM pg_class WHERE relname IN "
                                          "('filter_sequence_lines', 'filter_sequences')"))
            states = dict(await conn.fetch("SELECT name, state FROM filter_results"))
            await migrate.downgrade(empty_db_dsn, "0003")
            downgraded = await _partition_rows(conn)
            return upgraded, kinds, states, downgraded
        finally:
            await conn.close()

    upgraded, kinds, states, downgraded = asyncio.run(scenario())
    assert upgraded == [("filter_sequence_lines_r1", "done", "s"), ("filter_sequences_r1", "done", "s")]
    assert kinds == {"filter_sequence_lines": "p", "filter_sequences": "p"}
    assert states == {"done": "finished", "killed": "running"}  # the killed one starts over
    tables = asyncio.run(_tables(empty_db_dsn))
    assert "filter_points_r2" not in tables and "filter_sequence_lines_r1" not in tables
    assert downgraded == [("filter_sequence_lines", "done", "s"), ("filter_sequences", "done", "s")]
