"""Default QGIS styles, so that layers open styled from the database.

QGIS looks a layer's default style up in `layer_styles` by database name,
schema, table and geometry column. The database name is part of the key, so the
styles are (re)installed for the current database whenever they are missing
for it (a copied or renamed database gets them back on the next command).
"""

from __future__ import annotations

from importlib.resources import files

import asyncpg

from etl.paths import sql_text

STYLE_DIR = files("etl.qgis") / "styles"

# (schema, table, geometry column, style file) for the tables every database has.
BASE_LAYERS = [
    ("public", "images", "geom", "points_plain"),
    ("public", "boundary_features", "geom", "polygon_outline"),
    ("public", "crawl_tasks", "geom", "tasks_by_state"),
    ("public", "filter_points", "geom", "points_by_class"),
    ("public", "filter_sequence_lines", "geom", "lines"),
]

# A result's own tables (partitions of these) are styled like their parent.
PARTITION_STYLES = {"filter_points": "points_by_class", "filter_sequence_lines": "lines"}


def style_qml(style: str) -> str:
    return (STYLE_DIR / f"{style}.qml").read_text(encoding="utf-8")


async def apply_style(conn: asyncpg.Connection, table: str, style: str, geom_column: str = "geom",
                      schema: str = "public") -> None:
    """Make `style` (a file in etl/qgis/styles) the default QGIS style of `schema.table`."""
    await conn.execute(sql_text("qgis/apply_style.sql"), schema, table, geom_column, f"mlyetl {style}",
                       style_qml(style))


async def install_base_styles(conn: asyncpg.Connection) -> bool:
    """Style the base layers and each result's table when this database lacks it; True when it did."""
    present = {r["layer"] for r in await conn.fetch(sql_text("qgis/styled_layers.sql"))}
    partitions = [("public", r["table_name"], "geom", PARTITION_STYLES[r["parent"]])
                  for r in await conn.fetch(sql_text("qgis/result_partitions.sql"))]
    missing = [layer for layer in BASE_LAYERS + partitions if f"{layer[0]}.{layer[1]}" not in present]
    for schema, table, column, style in missing:
        await apply_style(conn, table, style, column, schema)
    return bool(missing)
