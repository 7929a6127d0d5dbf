"""`mlyetl results`: list, drop and compare named filter results."""

from __future__ import annotations

import asyncio
import json

import click

from etl.cli_options import database_options, echo_summary, is_quiet
from etl.db.connect import connection
from etl.db.migrate import ensure_schema
from etl.db.target import DatabaseTarget
from etl.results_admin import drop_result, list_results


@click.group("results")
def command() -> None:
    """List, drop or compare named filter results.

    \b
    Example:
      mlyetl results list && mlyetl results drop europe-v1 --yes
      mlyetl results diff europe-v1 europe-v2 --out exports/europe-v1-to-v2
    """


@command.command("list")
@database_options(start=True)
def list_cmd(target: DatabaseTarget) -> None:
    """Show each result with its parameters and counts. Example: mlyetl results list"""

    async def go() -> list:
        await ensure_schema(target)
        async with connection(target) as conn:
            return await list_results(conn)

    rows = asyncio.run(go())
    if not rows:
        click.echo("no filter results yet (make one with mlyetl filter)")
    for row in rows:
        click.echo(f"{row['name']}: {json.dumps(row['params'], sort_keys=True)}; "
                   f"{json.dumps(row['counts'], sort_keys=True)}")


@command.command("drop")
@click.argument("name")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@database_options(start=True)
def drop_cmd(target: DatabaseTarget, name: str, yes: bool) -> None:
    """Drop result NAME: its points, lines and tables (the images stay).

    Example: mlyetl results drop europe-v1 --yes
    """
    if not yes:
        click.confirm(f"drop filter result {name!r} and its tables?", abort=True)

    async def go() -> int:
        await ensure_schema(target)
        async with connection(target) as conn:
            return await drop_result(conn, name)

    asyncio.run(go())
    click.echo(f"dropped filter result {name!r}")


@command.command("diff")
@click.argument("old")
@click.argument("new")
@click.option("--out", required=True,  # text: click's Path would turn '' into '.' before the check
              help="A new or empty folder to write the diff into (created if missing).")
@click.option("--batch-rows", type=click.IntRange(1000, 1_000_000), default=50_000, show_default=True,
              help="Rows read and written per GeoPackage batch.")
@database_options
def diff_cmd(target: DatabaseTarget, old: str, new: str, out: str, batch_rows: int) -> None:
    """The images added, removed and changed from result OLD to result NEW.

    Images are matched by image id over the whole result: added = kept in NEW, not in
    OLD; removed = kept in OLD, not in NEW; changed = kept in both with any exported
    value different (position, capture time, angles, class, ...). An image kept in both
    is never added or removed. Writes added, removed and changed as .csv (the columns of
    `mlyetl export csv`) and .gpkg, plus diff.json with the counts.

    \b
    Example:
      mlyetl results diff europe-v1 europe-v2 --out exports/europe-v1-to-v2
    """
    from etl.export.diff import run_diff

    echo_summary(run_diff(target, old, new, out, rows_per_batch=batch_rows, quiet=is_quiet()))
