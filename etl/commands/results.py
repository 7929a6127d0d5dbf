"""`mlyetl results`: list and drop named filter results."""

from __future__ import annotations

import asyncio
import json

import click

from etl.cli_options import database_options
from etl.db.connect import connection
from etl.db.migrate import ensure_schema
from etl.db.target import DatabaseTarget
from etl.results_admin import drop_result, list_results


@click.group("results")
def command() -> None:
    """List or drop named filter results.

    \b
    Example:
      mlyetl results list && mlyetl results drop europe-v1 --yes
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
