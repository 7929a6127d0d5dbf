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

    Images already on disk are skipped, so rerunning the same command resumes; failures
    are stored with their reason in image_downloads and retried with --retry-failed.
    The token comes from MAPILLARY_TOKEN or a token file (MAPILLARY_TOKEN_FILE / --token-file).

    \b
    Example:
      mlyetl images download --result europe --class urban --size 2048 --resize 512 --out images/europe
    """
    echo_summary(run_images(target, ImagesSettings(**values), quiet=is_quiet()))
