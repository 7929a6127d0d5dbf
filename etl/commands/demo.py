"""`mlyetl demo`: the whole pipeline offline on a small built-in world, images included."""

from __future__ import annotations

import time
from pathlib import Path

import click

from etl.cli_options import database_options, is_quiet
from etl.db.target import DatabaseTarget


@click.command("demo")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=Path("mlyetl-demo"),
              show_default=True, help="Folder for the exported files, images and report.")
@database_options(start=True)
def command(target: DatabaseTarget, out: Path) -> None:
    """Run crawl -> filter -> export -> images -> report offline against the built-in simulator.

    Uses the embedded database unless --dsn / MLYETL_DSN / PG* name another; rerun to resume.

    Example: mlyetl demo --out /tmp/mlyetl-demo
    """
    import asyncio

    from etl.db.migrate import ensure_schema
    from etl.demo import plan_demo, run_demo
    from etl.simulator.config import SimulatorConfig
    from etl.simulator.server import SimulatorServer

    started = time.monotonic()
    asyncio.run(ensure_schema(target))
    with SimulatorServer(SimulatorConfig()) as simulator:
        bbox = simulator.world.bbox
        click.echo(f"simulator: {simulator.base_url} (world 'tiny', bbox {tuple(bbox)})")
        plan = plan_demo(out, simulator.base_url, simulator.tiles_url, tuple(bbox), token=simulator.token)
        run_demo(plan, target, click.echo, quiet=is_quiet(), warn=lambda line: click.echo(line, err=True))
    _print_where(target, out, time.monotonic() - started)


def _print_where(target: DatabaseTarget, out: Path, seconds: float) -> None:
    click.echo(f"\ndemo finished in {seconds:.0f} s. Everything is here:")
    click.echo(f"  files:    {out.resolve()}/export (CSV shards + manifest, GeoPackages)")
    click.echo(f"  images:   {out.resolve()}/images")
    click.echo(f"  report:   {out.resolve()}/report/index.html")
    click.echo(f"  database: {target.display()}")
    if target.cluster is not None:
        click.echo('  psql:     psql "$(mlyetl db url)" -c "select count(*) from images"')
        click.echo("  QGIS:     Layer > Add Layer > PostgreSQL: host 127.0.0.1, port "
                   f"{target.cluster.port()}, database mlyetl, user mlyetl; the password is the last")
        click.echo(f"            field of {target.cluster.pgpass} (or pass that file as PGPASSFILE)")
    click.echo("  layers:   images, filter results (filter_points: the kept images), filter_sequence_lines, boundary_features")
    click.echo("  status:   mlyetl status")
