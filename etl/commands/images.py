"""`mlyetl images`: download a result's images (thumbnails or originals) with EXIF."""

from __future__ import annotations

import click

from etl.cli_options import database_options, echo_summary, is_quiet, settings_options
from etl.db.target import DatabaseTarget
from etl.stages.images import ImagesSettings, run_images


@click.group("images")
def command() -> None:
    """Download the images of a filter result or of one exported CSV shard.

    \b
    Example:
      MAPILLARY_TOKEN_FILE=~/.mapillary-token mlyetl images download --shard exports/all-00007.csv --size 1024 --out images
    """


@command.command("download")
@settings_options(ImagesSettings)
@database_options
def download(target: DatabaseTarget, **values: object) -> None:
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
    echo_summary(run_images(target, ImagesSettings(**values), quiet=is_quiet()))
