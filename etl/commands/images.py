"""`mlyetl images`: download a result's images (thumbnails or originals) with EXIF."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from etl.cli_options import database_options, is_quiet
from etl.db.migrate import ensure_schema
from etl.db.target import DatabaseTarget
from etl.errors import RunFailure, UserInputError
from etl.export.source import CLASS_CHOICES
from etl.images.layout import SIZES
from etl.images.settings import DEFAULTS, Tuning
from etl.progress import make_progress


@click.group("images")
def command() -> None:
    """Download the images of a filter result or of one exported CSV shard.

    \b
    Example:
      MAPILLARY_TOKEN_FILE=~/.mapillary-token mlyetl images download --shard exports/all-00007.csv --size 1024 --out images
    """


@command.command("download")
@click.option("--shard", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="A CSV shard from 'mlyetl export csv' (its result is read from the manifest beside it).")
@click.option("--result", help="A filter result: download all its kept images (or with --shard: the shard's result).")
@click.option("--class", "cls", type=click.Choice(CLASS_CHOICES), default="all", show_default=True,
              help="With --result: which class.")
@click.option("--size", type=click.Choice(SIZES), default="1024", show_default=True,
              help="Thumbnail long side in px, or the original image.")
@click.option("--out", required=True, metavar="FOLDER|s3://BUCKET/PREFIX",
              help="Root folder or S3 prefix; images go to OUT/{class}_{threshold}m/{size}/{image_id}.jpg. "
                   "S3 (any S3-compatible store) takes the standard AWS_* environment variables, "
                   "AWS_ENDPOINT_URL for MinIO, Ceph, R2 and the like.")
@click.option("--resize", type=click.IntRange(16, 8192), metavar="PX",
              help="Also write a copy whose long side is PX (aspect ratio kept) to OUT/{class}_{threshold}m/{size}_resized_PX/.")
@click.option("--retry-failed", is_flag=True, help="Try again the images whose earlier download failed.")
@click.option("--token", envvar="MAPILLARY_TOKEN", show_envvar=True,
              help="Mapillary access token. Prefer the environment variable or --token-file: flags show in process lists.")
@click.option("--token-file", type=click.Path(path_type=Path, dir_okay=False), envvar="MAPILLARY_TOKEN_FILE",
              show_envvar=True, help="File holding the token (keep it mode 0600).")
@click.option("--graph-url", default="https://graph.mapillary.com", show_default=True,
              help="Graph API root (the simulator for tests).")
@click.option("--concurrency", type=click.IntRange(1, 256), default=DEFAULTS.concurrency, show_default=True,
              help="Downloads in flight (per process).")
@click.option("--batch-images", type=click.IntRange(1, 100_000), default=DEFAULTS.batch_images, show_default=True,
              help="Images per batch that a process claims from the shared job (not with --shard).")
@click.option("--lease", "lease_s", type=click.FloatRange(2.0, 3600.0), default=DEFAULTS.lease_s, show_default=True,
              help="Seconds after which a batch of a process that stopped renewing it is taken over.")
@click.option("--no-draft", is_flag=True, hidden=True, help="Decode at full scale before resizing (benchmarks).")
@click.option("--rate-limit", metavar="SPEC", help="API limits for the URL calls, e.g. 'entity=60000/min' (the default).")
@click.option("--max-retries", type=click.IntRange(0, 20), default=DEFAULTS.max_retries, show_default=True,
              help="Retries per image and per API call, for transient errors (5xx, timeouts, cut answers).")
@click.option("--backoff", type=click.FloatRange(0.0, 60.0), default=DEFAULTS.backoff_s, show_default=True,
              help="First retry pause in seconds; doubles each retry, with jitter.")
@click.option("--timeout", type=click.FloatRange(1.0, 3600.0), default=DEFAULTS.timeout_s, show_default=True,
              help="Seconds allowed for one download or API call.")
@database_options
def download(target: DatabaseTarget, shard: Path | None, result: str | None, cls: str, size: str, out: str,
             resize: int | None, retry_failed: bool, token: str | None, token_file: Path | None, graph_url: str,
             concurrency: int, batch_images: int, lease_s: float, no_draft: bool, rate_limit: str | None,
             max_retries: int, backoff: float, timeout: float) -> None:
    """Fetch fresh URLs in batches, download with bounded concurrency, add EXIF, record outcomes.

    Any number of processes, on one machine or many, given the same --result, --class,
    --size, --out and --resize share the work through the database: each claims batches
    of images under a lease, so every image is fetched once; a batch of a process that
    died is taken over when its lease runs out. Images already stored are skipped, so
    rerunning the same command resumes; failures are stored with their reason in
    image_downloads and retried with --retry-failed. The exit code is 1 when any image
    failed. The token comes from MAPILLARY_TOKEN or a token file (MAPILLARY_TOKEN_FILE /
    --token-file).

    \b
    Example:
      mlyetl images download --result europe --class urban --size 2048 --resize 512 --out images/europe
      AWS_ENDPOINT_URL=http://127.0.0.1:9000 mlyetl images download --result europe --out s3://bucket/europe
    """
    from etl.images.runner import DownloadRequest, download_images
    from etl.mapillary.client import ClientSettings
    from etl.mapillary.limits import parse_limits
    from etl.mapillary.token import resolve_token

    if shard is None and result is None:
        raise UserInputError("say what to download", hint="give --shard FILE or --result NAME")
    request = DownloadRequest(str(out), size, result, cls, shard, resize, retry_failed)
    client = ClientSettings(token=resolve_token(token, token_file), graph_url=graph_url.rstrip("/"),
                            limits=parse_limits(rate_limit), max_retries=max_retries, backoff_s=backoff,
                            timeout_s=timeout, concurrency=min(concurrency, 16))
    tuning = Tuning(concurrency=concurrency, max_retries=max_retries, backoff_s=backoff, timeout_s=timeout,
                    batch_images=batch_images, lease_s=lease_s, draft=not no_draft)

    async def run() -> int:
        await ensure_schema(target)
        with make_progress(f"images {size}", "images", quiet=is_quiet()) as progress:
            outcome = await download_images(target, request, client, tuning, progress)
        _report(outcome.counts, outcome.summary, outcome.unknown)
        return outcome.counts.failed

    failed = asyncio.run(run())
    if failed:
        raise RunFailure(f"{failed:,} image(s) failed (reasons above and in image_downloads)",
                         hint="rerun with --retry-failed to try them again")


def _report(counts, outcomes, unknown: list[int]) -> None:  # noqa: ANN001
    import time

    elapsed = max(time.monotonic() - counts.started, 1e-9)
    click.echo(f"downloaded {counts.downloaded:,} images ({counts.bytes / 1e6:,.1f} MB) in {elapsed:.1f} s: "
               f"{counts.downloaded / elapsed:,.1f} images/s, {counts.bytes / 1e6 / elapsed:,.2f} MB/s; "
               f"{counts.skipped:,} already stored; {counts.failed:,} failed; {counts.url_refreshes:,} URLs refreshed")
    handled = counts.downloaded + counts.skipped + counts.failed
    if handled:
        click.echo(f"client CPU {counts.cpu_s:.1f} s, {counts.cpu_s / handled * 1000:.2f} ms per image")
    for reason, n in sorted(counts.reasons.items(), key=lambda kv: -kv[1])[:5]:
        click.echo(f"  failed {n:,}: {reason}")
    done = sum(r["n"] for r in outcomes if r["state"] == "done")
    failed = sum(r["n"] for r in outcomes if r["state"] == "failed")
    click.echo(f"in the database for this result and size: {done:,} done, {failed:,} failed"
               + (" (retry them with --retry-failed)" if failed else ""))
    if unknown:
        click.echo(f"warning: {len(unknown):,} ids of the shard are not in the result (e.g. {unknown[0]})", err=True)
