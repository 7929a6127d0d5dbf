"""The images stage from Python: `run_images(target, ImagesSettings(...))` -> `ImagesSummary`."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path

from etl.db.target import DatabaseTarget
from etl.errors import RunFailure, UserInputError
from etl.export.source import CLASS_CHOICES
from etl.images.layout import SIZES
from etl.images.settings import DEFAULTS
from etl.mapillary.client import GRAPH_URL, check_api_url
from etl.mapillary.limits import parse_limits
from etl.settings import Settings, setting
from etl.stages.common import ready, run_async
from etl.stages.crawl import token_of
from etl.summary import Summary

__all__ = ["ImagesSettings", "ImagesSummary", "run_images"]


@dataclass(frozen=True, kw_only=True)
class ImagesSettings(Settings):
    """What `mlyetl images download` takes: a result or a CSV shard, a size, a folder or S3 prefix."""

    SECTION = "images"

    shard: Path | None = setting(None, "A CSV shard from 'mlyetl export csv' (its result is read from the manifest "
                                 "beside it).", exists=True, dir_okay=False)
    result: str | None = setting(None, "A filter result: download all its kept images (or with --shard: the "
                                 "shard's result).")
    cls: str = setting("all", "With --result: which class.", flag="class", choices=CLASS_CHOICES)
    size: str = setting("1024", "Thumbnail long side in px, or the original image.", choices=SIZES)
    out: str = setting(help="Root folder or S3 prefix; images go to OUT/{class}_{threshold}m/{size}/{image_id}.jpg. "
                       "S3 (any S3-compatible store) takes the standard AWS_* environment variables, "
                       "AWS_ENDPOINT_URL for MinIO, Ceph, R2 and the like.", metavar="FOLDER|s3://BUCKET/PREFIX")
    resize: int | None = setting(None, "Also write a copy whose long side is PX (aspect ratio kept) to "
                                 "OUT/{class}_{threshold}m/{size}_resized_PX/.", min=16, max=8192, metavar="PX")
    retry_failed: bool = setting(False, "Try again the images whose earlier download failed.")
    token: str | None = setting(None, "Mapillary access token. Prefer the environment variable or --token-file: "
                                "flags show in process lists.", envvar="MAPILLARY_TOKEN", secret=True)
    token_file: Path | None = setting(None, "File holding the token (keep it mode 0600).",
                                      envvar="MAPILLARY_TOKEN_FILE", dir_okay=False)
    graph_url: str = setting(GRAPH_URL, "Graph API root (the simulator for tests).")
    concurrency: int = setting(DEFAULTS.concurrency, "Downloads in flight (per process).", min=1, max=256)
    batch_images: int = setting(DEFAULTS.batch_images, "Images per batch that a process claims from the shared job "
                                "(not with --shard).", min=1, max=100_000)
    lease: float = setting(DEFAULTS.lease_s, "Seconds after which a batch of a process that stopped renewing it is "
                           "taken over.", min=2.0, max=3600.0)
    no_draft: bool = setting(False, "Decode at full scale before resizing (benchmarks).", hidden=True)
    rate_limit: str | None = setting(None, "API limits for the URL calls, e.g. 'entity=60000/min' (the default); "
                                     "'cdn=50/s' also limits the downloads.", metavar="SPEC")
    max_retries: int = setting(DEFAULTS.max_retries, "Retries per image and per API call, for transient errors (5xx, "
                               "timeouts, cut answers).", min=0, max=20)
    backoff: float = setting(DEFAULTS.backoff_s, "First retry pause in seconds; doubles each retry, with jitter.",
                             min=0.0, max=60.0)
    timeout: float = setting(DEFAULTS.timeout_s, "Seconds allowed for one download or API call.", min=1.0, max=3600.0)

    def check(self) -> None:
        if self.shard is None and self.result is None:
            raise UserInputError("say what to download", hint="give --shard FILE or --result NAME")
        parse_limits(self.rate_limit)
        check_api_url("Graph API", self.graph_url, GRAPH_URL)


@dataclass
class ImagesSummary(Summary):
    size: str
    downloaded: int = 0
    skipped: int = 0  # already stored
    failed: int = 0  # by this run
    bytes: int = 0
    url_refreshes: int = 0
    seconds: float = 0.0
    cpu_s: float = 0.0  # this process's CPU
    reasons: dict[str, int] = field(default_factory=dict)  # failure reason -> images (this run)
    done_total: int = 0  # in the database for this result and size
    failed_total: int = 0
    unknown_ids: list[int] = field(default_factory=list)  # shard ids not in the result

    def lines(self) -> list[str]:
        elapsed = max(self.seconds, 1e-9)
        lines = [f"downloaded {self.downloaded:,} images ({self.bytes / 1e6:,.1f} MB) in {elapsed:.1f} s: "
                 f"{self.downloaded / elapsed:,.1f} images/s, {self.bytes / 1e6 / elapsed:,.2f} MB/s; "
                 f"{self.skipped:,} already stored; {self.failed:,} failed; {self.url_refreshes:,} URLs refreshed"]
        handled = self.downloaded + self.skipped + self.failed
        if handled:
            lines.append(f"client CPU {self.cpu_s:.1f} s, {self.cpu_s / handled * 1000:.2f} ms per image")
        lines += [f"  failed {n:,}: {reason}" for reason, n in sorted(self.reasons.items(), key=lambda kv: -kv[1])[:5]]
        lines.append(f"in the database for this result and size: {self.done_total:,} done, {self.failed_total:,} "
                     "failed" + (" (retry them with --retry-failed)" if self.failed_total else ""))
        return lines

    def warnings(self) -> list[str]:
        if not self.unknown_ids:
            return []
        return [f"{len(self.unknown_ids):,} ids of the shard are not in the result (e.g. {self.unknown_ids[0]})"]

    def failure(self) -> RunFailure | None:
        if not self.failed:
            return None
        return RunFailure(f"{self.failed:,} image(s) failed (reasons above and in image_downloads)",
                          hint="rerun with --retry-failed to try them again")


async def images_async(target: DatabaseTarget | str, settings: ImagesSettings, *, quiet: bool = True) -> ImagesSummary:
    from etl.images.runner import download_images
    from etl.images.settings import DownloadRequest, Tuning
    from etl.mapillary.client import ClientSettings
    from etl.progress import make_progress

    request = DownloadRequest(settings.out, settings.size, settings.result, settings.cls, settings.shard,
                              settings.resize, settings.retry_failed)
    client = ClientSettings(token=token_of(settings.token, settings.token_file), graph_url=settings.graph_url.rstrip("/"),
                            limits=parse_limits(settings.rate_limit), max_retries=settings.max_retries,
                            backoff_s=settings.backoff, timeout_s=settings.timeout,
                            concurrency=min(settings.concurrency, 16))
    tuning = Tuning(concurrency=settings.concurrency, max_retries=settings.max_retries, backoff_s=settings.backoff,
                    timeout_s=settings.timeout, batch_images=settings.batch_images, lease_s=settings.lease,
                    draft=not settings.no_draft)
    target = await ready(target)
    with make_progress(f"images {settings.size}", "images", quiet=quiet) as progress:
        outcome = await download_images(target, request, client, tuning, progress)
    counts = outcome.counts
    return ImagesSummary(
        settings.size, downloaded=counts.downloaded, skipped=counts.skipped, failed=counts.failed, bytes=counts.bytes,
        url_refreshes=counts.url_refreshes, seconds=time.monotonic() - counts.started, cpu_s=counts.cpu_s,
        reasons=dict(counts.reasons), done_total=sum(r["n"] for r in outcome.summary if r["state"] == "done"),
        failed_total=sum(r["n"] for r in outcome.summary if r["state"] == "failed"), unknown_ids=list(outcome.unknown))


def run_images(target: DatabaseTarget | str, settings: ImagesSettings, *, quiet: bool = True) -> ImagesSummary:
    """Download the images of a result (or of a CSV shard) with EXIF; a rerun resumes. Failed
    images are counted in the summary (`summary.failed`, `summary.failure()`), not raised."""
    return run_async(images_async(target, settings, quiet=quiet))
