"""`mlyetl crawl`: harvest every image of an area from the Mapillary API into PostGIS."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from etl.cli_options import database_options, is_quiet
from etl.crawl.area import area_spec
from etl.crawl.run import run_crawl
from etl.crawl.settings import CrawlSettings, epoch_ms
from etl.db.target import DatabaseTarget
from etl.errors import RunFailure, UserInputError
from etl.mapillary.client import GRAPH_URL, TILES_URL, ClientSettings
from etl.mapillary.limits import parse_limits
from etl.mapillary.token import resolve_token

D = CrawlSettings()  # the defaults shown in --help


def _check_date(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        epoch_ms(value)
    except ValueError:
        raise UserInputError(f"{name} {value!r} is not a date", hint="use ISO 8601, e.g. 2021-06-30 or 2021-06-30T12:00:00Z") from None
    return value


@click.command("crawl")
@click.option("--bbox", metavar="W,S,E,N", help="Area as a lon/lat box in degrees.")
@click.option("--continent", metavar="NAME", help="Area: a continent (built from Natural Earth when first used).")
@click.option("--polygon", type=click.Path(path_type=Path), metavar="FILE", help="Area: polygons in any GDAL vector file.")
@click.option("--method", type=click.Choice(["search", "tiles"]), default=D.method, show_default=True,
              help="Discovery: bbox search quadtree (full metadata per request) or vector tiles + id batches.")
@click.option("--token", envvar="MAPILLARY_TOKEN", show_envvar=True,
              help="Mapillary access token. Prefer the environment variable or --token-file: flags show in process lists.")
@click.option("--token-file", type=click.Path(path_type=Path, dir_okay=False), envvar="MAPILLARY_TOKEN_FILE",
              show_envvar=True, help="File holding the token (keep it mode 0600).")
@click.option("--graph-url", default=GRAPH_URL, show_default=True, help="Graph API root (the simulator for tests).")
@click.option("--tiles-url", default=TILES_URL, show_default=True, help="Vector tiles root.")
@click.option("--since", help="Only images captured at or after this ISO 8601 date/time.")
@click.option("--until", help="Only images captured at or before this ISO 8601 date/time.")
@click.option("--organization-id", type=int, help="Only this organisation's images.")
@click.option("--concurrency", type=click.IntRange(1, 256), default=D.concurrency, show_default=True,
              help="HTTP requests in flight at once.")
@click.option("--rate-limit", "rate_limit", metavar="SPEC",
              help="Client-side limits, e.g. 'search=10000/min,entity=60000/min,tiles=50000/day' (the documented "
                   "defaults); CLASS=off or 'off' disables. Split them when several crawlers share a token.")
@click.option("--max-retries", type=click.IntRange(0, 20), default=D.max_retries, show_default=True,
              help="Retries per request, for transient errors only (429, 5xx, timeouts, dropped answers).")
@click.option("--backoff", type=click.FloatRange(0.0, 60.0), default=D.backoff_s, show_default=True,
              help="First retry pause in seconds; doubles each retry, with jitter; Retry-After wins when longer.")
@click.option("--timeout", type=click.FloatRange(1.0, 600.0), default=D.timeout_s, show_default=True,
              help="Seconds allowed for one request, body included.")
@click.option("--box-size", type=click.FloatRange(0.001, 10.0), default=D.box_size, show_default=True,
              help="Search method: side of the first boxes in degrees.")
@click.option("--min-box", type=click.FloatRange(1e-6, 1.0), default=D.min_box, show_default=True,
              help="Search method: boxes are never split below this side (degrees).")
@click.option("--split-at", type=click.IntRange(1, 2000), default=D.split_at, show_default=True,
              help="Search method: split a box whose answer has at least this many images (it may be cut).")
@click.option("--ids-per-request", type=click.IntRange(1, 2000), default=D.ids_per_request, show_default=True,
              help="Tiles method: image ids per metadata request.")
@click.option("--retry-failed", is_flag=True, help="Run the crawl's failed tasks again (and whatever is left).")
@click.option("--lease", "lease_s", type=click.FloatRange(5.0, 3600.0), default=D.lease_s, show_default=True,
              help="Seconds a claimed task stays ours without renewal; a dead crawler's tasks are taken over after it.")
@click.option("--batch-rows", type=click.IntRange(100, 200_000), default=D.batch_rows, show_default=True,
              help="Rows per COPY (+ upsert) transaction.")
@click.option("--writers", type=click.IntRange(1, 16), default=D.writers, show_default=True,
              help="Database connections writing in parallel (the upserts are bound by index updates).")
@click.option("--bulk-load/--no-bulk-load", default=D.bulk_load, show_default=True,
              help="Into an empty images table: COPY without indexes and build them at the end (much faster; "
                   "other crawls wait until it ends).")
@click.option("--db-wait", "db_budget_s", type=click.FloatRange(0.0, 3600.0), default=D.db_budget_s, show_default=True,
              help="Seconds to wait for a lost database before stopping (the crawl resumes when rerun).")
@database_options
def command(target: DatabaseTarget, bbox: str | None, continent: str | None, polygon: Path | None, method: str,
            token: str | None, token_file: Path | None, graph_url: str, tiles_url: str, since: str | None,
            until: str | None, organization_id: int | None, concurrency: int, rate_limit: str | None,
            max_retries: int, backoff: float, timeout: float, box_size: float, min_box: float, split_at: int,
            ids_per_request: int, retry_failed: bool, lease_s: float, batch_rows: int, writers: int, bulk_load: bool,
            db_budget_s: float) -> None:
    """Harvest every image of an area (metadata) into PostGIS, resumably.

    The area is one of --bbox, --continent or --polygon. The token comes from
    MAPILLARY_TOKEN or a token file. Rerunning the same command resumes the
    crawl; several crawlers on one database share its work.

    \b
    Example:
      MAPILLARY_TOKEN_FILE=~/.mapillary-token mlyetl crawl --bbox 6.60,46.50,6.68,46.55
    """
    spec = area_spec(bbox, continent, polygon)
    secret = resolve_token(token, token_file)
    settings = CrawlSettings(
        method=method, box_size=box_size, min_box=min_box, split_at=split_at, since=_check_date(since, "--since"),
        until=_check_date(until, "--until"), organization_id=organization_id, ids_per_request=ids_per_request,
        concurrency=concurrency, limits=parse_limits(rate_limit), max_retries=max_retries, backoff_s=backoff,
        timeout_s=timeout, lease_s=lease_s, batch_rows=batch_rows, writers=writers, db_budget_s=db_budget_s,
        bulk_load=bulk_load,
    )
    client = ClientSettings(token=secret, graph_url=graph_url.rstrip("/"), tiles_url=tiles_url.rstrip("/"),
                            concurrency=concurrency, limits=settings.limits, max_retries=max_retries,
                            backoff_s=backoff, timeout_s=timeout)
    summary = asyncio.run(run_crawl(target, spec, settings, client, retry_failed=retry_failed, quiet=is_quiet()))
    for line in summary.lines():
        click.echo(line)
    if summary.failed:
        examples = "; ".join(summary.failed_examples)
        raise RunFailure(f"{summary.failed:,} task(s) failed (e.g. {examples})",
                         hint="rerun the same command with --retry-failed")
