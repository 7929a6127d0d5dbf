"""`mlyetl export`: a filter result as sharded CSVs, GeoPackages or GeoParquet files."""

from __future__ import annotations

import click

from etl.cli_options import database_options, echo_summary, is_quiet, settings_options
from etl.db.target import DatabaseTarget
from etl.stages.export import CSV_KEYS, FILE_KEYS, ExportSettings, run_export


def _fields(keys: tuple[str, ...]) -> list[str]:
    return [ExportSettings.keys()[k].name for k in keys]


@click.group("export")
def command() -> None:
    """Write a filter result's kept images to files other tools and N parallel jobs can read.

    \b
    Example:
      mlyetl export csv --result europe --shards 500 --out exports/europe
    """


@command.command("csv")
@settings_options(ExportSettings, only=_fields(CSV_KEYS))
@database_options
def csv_cmd(target: DatabaseTarget, **values: object) -> None:
    """Sharded CSVs ({class}-00000.csv ...) and manifest-{class}.json with rows and SHA-256 per shard.

    A sequence is never split across shards; shards are balanced (none exceeds the
    mean plus the largest sequence) and the same data gives byte-identical files.
    A killed export rerun with the same command keeps the shards already written.

    \b
    Example:
      mlyetl export csv --result europe --class urban --shards 500 --out exports/europe
    """
    echo_summary(run_export(target, ExportSettings(format="csv", **values), quiet=is_quiet()))


def _files_command(fmt: str, kind: str, what: str, example: str):  # noqa: ANN202 - a click command
    @command.command(fmt, help=f"""One {what} per class, named with its spacing threshold (urban_100m.{kind}, other_1000m.{kind}).

    Rows stream from a database cursor in batches (--batch-rows), so memory stays flat
    whatever the size of the result; each file appears only when complete.

    \b
    Example:
      {example}
    """)
    @settings_options(ExportSettings, only=_fields(FILE_KEYS))
    @database_options
    def files_cmd(target: DatabaseTarget, **values: object) -> None:
        echo_summary(run_export(target, ExportSettings(format=fmt, **values), quiet=is_quiet()))

    return files_cmd


gpkg_cmd = _files_command("gpkg", "gpkg", "GeoPackage", "mlyetl export gpkg --result europe --out exports/europe")
geoparquet_cmd = _files_command("geoparquet", "parquet", "GeoParquet file",
                                "mlyetl export geoparquet --result europe --class urban --out exports/europe")
