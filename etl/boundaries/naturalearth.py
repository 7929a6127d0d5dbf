"""Layers built from the bundled Natural Earth 1:50m data (data/naturalearth/)."""

from __future__ import annotations

import asyncpg

from etl.boundaries.reader import gdal_path, read_polygons
from etl.boundaries.store import LayerInfo, write_layer
from etl.errors import UserInputError
from etl.paths import DATA_DIR

COUNTRIES = DATA_DIR / "naturalearth" / "ne_50m_admin_0_countries.json.gz"
URBAN_AREAS = DATA_DIR / "naturalearth" / "ne_50m_urban_areas.json.gz"
DEFAULT_URBAN_NAME = "naturalearth-urban"
# The CONTINENT values of the bundled countries layer but its open ocean, written out so
# that naming a continent reads no file (a test compares them with the file).
CONTINENTS = ("Africa", "Antarctica", "Asia", "Europe", "North America", "Oceania", "South America")


def canonical_continent(name: str) -> str:
    """Natural Earth's spelling of continent `name` (case-insensitive), or UserInputError."""
    for known in CONTINENTS:
        if known.lower() == name.strip().lower():
            return known
    raise UserInputError(f"{name!r} is not a Natural Earth continent",
                         hint=f"use one of: {', '.join(CONTINENTS)}")


async def build_continent(conn: asyncpg.Connection, name: str) -> LayerInfo:
    """(Re)build continent layer `name` from the countries whose CONTINENT is `name`."""
    continent = canonical_continent(name)
    where = "CONTINENT = '{}'".format(continent.replace("'", "''"))  # a known value, quoted anyway
    return await write_layer(conn, "continent", continent, f"naturalearth:{COUNTRIES.name}:CONTINENT={continent}",
                             read_polygons(COUNTRIES, where=where))


async def build_urban_areas(conn: asyncpg.Connection, name: str = DEFAULT_URBAN_NAME) -> LayerInfo:
    """(Re)build urban layer `name` from Natural Earth's urban areas."""
    return await write_layer(conn, "urban", name, f"naturalearth:{URBAN_AREAS.name}", read_polygons(URBAN_AREAS))
