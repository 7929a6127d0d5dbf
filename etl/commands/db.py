"""`mlyetl db`: start, stop and inspect the database; apply migrations."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from etl.cli_options import database_options
from etl.db import citus, migrate
from etl.db.connect import connection
from etl.db.target import DatabaseTarget
from etl.errors import UserInputError


@click.group("db")
def command() -> None:
    """Manage the database: the embedded cluster by default, or --dsn / MLYETL_DSN.

    \b
    Example:
      mlyetl db start && psql "$(mlyetl db url)" -c 'select postgis_version()'
    """


def _embedded(target: DatabaseTarget, verb: str):  # noqa: ANN202
    if target.cluster is None:
        raise UserInputError(
            f"'db {verb}' manages the embedded cluster, but an external database is configured ({target.source})",
            hint="unset --dsn / MLYETL_DSN / PG* variables, or manage that server yourself",
        )
    return target.cluster


@command.command("start")
@database_options
def start(target: DatabaseTarget) -> None:
    """Create (first time) and start the embedded PostgreSQL + PostGIS cluster, then migrate.

    Harmless when it is already running. Example: mlyetl db start
    """
    cluster = _embedded(target, "start")
    started = cluster.ensure_running()
    asyncio.run(migrate.ensure_schema(target))
    version = migrate.head_revision()
    state = "started" if started else "already running"
    click.echo(f"embedded database {state}: port {cluster.port()}, data in {cluster.data_dir}, schema {version}")
    click.echo('connect with: psql "$(mlyetl db url)"')


@command.command("stop")
@database_options
def stop(target: DatabaseTarget) -> None:
    """Stop the embedded cluster; its data stays in the data dir. Example: mlyetl db stop"""
    cluster = _embedded(target, "stop")
    click.echo("stopped" if cluster.stop() else "not running")


@command.command("url")
@database_options
def url(target: DatabaseTarget) -> None:
    """Print a connection string for psql, QGIS or GDAL (the password stays in a passfile).

    Example: psql "$(mlyetl db url)"
    """
    if target.cluster is None:
        click.echo(target.display())
        return
    cluster = target.cluster
    cluster.ensure_running()
    click.echo(cluster.tcp_url())


@command.command("migrate")
@click.option("--revision", default="head", show_default=True, help="Target revision ('base' to remove the schema).")
@database_options(start=True)
def migrate_cmd(target: DatabaseTarget, revision: str) -> None:
    """Bring the schema to the latest version (idempotent). Example: mlyetl db migrate"""
    current = asyncio.run(migrate.current_revision(target))
    if revision == "base":
        result = asyncio.run(migrate.downgrade(target, "base"))
    elif revision == "head":
        asyncio.run(migrate.ensure_schema(target))
        result = migrate.head_revision()
    else:
        result = asyncio.run(migrate.upgrade(target, revision))
    click.echo(f"schema {current} -> {result}" if current != result else f"schema already at {result}")


@command.command("install-extension")
@click.option("--pg-config", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="pg_config of the server (default: the one the server reports, or the embedded cluster's).")
@database_options
def install_extension_cmd(target: DatabaseTarget, pg_config: Path | None) -> None:
    """Build and install the optional C spacing walk (extension mlyetl_spacing) into the server.

    Needs a C compiler, make and the server's development files (Debian:
    postgresql-server-dev-NN), and root for a system PostgreSQL. Without it the filter
    uses the PL/pgSQL walk: same results, slower.

    Example: sudo mlyetl db install-extension
    """
    from etl.db.extension import install_extension

    for line in install_extension(target, pg_config):
        click.echo(line)


@command.command("status")
@database_options
def status(target: DatabaseTarget) -> None:
    """Show where the database is, whether it runs, its versions and size.

    Example: mlyetl db status
    """
    click.echo(f"database: {target.display()} (chosen by {target.source})")
    if target.cluster is not None:
        facts = target.cluster.status()
        click.echo(f"running: {'yes' if facts.running else 'no'}; port: {facts.port or '-'}")
        if not facts.running:
            click.echo("start it with: mlyetl db start")
            return
    for line in asyncio.run(_server_facts(target)):
        click.echo(line)


async def _server_facts(target: DatabaseTarget) -> list[str]:
    async with connection(target) as conn:
        server = await conn.fetchval("SHOW server_version")
        postgis = await conn.fetchval(
            "SELECT extversion FROM pg_extension WHERE extname = 'postgis'"
        )
        size = await conn.fetchval("SELECT pg_size_pretty(pg_database_size(current_database()))")
        nodes = await citus.status_lines(conn)  # the cluster's nodes, on a Citus coordinator
    current = await migrate.current_revision(target) if postgis else "no PostGIS yet"
    head = migrate.head_revision()
    return [
        f"server: PostgreSQL {server}; PostGIS {postgis or 'not installed'}",
        f"schema: {current} (latest {head}){'' if current == head else ' - run: mlyetl db migrate'}",
        f"size: {size}",
        *nodes,
    ]
