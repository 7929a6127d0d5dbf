"""`mlyetl boundaries`: load and list the polygon layers the filters and crawler use."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from etl import boundaries
from etl.boundaries import naturalearth
from etl.cli_options import database_options, echo_summary, settings_options
from etl.db.connect import connection
from etl.db.migrate import ensure_schema
from etl.db.target import DatabaseTarget
from etl.stages.boundaries import BoundariesSettings, run_boundaries


@click.group("boundaries")
def command() -> None:
    """Polygon layers: continents, urban areas, crawl areas.

    \b
    Example:
      mlyetl boundaries add-continent Europe && mlyetl boundaries add-urban && mlyetl boundaries list
    """


def _run(target: DatabaseTarget, **values: object) -> None:
    echo_summary(run_boundaries(target, BoundariesSettings(**values)))


@command.command("load")
@click.argument("file", type=click.Path(path_type=Path))
@settings_options(BoundariesSettings, only=("kind", "name", "crs", "cell_size"))
@database_options
def load(target: DatabaseTarget, file: Path, **values: object) -> None:
    """Load FILE (GeoJSON, Shapefile, GeoPackage, any CRS) as a polygon layer; invalid
    polygons are repaired, and a layer of the same kind and name is replaced.

    \b
    Example:
      mlyetl boundaries load africapolis.gpkg --kind urban --name africapolis
    """
    _run(target, file=file, **values)


@command.command("add-continent")
@click.argument("name")
@database_options
def add_continent(target: DatabaseTarget, name: str) -> None:
    """(Re)build continent NAME from the bundled Natural Earth 1:50m countries (CONTINENT field).

    \b
    Example:
      mlyetl boundaries add-continent Europe
    """
    _run(target, kind="continent", name=name)


@command.command("add-urban")
@click.option("--name", default=naturalearth.DEFAULT_URBAN_NAME, show_default=True, help="Layer name.")
@database_options
def add_urban(target: DatabaseTarget, name: str) -> None:
    """(Re)build an urban layer from the bundled Natural Earth 1:50m urban areas.

    \b
    Example:
      mlyetl boundaries add-urban
    """
    _run(target, kind="urban", name=name)


async def _list(target: DatabaseTarget) -> list[dict]:
    await ensure_schema(target)
    async with connection(target) as conn:
        return await boundaries.list_layers(conn)


@command.command("list")
@database_options(start=True)
def list_(target: DatabaseTarget) -> None:
    """List the loaded layers with their counts and area.

    \b
    Example:
      mlyetl boundaries list
    """
    rows = asyncio.run(_list(target))
    if not rows:
        click.echo("no layers; try: mlyetl boundaries add-continent Europe")
    for r in rows:
        click.echo(f"{r['kind']:<9} {r['name']:<24} {r['feature_count']:>6,} polygons {r['cell_count']:>8,} cells "
                   f"{r['area_km2'] or 0:>12,} km2  loaded {r['loaded_at']:%Y-%m-%d %H:%M}  ({r['source']})")
