"""`mlyetl crawl`: harvest every image of an area from the Mapillary API into PostGIS."""

from __future__ import annotations

import click

from etl.cli_options import database_options, echo_summary, is_quiet, settings_options
from etl.db.target import DatabaseTarget
from etl.stages.crawl import CrawlSettings, run_crawl


@click.command("crawl")
@settings_options(CrawlSettings)
@database_options
def command(target: DatabaseTarget, **values: object) -> None:
    """Harvest every image of an area (metadata) into PostGIS, resumably.

    The area is one of --bbox, --continent or --polygon. The token comes from
    MAPILLARY_TOKEN or a token file. Rerunning the same command resumes the
    crawl; several crawlers on one database share its work. --update crawls an
    area crawled before again (a new pass) and writes only what changed.

    \b
    Example:
      MAPILLARY_TOKEN_FILE=~/.mapillary-token mlyetl crawl --bbox 6.60,46.50,6.68,46.55
      mlyetl crawl --bbox 6.60,46.50,6.68,46.55 --update     # months later: refresh it
    """
    echo_summary(run_crawl(target, CrawlSettings(**values), quiet=is_quiet()))
