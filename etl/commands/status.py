"""`mlyetl status`: per-stage counts, queue states, failures, last runs, database size."""

from __future__ import annotations

import click

from etl.cli_options import database_options, settings_options
from etl.db.target import DatabaseTarget
from etl.stages.status import StatusSettings, run_status


@click.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@settings_options(StatusSettings)
@database_options
def command(target: DatabaseTarget, as_json: bool, **values: object) -> None:
    """Show where the data and the work stand: images, crawl queue, failures, results, runs.

    Example: mlyetl status --recent 5
    """
    report = run_status(target, StatusSettings(**values))
    click.echo(report.to_json() if as_json else "\n".join(report.lines()))
