"""`mlyetl filter`: clip, classify, space and line up images into a named result."""

from __future__ import annotations

import click

from etl.cli_options import database_options, echo_summary, settings_options
from etl.db.target import DatabaseTarget
from etl.commands._curation_options import curation_options
from etl.stages.filter import FilterSettings, run_filter


@click.command("filter")
@settings_options(FilterSettings, only=("name", "continent", "urban", "spacing_urban", "spacing_other",
                                        "spacing_mode", "exclude_result"))
@curation_options
@settings_options(FilterSettings, only=("replace", "jobs"))
@database_options
def command(target: DatabaseTarget, **values: object) -> None:
    """Filter the crawled images in SQL into result NAME: keep those in the continent
    (a point on the border is inside), class them urban / other, thin each sequence per
    class to one image every --spacing-* metres, drop duplicates, and draw one line per
    sequence. Re-running recomputes only the sequences whose images changed and prints
    what changed in the kept images since the last run ("+N kept, -M dropped").

    Curation (docs/filters.md): attribute filters (--captured-*, --pano, --camera-type,
    --min-quality, --daylight) come before spacing; then thinning across sequences per class
    (--min-distance-*) and caps per cell of an equal-area grid (--max-per-cell, --cell-size),
    both in --priority order.

    \b
    Example:
      mlyetl filter --name europe-v1 --continent Europe --spacing-urban 100 --spacing-other 1000
      mlyetl filter --name europe-ml --continent Europe --daylight --pano exclude \\
          --min-distance-urban 50 --min-distance-other 300 --max-per-cell 20 --cell-size 1000
    """
    echo_summary(run_filter(target, FilterSettings(**values)))
