"""`mlyetl report`: an offline interactive map and charts of a filter result or a crawl."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from etl.cli_options import database_options
from etl.db.connect import connection
from etl.db.migrate import ensure_schema
from etl.db.target import DatabaseTarget
from etl.errors import UserInputError
from etl.report import Limits, build_crawl_report, build_report


@click.command("report")
@click.option("--result", help="Name of the filter result to describe.")
@click.option("--crawl", "crawl_id", type=int, is_flag=False, flag_value=0, default=None,
              help="Describe a crawl alone: `--crawl ID`, or `--crawl` for the latest crawl.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for index.html, its data, charts and scripts (created if missing).")
@click.option("--max-points", default=Limits.max_points, show_default=True, type=click.IntRange(0, 2_000_000),
              help="Images drawn as points (where they are few); the others are counted in map cells.")
@database_options
def command(target: DatabaseTarget, result: str | None, crawl_id: int | None, out_dir: Path, max_points: int) -> None:
    """Write a folder that opens from file:// without a network: a Leaflet map (Natural Earth
    basemap, layers, legend, scale, popups) beside SVG charts, and tables.

    Example: mlyetl report --result paris --out out/report && xdg-open out/report/index.html
    """
    if (result is None) == (crawl_id is None):
        raise UserInputError("give either --result NAME or --crawl [ID]",
                             hint="e.g. mlyetl report --result paris --out out/report")
    limits = Limits(max_points=max_points)
    page = asyncio.run(_build(target, result, crawl_id, out_dir, limits))
    click.echo(f"report written: {page}")


async def _build(target: DatabaseTarget, result: str | None, crawl_id: int | None, out_dir: Path,
                 limits: Limits) -> Path:
    await ensure_schema(target)
    async with connection(target) as conn:
        if result is not None:
            return await build_report(conn, result, out_dir, limits)
        return await build_crawl_report(conn, crawl_id or None, out_dir, limits)
