"""`mlyetl report`: an offline interactive map and charts of a filter result or a crawl."""

from __future__ import annotations

import click

from etl.cli_options import database_options, echo_summary, settings_options
from etl.db.target import DatabaseTarget
from etl.stages.report import ReportSettings, run_report


@click.command("report")
@settings_options(ReportSettings, only=("result",))
@click.option("--crawl", "crawl", type=int, is_flag=False, flag_value=0, default=None,
              help="Describe a crawl alone: `--crawl ID`, or `--crawl` for the latest crawl.")
@settings_options(ReportSettings, only=("out", "max_points"))
@database_options
def command(target: DatabaseTarget, **values: object) -> None:
    """Write a folder that opens from file:// without a network: a Leaflet map (Natural Earth
    basemap, layers, legend, scale, popups) beside SVG charts, and tables.

    Example: mlyetl report --result paris --out out/report && xdg-open out/report/index.html
    """
    echo_summary(run_report(target, ReportSettings(**values)))
