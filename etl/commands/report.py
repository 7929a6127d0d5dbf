"""`mlyetl report`: a static HTML page with maps and tables of a filter result."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from etl.cli_options import database_options
from etl.db.connect import connection
from etl.db.migrate import ensure_schema
from etl.db.target import DatabaseTarget
from etl.report.build import build_report


@click.command("report")
@click.option("--result", required=True, help="Name of the filter result to describe.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Folder for index.html and its PNG maps (created if missing).")
@click.option("--width", default=1200, show_default=True, type=click.IntRange(200, 8000),
              help="Width of the maps in pixels.")
@database_options
def command(target: DatabaseTarget, result: str, out_dir: Path, width: int) -> None:
    """Write an HTML page with PNG maps (coverage, kept points by class, sequence lines) and tables.

    Example: mlyetl report --result paris --out out/report && xdg-open out/report/index.html
    """
    page = asyncio.run(_build(target, result, out_dir, width))
    click.echo(f"report written: {page}")


async def _build(target: DatabaseTarget, result: str, out_dir: Path, width: int) -> Path:
    await ensure_schema(target)
    async with connection(target) as conn:
        return await build_report(conn, result, out_dir, width)
