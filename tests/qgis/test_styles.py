"""Layers open styled in the real QGIS, from the styles in `layer_styles`."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg

from etl.db.migrate import ensure_schema
from tests.filters.helpers import fetch, filter_square, insert_images, setup_square_world
from tests.qgis.conftest import open_in_qgis


def test_base_layers_open_styled_in_qgis(db_dsn: str, qgis_available: None) -> None:
    asyncio.run(ensure_schema(db_dsn))  # installs the styles for this (cloned) database

    async def seed() -> None:
        conn = await asyncpg.connect(db_dsn)
        try:
            await conn.execute("INSERT INTO images (id, sequence_id, captured_at, geom) VALUES "
                               "(1, 's', now(), ST_SetSRID(ST_MakePoint(2.35, 48.85), 4326))")
        finally:
            await conn.close()

    asyncio.run(seed())
    layers = open_in_qgis(db_dsn, "public.images:geom", "public.crawl_tasks:geom", "public.boundary_features:geom",
                          "public.filter_points:geom", "public.filter_sequence_lines:geom")
    images = layers["public.images:geom"]
    assert images["valid"] and images["features"] == 1
    assert images["renderer"] == "singleSymbol" and images["colours"] == ["#464646"]
    tasks = layers["public.crawl_tasks:geom"]
    assert tasks["renderer"] == "categorizedSymbol" and tasks["attribute"] == "state"
    assert layers["public.boundary_features:geom"]["renderer"] == "singleSymbol"
    points = layers["public.filter_points:geom"]
    assert points["valid"] and points["renderer"] == "categorizedSymbol" and points["attribute"] == "class"
    assert points["colours"] == ["#d7191c", "#2b83ba"]  # urban red, other blue, as in the report
    assert layers["public.filter_sequence_lines:geom"]["colours"] == ["#5a3ca0"]


def test_a_results_own_tables_open_styled_in_qgis(db_dsn: str, tmp_path: Path, qgis_available: None) -> None:
    # each result's partitions are layers of their own (GDAL lists them), styled like their parents
    setup_square_world(db_dsn, tmp_path)
    asyncio.run(insert_images(db_dsn, [(k, "s", k, 0.55, 0.1 + k * 0.001) for k in range(10)]))
    filter_square(db_dsn, name="qgis result")
    asyncio.run(ensure_schema(db_dsn))  # styles for the new tables
    result_id = asyncio.run(fetch(db_dsn, "SELECT id FROM filter_results WHERE name = 'qgis result'"))[0]["id"]
    points, lines = f"public.filter_points_r{result_id}:geom", f"public.filter_sequence_lines_r{result_id}:geom"
    layers = open_in_qgis(db_dsn, points, lines)
    assert layers[points]["valid"] and layers[points]["features"] == 10
    assert layers[points]["attribute"] == "class" and layers[points]["colours"] == ["#d7191c", "#2b83ba"]
    assert layers[lines]["valid"] and layers[lines]["features"] == 1 and layers[lines]["colours"] == ["#5a3ca0"]


def test_styles_follow_a_copied_database(db_dsn: str) -> None:
    """QGIS keys styles by database name: a clone gets its own rows on the next command."""
    async def catalogs() -> set[str]:
        conn = await asyncpg.connect(db_dsn)
        try:
            await ensure_schema(db_dsn)
            rows = await conn.fetch("SELECT DISTINCT f_table_catalog = current_database() AS ours "
                                    "FROM layer_styles WHERE f_table_name = 'images'")
        finally:
            await conn.close()
        return {r["ours"] for r in rows}

    assert True in asyncio.run(catalogs())
