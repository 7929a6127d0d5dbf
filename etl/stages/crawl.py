"""The crawl stage from Python: `run_crawl(target, CrawlSettings(...))` -> `CrawlSummary`.

`mlyetl crawl` and `mlyetl run` call this function; the click options of `mlyetl crawl`
are generated from `CrawlSettings` (etl/cli_options.py).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from etl.crawl import settings as engine_settings
from etl.crawl.area import AreaSpec, area_spec, parse_bbox
from etl.crawl.run import CrawlSummary
from etl.db.target import DatabaseTarget
from etl.errors import UserInputError
from etl.mapillary.client import GRAPH_URL, TILES_URL, ClientSettings, check_api_url
from etl.mapillary.limits import parse_limits
from etl.mapillary.token import resolve_token
from etl.settings import Settings, setting
from etl.stages.common import ready, run_async

__all__ = ["CrawlSettings", "CrawlSummary", "run_crawl"]

D = engine_settings.CrawlSettings()  # the engine's defaults


@dataclass(frozen=True, kw_only=True)
class CrawlSettings(Settings):
    """What `mlyetl crawl` takes; one of bbox, continent or polygon is the area."""

    SECTION = "crawl"

    bbox: str | None = setting(None, "Area as a lon/lat box in degrees.", metavar="W,S,E,N")
    continent: str | None = setting(None, "Area: a continent (built from Natural Earth when first used).",
                                    metavar="NAME")
    polygon: Path | None = setting(None, "Area: polygons in any GDAL vector file.", metavar="FILE")
    method: str = setting(D.method, "Discovery: bbox search quadtree (full metadata per request) or vector tiles "
                          "+ id batches.", choices=("search", "tiles"))
    token: str | None = setting(None, "Mapillary access token. Prefer the environment variable or --token-file: "
                                "flags show in process lists.", envvar="MAPILLARY_TOKEN", secret=True)
    token_file: Path | None = setting(None, "File holding the token (keep it mode 0600).",
                                      envvar="MAPILLARY_TOKEN_FILE", dir_okay=False)
    graph_url: str = setting(GRAPH_URL, "Graph API root (the simulator for tests).")
    tiles_url: str = setting(TILES_URL, "Vector tiles root.")
    since: str | None = setting(None, "Only images captured at or after this ISO 8601 date/time.")
    until: str | None = setting(None, "Only images captured at or before this ISO 8601 date/time.")
    organization_id: int | None = setting(None, "Only this organisation's images.")
    concurrency: int = setting(D.concurrency, "The most HTTP requests in flight at once: the crawler starts at 16 "
                               "and goes up to this while answers are healthy, down on 429s, timeouts and slower "
                               "answers.", min=1, max=1024)
    rate_limit: str | None = setting(
        None, "Client-side limits, e.g. 'search=10000/min,entity=60000/min,tiles=50000/day' (the documented "
        "defaults); CLASS=off or 'off' disables. A 429 lowers a class's rate to the allowance found (also "
        "when crawlers share a token).", metavar="SPEC")
    max_retries: int = setting(D.max_retries, "Retries per request, for transient errors only (429, 5xx, timeouts, "
                               "dropped answers).", min=0, max=20)
    backoff: float = setting(D.backoff_s, "First retry pause in seconds; doubles each retry, with jitter; "
                             "Retry-After wins when longer.", min=0.0, max=60.0)
    timeout: float = setting(D.timeout_s, "Seconds allowed for one request, body included.", min=1.0, max=600.0)
    box_size: float = setting(D.box_size, "Search method: side of the first boxes in degrees.", min=0.001, max=10.0)
    min_box: float = setting(D.min_box, "Search method: boxes are never split below this side (degrees).",
                             min=1e-6, max=1.0)
    split_at: int = setting(D.split_at, "Search method: split a box whose answer has at least this many images "
                            "(it may be cut).", min=1, max=2000)
    ids_per_request: int = setting(D.ids_per_request, "Tiles method: image ids per metadata request.", min=1, max=2000)
    retry_failed: bool = setting(False, "Run the crawl's failed tasks again (and whatever is left).")
    update: bool = setting(False, "Crawl an area crawled before again, as a new pass over all of it: writes only "
                           "new and changed images, marks deleted the ones the API certainly no longer has "
                           "(resumable and shareable like any crawl).")
    lease: float = setting(D.lease_s, "Seconds a claimed task stays ours without renewal; a dead crawler's tasks are "
                           "taken over after it.", min=5.0, max=3600.0)
    batch_rows: int = setting(D.batch_rows, "Rows per COPY (+ upsert) transaction.", min=100, max=200_000)
    writers: int = setting(D.writers, "Database connections writing in parallel (the upserts are bound by index "
                           "updates).", min=1, max=16)
    bulk_load: bool = setting(D.bulk_load, "Into an empty images table: COPY without indexes and build them at the "
                              "end (much faster; other crawls wait until it ends).", negatable=True)
    db_wait: float = setting(D.db_budget_s, "Seconds to wait for a lost database before stopping (the crawl resumes "
                             "when rerun).", min=0.0, max=3600.0)

    def check(self) -> None:
        given = [v for v in (self.bbox, self.continent, self.polygon) if v is not None]
        if len(given) != 1:  # the same error as area_spec (which also looks for the file, at run time)
            area_spec(self.bbox, self.continent, self.polygon)
        if self.bbox is not None:
            parse_bbox(self.bbox)
        for name in ("since", "until"):
            value = getattr(self, name)
            if value is None:
                continue
            try:
                engine_settings.epoch_ms(value)
            except ValueError:
                raise UserInputError(f"--{name} {value!r} is not a date",
                                     hint="use ISO 8601, e.g. 2021-06-30 or 2021-06-30T12:00:00Z") from None
        parse_limits(self.rate_limit)
        check_api_url("Graph API", self.graph_url, GRAPH_URL)
        check_api_url("tiles", self.tiles_url, TILES_URL)
        self.engine()  # the engine's own checks too (e.g. --since after --until), before anything runs

    def area(self) -> AreaSpec:
        return area_spec(self.bbox, self.continent, self.polygon)

    def engine(self) -> engine_settings.CrawlSettings:
        return engine_settings.CrawlSettings(
            method=self.method, box_size=self.box_size, min_box=self.min_box, split_at=self.split_at,
            since=self.since, until=self.until, organization_id=self.organization_id,
            ids_per_request=self.ids_per_request, concurrency=self.concurrency, limits=parse_limits(self.rate_limit),
            max_retries=self.max_retries, backoff_s=self.backoff, timeout_s=self.timeout, lease_s=self.lease,
            batch_rows=self.batch_rows, writers=self.writers, db_budget_s=self.db_wait, bulk_load=self.bulk_load)

    def client(self) -> ClientSettings:
        return ClientSettings(token=token_of(self.token, self.token_file), graph_url=self.graph_url.rstrip("/"),
                              tiles_url=self.tiles_url.rstrip("/"), concurrency=self.concurrency,
                              limits=parse_limits(self.rate_limit), max_retries=self.max_retries,
                              backoff_s=self.backoff, timeout_s=self.timeout)


def token_of(token: str | None, token_file: Path | None) -> str:
    """The token given, else MAPILLARY_TOKEN / MAPILLARY_TOKEN_FILE of the environment."""
    if token is None and token_file is None:
        token = os.environ.get("MAPILLARY_TOKEN") or None
        token_file = Path(os.environ["MAPILLARY_TOKEN_FILE"]) if os.environ.get("MAPILLARY_TOKEN_FILE") else None
    return resolve_token(token, token_file)


def run_crawl(target: DatabaseTarget | str, settings: CrawlSettings, *, quiet: bool = True) -> CrawlSummary:
    """Crawl the area of `settings` into the database; rerun to resume. Failed tasks are counted
    in the summary (`summary.failed`), not raised."""
    from etl.crawl.run import run_crawl as crawl_engine

    client = settings.client()

    async def run() -> CrawlSummary:
        return await crawl_engine(await ready(target), settings.area(), settings.engine(), client,
                                  retry_failed=settings.retry_failed, update=settings.update, quiet=quiet)

    return run_async(run())
