"""`mlyetl export`: a filter result as sharded CSVs, GeoPackages or GeoParquet files."""

from __future__ import annotations

import asyncio
from pathlib import Path

import click

from etl.cli_options import database_options, is_quiet
from etl.db.connect import connection
from etl.db.migrate import ensure_schema
from etl.db.target import DatabaseTarget
from etl.errors import UserInputError
from etl.export.outdir import check_out
from etl.export.source import CLASS_CHOICES
from etl.progress import make_progress
from etl.runs import recorded_run

RESULT = click.option("--result", required=True, help="Name of the filter result to export.")
OUT = click.option("--out", required=True, type=click.Path(file_okay=False),
                   callback=lambda _ctx, _param, value: check_out(value),  # '' would mean the current folder
                   help="Folder to write into (created if missing).")


def _class_option(default: str) -> click.Option:
    return click.option("--class", "cls", type=click.Choice(CLASS_CHOICES), default=default, show_default=True,
                        help="Which class of the result: urban, other, or all.")


@click.group("export")
def command() -> None:
    """Write a filter result's kept images to files other tools and N parallel jobs can read.

    \b
    Example:
      mlyetl export csv --result europe --shards 500 --out exports/europe
    """


@command.command("csv")
@RESULT
@OUT
@_class_option("all")
@click.option("--shards", type=int, help="Number of shards (default 500 unless --rows-per-shard).")
@click.option("--rows-per-shard", type=int, help="Aim at this many rows per shard instead of a fixed count.")
@click.option("--jobs", type=click.IntRange(1, 16), default=2, show_default=True,
              help="Database connections writing shards at once.")
@click.option("--force", is_flag=True, help="Rewrite every shard, even those a matching earlier run finished.")
@database_options
def csv_cmd(target: DatabaseTarget, result: str, out: Path, cls: str, shards: int | None,
            rows_per_shard: int | None, jobs: int, force: bool) -> None:
    """Sharded CSVs ({class}-00000.csv ...) and manifest-{class}.json with rows and SHA-256 per shard.

    A sequence is never split across shards; shards are balanced (none exceeds the
    mean plus the largest sequence) and the same data gives byte-identical files.
    A killed export rerun with the same command keeps the shards already written.

    \b
    Example:
      mlyetl export csv --result europe --class urban --shards 500 --out exports/europe
    """
    from etl.export.csv_export import CsvSettings, export_csv

    if shards is not None and rows_per_shard is not None:
        raise UserInputError("--shards and --rows-per-shard exclude each other", hint="give only one of them")
    settings = CsvSettings(result, cls, out, shards if rows_per_shard is None else None, rows_per_shard, jobs, force)
    if settings.shards is None and settings.rows_per_shard is None:
        settings = CsvSettings(result, cls, out, 500, None, jobs, force)

    async def run() -> None:
        await ensure_schema(target)
        async with connection(target) as conn:
            async with recorded_run(conn, "export-csv", _settings_dict(settings)) as run_record:
                with make_progress(f"export {cls}", "rows", quiet=is_quiet()) as progress:
                    manifest = await export_csv(target, settings, progress)
                run_record.counters.update(rows=manifest.rows, shards=manifest.shards)
        click.echo(f"wrote {manifest.rows:,} rows of {manifest.sequences:,} sequences into {manifest.shards} shards "
                   f"(largest {max((f.rows for f in manifest.files.values()), default=0):,} rows) in {out}; "
                   f"manifest: {out / f'manifest-{cls}.json'}")

    asyncio.run(run())


def _settings_dict(settings: object) -> dict:
    return {k: str(v) if isinstance(v, Path) else v for k, v in vars(settings).items()}


def _files_command(kind: str, name: str, what: str, example: str):  # noqa: ANN202 - a click command
    @command.command(name, help=f"""One {what} per class, named with its spacing threshold (urban_100m.{kind}, other_1000m.{kind}).

    Rows stream from a database cursor in batches (--batch-rows), so memory stays flat
    whatever the size of the result; each file appears only when complete.

    \b
    Example:
      {example}
    """)
    @RESULT
    @OUT
    @_class_option("all")
    @click.option("--batch-rows", type=click.IntRange(1000, 1_000_000), default=50_000, show_default=True,
                  help="Rows read and written per batch.")
    @database_options
    def files_cmd(target: DatabaseTarget, result: str, out: Path, cls: str, batch_rows: int) -> None:
        from etl.export.files import export_files

        async def run() -> None:
            await ensure_schema(target)
            async with connection(target) as conn:
                settings = {"result": result, "class": cls, "out": str(out), "kind": kind}
                async with recorded_run(conn, f"export-{name}", settings) as run_record:
                    with make_progress(f"export {name}", "rows", quiet=is_quiet()) as progress:
                        written = await export_files(target, result, cls, out, kind, progress, batch_rows)
                    run_record.counters.update({f.path.name: f.rows for f in written})
            for item in written:
                click.echo(f"wrote {item.rows:,} rows to {item.path}")

        asyncio.run(run())

    return files_cmd


gpkg_cmd = _files_command("gpkg", "gpkg", "GeoPackage",
                          "mlyetl export gpkg --result europe --out exports/europe")
geoparquet_cmd = _files_command("parquet", "geoparquet", "GeoParquet file",
                                "mlyetl export geoparquet --result europe --class urban --out exports/europe")
