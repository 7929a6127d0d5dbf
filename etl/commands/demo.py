"""`mlyetl demo`: the offline tour of the tool (grows with the pipeline)."""

from __future__ import annotations

import asyncio

import click

from etl.cli_options import database_options
from etl.db import migrate
from etl.db.target import DatabaseTarget


@click.command("demo")
@database_options
def command(target: DatabaseTarget) -> None:
    """Run the pipeline offline on a small built-in world and say where the results are.

    Example: mlyetl demo
    """
    version = asyncio.run(_prepare(target))
    click.echo(f"database ready: {target.display()}, schema {version}")
    if target.cluster is not None:
        click.echo('open it with: psql "$(mlyetl db url)"')


async def _prepare(target: DatabaseTarget) -> str:
    await migrate.ensure_schema(target)
    return await migrate.current_revision(target)
