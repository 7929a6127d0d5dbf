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
                WHERE g.f_table_schema = 'public' AND NOT EXISTS (
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
    assert asyncio.run(migrate.current_revision(empty_db_dsn)) == migrate.head_revision() == "0002"
    assert "images_bulk_indexes" in asyncio.run(_tables(empty_db_dsn))
