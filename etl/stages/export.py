"""The export stage from Python: `run_export(target, ExportSettings(...))` -> `ExportSummary`.

One settings class for the three formats: `format` chooses csv (sharded, with a manifest),
gpkg or geoparquet (one file per class); `shards`, `rows_per_shard`, `jobs` and `force`
belong to csv, `batch_rows` to the file formats.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from etl.db.connect import connection
from etl.db.target import DatabaseTarget
from etl.errors import UserInputError
from etl.export.outdir import check_out
from etl.export.source import CLASS_CHOICES
from etl.progress import make_progress
from etl.runs import recorded_run
from etl.settings import Settings, setting
from etl.stages.common import ready, run_async
from etl.summary import Summary

__all__ = ["CSV_KEYS", "FILE_KEYS", "FORMATS", "ExportSettings", "ExportSummary", "run_export"]

FORMATS = ("csv", "gpkg", "geoparquet")
DEFAULT_SHARDS = 500
CSV_KEYS = ("result", "out", "class", "shards", "rows_per_shard", "jobs", "force")  # config keys per format
FILE_KEYS = ("result", "out", "class", "batch_rows")


@dataclass(frozen=True, kw_only=True)
class ExportSettings(Settings):
    SECTION = "export"

    format: str = setting("csv", "File format.", choices=FORMATS, cli=False)
    result: str = setting(help="Name of the filter result to export.")
    out: Path = setting(help="Folder to write into (created if missing).", file_okay=False,
                        validate=check_out)  # '' would mean the current folder
    cls: str = setting("all", "Which class of the result: urban, other, or all.", flag="class", choices=CLASS_CHOICES)
    shards: int | None = setting(None, f"Number of shards (default {DEFAULT_SHARDS} unless --rows-per-shard).")
    rows_per_shard: int | None = setting(None, "Aim at this many rows per shard instead of a fixed count.")
    jobs: int = setting(2, "Database connections writing shards at once.", min=1, max=16)
    force: bool = setting(False, "Rewrite every shard, even those a matching earlier run finished.")
    batch_rows: int = setting(50_000, "Rows read and written per batch.", min=1000, max=1_000_000)

    def check(self) -> None:
        if self.shards is not None and self.rows_per_shard is not None:
            raise UserInputError("--shards and --rows-per-shard exclude each other", hint="give only one of them")

    @classmethod
    def keys_of(cls, fmt: str) -> tuple[str, ...]:
        """The config keys the format `fmt` takes."""
        return CSV_KEYS if fmt == "csv" else FILE_KEYS


@dataclass
class ExportSummary(Summary):
    format: str
    out: Path
    rows: int = 0
    files: dict[str, int] = field(default_factory=dict)  # file path -> rows
    shards: int = 0  # csv
    sequences: int = 0  # csv
    largest_shard: int = 0  # csv: rows of the largest shard
    manifest: Path | None = None  # csv

    def lines(self) -> list[str]:
        if self.format == "csv":
            return [f"wrote {self.rows:,} rows of {self.sequences:,} sequences into {self.shards} shards "
                    f"(largest {self.largest_shard:,} rows) in {self.out}; manifest: {self.manifest}"]
        return [f"wrote {rows:,} rows to {path}" for path, rows in self.files.items()]


async def _csv(target: DatabaseTarget, settings: ExportSettings, quiet: bool) -> ExportSummary:
    from etl.export.csv_export import CsvSettings, export_csv

    shards = settings.shards if settings.shards is not None or settings.rows_per_shard else DEFAULT_SHARDS
    csv = CsvSettings(settings.result, settings.cls, settings.out, shards, settings.rows_per_shard, settings.jobs,
                      settings.force)
    recorded = {k: str(v) if isinstance(v, Path) else v for k, v in vars(csv).items()}
    async with connection(target) as conn:
        async with recorded_run(conn, "export-csv", recorded) as run_record:
            with make_progress(f"export {settings.cls}", "rows", quiet=quiet) as progress:
                manifest = await export_csv(target, csv, progress)
            run_record.counters.update(rows=manifest.rows, shards=manifest.shards)
    return ExportSummary(
        "csv", settings.out, rows=manifest.rows, shards=manifest.shards, sequences=manifest.sequences,
        files={str(settings.out / f.path): f.rows for f in manifest.files.values()},
        largest_shard=max((f.rows for f in manifest.files.values()), default=0),
        manifest=settings.out / f"manifest-{settings.cls}.json")


async def _files(target: DatabaseTarget, settings: ExportSettings, quiet: bool) -> ExportSummary:
    from etl.export.files import export_files

    kind = "gpkg" if settings.format == "gpkg" else "parquet"
    async with connection(target) as conn:
        recorded = {"result": settings.result, "class": settings.cls, "out": str(settings.out), "kind": kind}
        async with recorded_run(conn, f"export-{settings.format}", recorded) as run_record:
            with make_progress(f"export {settings.format}", "rows", quiet=quiet) as progress:
                written = await export_files(target, settings.result, settings.cls, settings.out, kind, progress,
                                             settings.batch_rows)
            run_record.counters.update({f.path.name: f.rows for f in written})
    return ExportSummary(settings.format, settings.out, rows=sum(f.rows for f in written),
                         files={str(f.path): f.rows for f in written})


async def export_async(target: DatabaseTarget | str, settings: ExportSettings, *, quiet: bool = True) -> ExportSummary:
    target = await ready(target)
    if settings.format == "csv":
        return await _csv(target, settings, quiet)
    return await _files(target, settings, quiet)


def run_export(target: DatabaseTarget | str, settings: ExportSettings, *, quiet: bool = True) -> ExportSummary:
    """Write result `settings.result` as files under `settings.out`; a rerun resumes (csv) or rewrites."""
    return run_async(export_async(target, settings, quiet=quiet))
