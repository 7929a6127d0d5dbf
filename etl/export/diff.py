"""`mlyetl results diff OLD NEW --out DIR`: what changed between two versions of a dataset.

Two filter results are two versions of a dataset (e.g. `europe-2024` and `europe-2025`,
the second computed after a newer crawl). Images are matched by image id over the whole
result (both classes):

- added:   kept in NEW, not in OLD (with NEW's values);
- removed: kept in OLD, not in NEW (with OLD's values);
- changed: kept in both, with any exported value different (position, capture time,
  angle, altitude, class, sequence, size, camera, creator, cell id), with NEW's values.

An image kept in both is never added or removed, whatever changed about it: its file
(the image itself) is the same, so a folder of OLD's images becomes NEW's by fetching the
added ones, deleting the removed ones and updating the metadata of the changed ones.

Each kind is written as {kind}.csv (the columns and format of `mlyetl export csv`) and
{kind}.gpkg (those of `mlyetl export gpkg`, layer named like the file), in image id
order, plus diff.json with the counts. The rows come from one consistent snapshot of the
database and stream through (COPY for the CSVs, a cursor in Arrow batches for the
GeoPackages): memory holds one batch, whatever the size of the results. Files are
written under temporary names and renamed; diff.json comes last, so a folder with
diff.json holds a complete diff. A killed run rerun with the same command writes it again.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import asyncpg

from etl.db.connect import connection
from etl.db.target import DatabaseTarget
from etl.errors import UserInputError
from etl.export.atomic import atomic_file, safe_child
from etl.export.batches import query_batches
from etl.export.csv_export import COLUMNS, SESSION_SETTINGS, csv_header, csv_query
from etl.export.files import write_gpkg
from etl.export.outdir import LOCK_NAME, check_out, export_folder
from etl.export.source import ResultInfo, load_result
from etl.paths import sql_text
from etl.progress import Progress, make_progress
from etl.runs import recorded_run
from etl.stages.common import ready, run_async
from etl.summary import Summary

KINDS = ("added", "removed", "changed")
MARKER = ".mlyetl-diff.json"  # an unfinished diff: which one (a rerun of it may reuse the folder)
MANIFEST = "diff.json"
FORMAT = "mlyetl-results-diff/1"


@dataclass
class DiffSummary(Summary):
    old: str
    new: str
    out: Path
    added: int = 0
    removed: int = 0
    changed: int = 0
    files: dict[str, int] = field(default_factory=dict)  # file path -> rows

    def lines(self) -> list[str]:
        return [f"{self.old} -> {self.new}: +{self.added:,} added, -{self.removed:,} removed, "
                f"{self.changed:,} changed; written to {self.out} (added, removed, changed .csv and .gpkg, "
                f"{MANIFEST})"]


def _queries(old: str, new: str) -> dict[str, tuple[str, list[str]]]:
    """kind -> (rows query, its arguments); the queries are described in their SQL files."""
    only, changed = sql_text("export/diff_only.sql"), sql_text("export/diff_changed.sql")
    return {"added": (only, [new, old]), "removed": (only, [old, new]), "changed": (changed, [old, new])}


def _ours(name: str) -> bool:
    return name in {f"{kind}.{ext}" for kind in KINDS for ext in ("csv", "gpkg")}


def _check_folder(out: Path, old: str, new: str) -> None:
    """--out must be new or empty; what a killed run of the same diff left is allowed."""
    if not out.exists():
        return
    if not out.is_dir():
        raise UserInputError(f"--out {out} is not a folder", hint="give a new or empty folder")
    marker = out / MARKER
    same_diff = False
    if marker.is_file():
        try:
            same_diff = json.loads(marker.read_text()) == {"old": old, "new": new}
        except (OSError, ValueError):
            same_diff = False
    for entry in sorted(os.listdir(out)):
        if entry in (LOCK_NAME, MARKER) or ".part" in entry or (same_diff and _ours(entry)):
            continue
        raise UserInputError(f"--out {out} is not empty (it holds {entry!r})",
                             hint="give a new or empty folder for the diff")


async def _write_csv(conn: asyncpg.Connection, path: Path, rows_sql: str, args: list[str]) -> int:
    with atomic_file(path) as (handle, _):
        handle.write(csv_header())
        status = await conn.copy_from_query(csv_query(rows_sql), *args, output=handle, format="csv")
    return int(status.split()[-1])


async def _write_gpkg(conn: asyncpg.Connection, path: Path, layer: str, rows_sql: str, args: list[str],
                      progress: Progress, rows_per_batch: int) -> int:
    # GDAL wants the extension last; remove_stale_parts knows this form
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.part{path.suffix}")
    tmp.unlink(missing_ok=True)
    try:
        rows = await write_gpkg(query_batches(conn, rows_sql, args, rows_per_batch), tmp, layer, progress)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return rows


def _manifest(old: ResultInfo, new: ResultInfo, summary: DiffSummary) -> dict:
    return {"format": FORMAT, "old": {"name": old.name, "updated_at": old.updated_at.isoformat()},
            "new": {"name": new.name, "updated_at": new.updated_at.isoformat()},
            "matched_by": "image_id", "added": summary.added, "removed": summary.removed,
            "changed": summary.changed, "columns": COLUMNS,
            "files": {Path(p).name: rows for p, rows in summary.files.items()},
            "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}


async def write_diff(target: DatabaseTarget | str, old: str, new: str, out: Path | str, progress: Progress,
                     rows_per_batch: int = 50_000) -> DiffSummary:
    """Write the images added, removed and changed from result `old` to result `new` into
    `out` (a new or empty folder); returns the counts. The folder is created only once both
    results are known to be good, so a refused diff leaves nothing behind."""
    out = check_out(out)
    if old == new:
        raise UserInputError(f"OLD and NEW are the same result ({old!r})", hint="give two different result names")
    summary = DiffSummary(old, new, out)
    async with connection(target, server_settings=SESSION_SETTINGS) as conn:
        # one snapshot for every file: a filter run on either result meanwhile changes nothing here
        async with conn.transaction(isolation="repeatable_read", readonly=True):
            old_info, new_info = await load_result(conn, old), await load_result(conn, new)
            _check_folder(out, old, new)
            with export_folder(out):
                (out / MARKER).write_text(json.dumps({"old": old, "new": new}))
                for kind, (rows_sql, args) in _queries(old, new).items():
                    csv_path = safe_child(out, f"{kind}.csv")
                    rows = await _write_csv(conn, csv_path, rows_sql, args)
                    gpkg_path = safe_child(out, f"{kind}.gpkg")
                    if await _write_gpkg(conn, gpkg_path, kind, rows_sql, args, progress, rows_per_batch) != rows:
                        raise RuntimeError(f"{kind}: the CSV and the GeoPackage got different row counts")
                    setattr(summary, kind, rows)
                    summary.files.update({str(csv_path): rows, str(gpkg_path): rows})
                with atomic_file(out / MANIFEST) as (handle, _):
                    handle.write((json.dumps(_manifest(old_info, new_info, summary), indent=2) + "\n").encode())
                (out / MARKER).unlink()
    return summary


async def diff_async(target: DatabaseTarget | str, old: str, new: str, out: Path | str, *,
                     rows_per_batch: int = 50_000, quiet: bool = True) -> DiffSummary:
    target = await ready(target)
    async with connection(target) as conn:
        async with recorded_run(conn, "results-diff", {"old": old, "new": new, "out": str(out)}) as record:
            with make_progress(f"diff {old} -> {new}", "rows", quiet=quiet) as progress:
                summary = await write_diff(target, old, new, out, progress, rows_per_batch)
            record.counters.update(added=summary.added, removed=summary.removed, changed=summary.changed)
    return summary


def run_diff(target: DatabaseTarget | str, old: str, new: str, out: Path | str, *,
             rows_per_batch: int = 50_000, quiet: bool = True) -> DiffSummary:
    """The images added, removed and changed between results `old` and `new`, as CSV and
    GeoPackage files in `out` (a new or empty folder); returns a DiffSummary."""
    return run_async(diff_async(target, old, new, out, rows_per_batch=rows_per_batch, quiet=quiet))
