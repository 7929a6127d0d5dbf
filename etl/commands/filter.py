"""`mlyetl filter`: clip, classify, space and line up images into a named result."""

from __future__ import annotations

import asyncio

import click

from etl.boundaries.naturalearth import DEFAULT_URBAN_NAME
from etl.cli_options import database_options
from etl.db.connect import connection
from etl.db.target import DatabaseTarget
from etl.filters import SPACING_MODES, FilterParams, default_jobs, run_filter
from etl.filters.curation_options import curation_options
from etl.filters.curation_params import CurationParams
from etl.qgis.styles import install_base_styles


@click.command("filter")
@click.option("--name", "name", required=True, help="Name of the result (created, or brought up to date).")
@click.option("--continent", required=True,
              help="Continent layer; a Natural Earth continent (e.g. Europe) is built on first use.")
@click.option("--urban", default=DEFAULT_URBAN_NAME, show_default=True,
              help="Urban layer; the default is Natural Earth's urban areas, built on first use.")
@click.option("--spacing-urban", type=float, default=100.0, show_default=True, help="Metres between kept urban images.")
@click.option("--spacing-other", type=float, default=1000.0, show_default=True, help="Metres between kept other images.")
@click.option("--spacing-mode", type=click.Choice(SPACING_MODES), default="path", show_default=True,
              help="path: distance walked along the sequence since the last kept image (the original rule); "
                   "straight: straight-line distance to the last kept image.")
@click.option("--exclude-result", metavar="OLD", help="Leave out the images result OLD kept (its dataset), so a new download fetches only new images.")
@curation_options
@click.option("--replace", is_flag=True, help="Recompute the result from scratch when its parameters changed.")
@click.option("--jobs", type=click.IntRange(1, 64), default=default_jobs(), show_default=True,
              help="Database connections writing disjoint sequence buckets (the clip + walk statement runs on PostgreSQL's parallel workers).")
@database_options
def command(target: DatabaseTarget, name: str, continent: str, urban: str, spacing_urban: float,
            spacing_other: float, spacing_mode: str, exclude_result: str | None, curation: CurationParams, replace: bool,
            jobs: int) -> None:
    """Filter the crawled images in SQL into result NAME: keep those in the continent
    (a point on the border is inside), class them urban / other, thin each sequence per
    class to one image every --spacing-* metres, drop duplicates, and draw one line per
    sequence. Re-running recomputes only the sequences whose images changed.

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
    params = FilterParams(name=name, continent=continent, urban=urban, spacing_urban=spacing_urban,
                          spacing_other=spacing_other, spacing_mode=spacing_mode, exclude_result=exclude_result,
                          curation=curation)
    report = asyncio.run(run_filter(target, params, jobs=jobs, replace=replace))
    asyncio.run(_style_new_layers(target))
    counts = report.counts
    click.echo(f"result {name}: {counts.get('clipped', 0):,} images in {continent} "
               f"({counts.get('urban', 0):,} urban, {counts.get('other', 0):,} other, "
               f"{counts.get('duplicates', 0):,} duplicates); kept {counts.get('kept_urban', 0):,} urban + "
               f"{counts.get('kept_other', 0):,} other; {counts.get('sequences', 0):,} sequences, "
               f"{counts.get('recomputed_sequences', 0):,} recomputed; {report.timings.get('total', 0):.1f} s")
    if curation.curates:
        click.echo(f"curation: {counts.get('candidates', 0):,} images after spacing, "
                   f"{counts.get('thinned_out', 0):,} thinned out, {counts.get('capped_out', 0):,} over a cell's cap")


async def _style_new_layers(target: DatabaseTarget) -> None:
    """A new result is a new table (a QGIS / GDAL layer): give it the by-class style."""
    async with connection(target) as conn:
        await install_base_styles(conn)
