"""`mlyetl boundaries`: load and list the polygon layers the filters and crawler use."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from etl import boundaries
from etl.boundaries import naturalearth
from etl.cli_options import database_options
from etl.db.connect import connection
from etl.db.migrate import ensure_schema
from etl.db.target import DatabaseTarget
from etl.runs import recorded_run


@click.group("boundaries")
def command() -> None:
    """Polygon layers: continents, urban areas, crawl areas.

    \b
    Example:
      mlyetl boundaries add-continent Europe && mlyetl boundaries add-urban && mlyetl boundaries list
    """


async def _with_conn(target: DatabaseTarget, kind: str, settings: dict, action):  # noqa: ANN001, ANN202
    await ensure_schema(target)
    async with connection(target) as conn:
        async with recorded_run(conn, kind, settings) as run:
            info = await action(conn)
            run.counters.update(features=info.features, parts=info.parts, cells=info.cells)
            return info


def _echo(info: boundaries.LayerInfo) -> None:
    click.echo(f"{info.kind} layer {info.name!r}: {info.features:,} polygons, {info.parts:,} parts, "
               f"{info.cells:,} grid cells ({info.seconds:.1f} s)")


@command.command("load")
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--kind", type=click.Choice(boundaries.KINDS), required=True, help="What the layer is used for.")
@click.option("--name", required=True, help="Layer name (letters, digits, space, _ - .).")
@click.option("--crs", help="The file's coordinate system when it does not say (e.g. EPSG:3035).")
@click.option("--cell-size", type=float, help="Grid cell size in degrees (default 0.25; 1/32 for urban).")
@database_options
def load(target: DatabaseTarget, file: Path, kind: str, name: str, crs: str | None, cell_size: float | None) -> None:
    """Load FILE (GeoJSON, Shapefile, GeoPackage, any CRS) as a polygon layer; invalid
    polygons are repaired, and a layer of the same kind and name is replaced.

    \b
    Example:
      mlyetl boundaries load africapolis.gpkg --kind urban --name africapolis
    """
    boundaries.validate_name(name, "layer")
    info = asyncio.run(_with_conn(target, "boundaries", {"action": "load", "file": str(file), "kind": kind,
                                                         "name": name},
                                  lambda conn: boundaries.load_polygon_file_info(conn, file, kind, name, crs=crs,
                                                                                 cell_size=cell_size)))
    _echo(info)


@command.command("add-continent")
@click.argument("name")
@database_options
def add_continent(target: DatabaseTarget, name: str) -> None:
    """(Re)build continent NAME from the bundled Natural Earth 1:50m countries (CONTINENT field).

    \b
    Example:
      mlyetl boundaries add-continent Europe
    """
    boundaries.validate_name(name, "continent")
    info = asyncio.run(_with_conn(target, "boundaries", {"action": "add-continent", "name": name},
                                  lambda conn: naturalearth.build_continent(conn, name)))
    _echo(info)


@command.command("add-urban")
@click.option("--name", default=naturalearth.DEFAULT_URBAN_NAME, show_default=True, help="Layer name.")
@database_options
def add_urban(target: DatabaseTarget, name: str) -> None:
    """(Re)build an urban layer from the bundled Natural Earth 1:50m urban areas.

    \b
    Example:
      mlyetl boundaries add-urban
    """
    boundaries.validate_name(name, "layer")
    info = asyncio.run(_with_conn(target, "boundaries", {"action": "add-urban", "name": name},
                                  lambda conn: naturalearth.build_urban_areas(conn, name)))
    _echo(info)


async def _list(target: DatabaseTarget) -> list[dict]:
    await ensure_schema(target)
    async with connection(target) as conn:
        return await boundaries.list_layers(conn)


@command.command("list")
@database_options
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
