"""One file per class: {label}.gpkg (GeoPackage) or {label}.parquet (GeoParquet 1.0).

The label carries the spacing threshold like the old pipeline's outputs (urban_100m,
other_1000m). Rows stream from the cursor in batches: GeoPackage batches are appended
with pyogrio (GDAL), GeoParquet batches become row groups of one pyarrow writer. Each
file is written under a temporary name and renamed when complete.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from etl.boundaries.reader import load_pyogrio
from etl.db.connect import connection
from etl.db.target import DatabaseTarget
from etl.export.atomic import safe_child
from etl.export.batches import SCHEMA, record_batches
from etl.export.outdir import check_out, export_folder
from etl.export.source import classes_of, load_result
from etl.progress import Progress

log = logging.getLogger("etl.export")
GEO_METADATA = {
    "version": "1.0.0",
    "primary_column": "geometry",
    "columns": {"geometry": {"encoding": "WKB", "geometry_types": ["Point"]}},  # no crs: OGC:CRS84 (lon/lat)
}


@dataclass(frozen=True)
class FileExport:
    cls: str
    path: Path
    rows: int


async def export_files(target: DatabaseTarget | str, result: str, cls_choice: str, out: Path, kind: str,
                       progress: Progress, rows_per_batch: int = 50_000) -> list[FileExport]:
    """Write one `kind` ('gpkg' | 'parquet') file per class; returns what was written."""
    check_out(out)
    written = []
    async with connection(target, server_settings={"extra_float_digits": "1"}) as conn:
        info = await load_result(conn, result)  # before the folder: a refused export leaves no trace
        with export_folder(out):
            for cls in classes_of(cls_choice):
                label = info.label(cls)
                final = safe_child(out, f"{label}.{kind}")
                # GDAL and pyarrow want the extension last; remove_stale_parts knows this form
                tmp = final.with_name(f".{final.stem}.{os.getpid()}.part.{kind}")
                tmp.unlink(missing_ok=True)
                batches = record_batches(conn, result, cls, rows_per_batch)
                try:
                    rows = await (write_gpkg(batches, tmp, label, progress) if kind == "gpkg"
                                  else _write_parquet(batches, tmp, progress))
                    os.replace(tmp, final)
                finally:
                    tmp.unlink(missing_ok=True)
                written.append(FileExport(cls, final, rows))
    return written


async def write_gpkg(batches, tmp: Path, layer: str, progress: Progress) -> int:  # noqa: ANN001
    rows, first = 0, True
    async for batch in batches:
        _append_gpkg(pa.Table.from_batches([batch]), tmp, layer, append=not first)
        first, rows = False, rows + batch.num_rows
        progress.advance("rows", batch.num_rows)
    if first:  # an empty class still gets its (empty) layer
        _append_gpkg(SCHEMA.empty_table(), tmp, layer, append=False)
    return rows


def _append_gpkg(table: pa.Table, path: Path, layer: str, append: bool) -> None:
    pyogrio = load_pyogrio()
    try:
        pyogrio.write_arrow(table, str(path), layer=layer, driver="GPKG", geometry_name="geometry",
                            geometry_type="Point", crs="EPSG:4326", append=append)
    except pyogrio.errors.DataLayerError as error:
        # GDAL reports a full disk as a failed write (or rollback) of SQLite; say what it is
        if shutil.disk_usage(path.parent).free < len(table) * 1024 + (1 << 20):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(path)) from error
        raise


async def _write_parquet(batches, tmp: Path, progress: Progress) -> int:  # noqa: ANN001
    schema = SCHEMA.with_metadata({b"geo": json.dumps(GEO_METADATA).encode()})
    rows = 0
    with pq.ParquetWriter(tmp, schema, compression="zstd") as writer:
        async for batch in batches:
            writer.write_batch(batch.replace_schema_metadata(schema.metadata), row_group_size=len(batch) or None)
            rows += batch.num_rows
            progress.advance("rows", batch.num_rows)
    return rows
