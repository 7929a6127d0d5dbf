"""Sharded CSV export: one COPY ... TO STDOUT per writing connection, cut into shard files.

One connection builds the shard plan (once); the shards to write are split into --jobs
contiguous groups of about equal rows and each group's sequences (with their plan order)
are streamed by COPY from the planning connection into its own connection, so PostgreSQL
joins, sorts and formats rows on several cores while Python only cuts the byte stream,
hashes it and moves it to disk. Files: {out}/{class}-{shard:05d}.csv plus
{out}/manifest-{class}.json; names come only from the class (an enum) and numbers.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from etl.db.connect import connection
from etl.db.target import DatabaseTarget
from etl.errors import RunFailure
from etl.export import plan as shard_plan
from etl.export.atomic import temp_path_for
from etl.export.manifest import (Manifest, ShardFile, append_partial, finished_shards, manifest_path,
                                 partial_path, start_partial, write_manifest)
from etl.export.outdir import check_out, export_folder
from etl.export.source import ResultInfo, kept_count, load_result
from etl.export.splitter import OpenShard, ShardSplitter
from etl.paths import sql_text
from etl.progress import Progress

log = logging.getLogger("etl.export")

COLUMNS = ["image_id", "sequence_id", "captured_at", "captured_at_ms", "lon", "lat", "class", "compass_angle",
           "is_pano", "width", "height", "make", "model", "creator_username", "altitude",
           "cell_id"]  # cell_id: a curated result's equal-area grid cell (docs/filters.md), else empty
# shortest round-trip text for doubles whatever the server's default; room to sort in memory
SESSION_SETTINGS = {"extra_float_digits": "1", "TimeZone": "UTC", "work_mem": "256MB"}


@dataclass(frozen=True)
class CsvSettings:
    result: str
    cls: str  # urban | other | all
    out: Path
    shards: int | None = None
    rows_per_shard: int | None = None
    jobs: int = 2
    force: bool = False  # rewrite every shard even if a matching earlier run left them


def csv_query(rows_sql: str) -> str:
    """The COPY query writing the export's CSV columns from `rows_sql` (rows shaped like
    filter_points, in the order to write; see sql/export/csv_columns.sql)."""
    return sql_text("export/csv_columns.sql").format(rows=rows_sql)


def csv_header() -> bytes:
    return (",".join(COLUMNS) + "\n").encode()


def shard_name(cls: str, shard: int) -> str:
    return f"{cls}-{shard:05d}.csv"


async def export_csv(target: DatabaseTarget | str, settings: CsvSettings, progress: Progress) -> Manifest:
    """Write the shards into settings.out; the folder is made and locked only once the
    result and options are known to be good, so a refused export leaves no trace."""
    check_out(settings.out)
    async with connection(target, server_settings=SESSION_SETTINGS) as conn:
        info = await load_result(conn, settings.result)
        # only --rows-per-shard needs the count before the plan (a scan of the result's rows)
        total = await kept_count(conn, settings.result, settings.cls) if settings.rows_per_shard else 0
        count = shard_plan.shard_count(total, settings.shards, settings.rows_per_shard)
        with export_folder(settings.out):
            return await _export(target, conn, settings, info, count, progress)


async def _export(target: DatabaseTarget | str, conn: asyncpg.Connection, settings: CsvSettings,
                  info: ResultInfo, count: int, progress: Progress) -> Manifest:
    await shard_plan.build_plan(conn, settings.result, settings.cls, count)
    plan = await shard_plan.describe_plan(conn, settings.result, settings.cls, count)
    fingerprint = f"{plan.fingerprint}|{info.updated_at.isoformat()}"
    manifest = Manifest(settings.result, settings.cls, count, plan.rows, plan.sequences,
                        plan.largest_sequence, fingerprint, COLUMNS)
    if not settings.force:
        manifest.files.update(finished_shards(settings.out, settings.cls, fingerprint))
    start_partial(partial_path(settings.out, settings.cls), fingerprint, manifest.files)
    todo = [s for s in plan.per_shard if s.shard not in manifest.files]
    progress.set_total(plan.rows)
    progress.advance("rows", sum(f.rows for f in manifest.files.values()))
    if manifest.files:
        log.info("resuming: %d of %d shards already written", len(manifest.files), count)
    await _write_shards(target, settings, manifest, todo, _PlanSource(conn), progress)
    write_manifest(manifest_path(settings.out, settings.cls), manifest)
    partial_path(settings.out, settings.cls).unlink(missing_ok=True)
    _remove_extra_shards(settings.out, settings.cls, count)
    return manifest


async def _write_shards(target: DatabaseTarget | str, settings: CsvSettings, manifest: Manifest,
                        todo: list[shard_plan.ShardStats], plan: _PlanSource, progress: Progress) -> None:
    """Split the shards to do into `jobs` contiguous groups of about equal rows, one query each."""
    await asyncio.gather(*(_write_group(target, settings, manifest, group, plan, progress)
                           for group in _groups(todo, settings.jobs)))


class _PlanSource:
    """The planning connection, which holds the plan; it streams one group's part at a time."""

    def __init__(self, conn: asyncpg.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    async def send_part(self, shards: list[int], into: asyncpg.Connection) -> None:
        """COPY the shards' (sequence_id, ord) rows from the plan into `into`'s export_part."""
        queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize=4)  # bounded: memory stays flat

        async def produce() -> None:
            # no `finally`: if either side fails the task group cancels the other one
            await self._conn.copy_from_query(sql_text("export/plan_part.sql"), shards,
                                             output=lambda chunk: queue.put(bytes(chunk)))
            await queue.put(None)

        async def chunks() -> AsyncIterator[bytes]:
            while (chunk := await queue.get()) is not None:
                yield chunk

        async with self._lock, asyncio.TaskGroup() as tasks:
            tasks.create_task(produce())
            tasks.create_task(into.copy_to_table("export_part", source=chunks(), columns=["sequence_id", "ord"]))


def _groups(todo: list[shard_plan.ShardStats], jobs: int) -> list[list[shard_plan.ShardStats]]:
    total = sum(s.rows for s in todo)
    groups: list[list[shard_plan.ShardStats]] = [[]]
    done = 0
    for stats in todo:
        if groups[-1] and len(groups) < jobs and done >= total * len(groups) / jobs:
            groups.append([])
        groups[-1].append(stats)
        done += stats.rows
    return [g for g in groups if g]


async def _write_group(target: DatabaseTarget | str, settings: CsvSettings, manifest: Manifest,
                       group: list[shard_plan.ShardStats], plan: _PlanSource, progress: Progress) -> None:
    header = csv_header()
    out = settings.out

    def open_shard(shard: int, expected: int) -> OpenShard:
        final = out / shard_name(settings.cls, shard)
        opened = OpenShard(shard, expected, open(temp_path_for(final), "wb"))
        opened.write(header)
        return opened

    def close_shard(opened: OpenShard) -> None:
        opened.handle.close()
        name = shard_name(settings.cls, opened.shard)
        os.replace(temp_path_for(out / name), out / name)
        stats = by_shard[opened.shard]
        # one line appended to the partial manifest per shard (callbacks never interleave)
        entry = ShardFile(opened.shard, name, opened.expected, stats.sequences, opened.size, opened.digest.hexdigest())
        manifest.files[opened.shard] = entry
        append_partial(partial_path(out, settings.cls), entry)
        progress.advance("rows", opened.expected)
        progress.advance("shards")

    by_shard = {s.shard: s for s in group}
    splitter = ShardSplitter([(s.shard, s.rows) for s in group], open_shard, close_shard)

    async def output(chunk: bytes) -> None:
        splitter.feed(chunk)

    async with connection(target, server_settings=SESSION_SETTINGS) as conn:
        await conn.execute(sql_text("export/part_create.sql"))
        await plan.send_part([s.shard for s in group], conn)
        await conn.execute("ANALYZE export_part")
        try:
            await conn.copy_from_query(csv_query(sql_text("export/shard_rows.sql")), settings.result, settings.cls,
                                       output=output, format="csv")
            splitter.finish()
        except ValueError as error:  # the data changed between planning and copying
            raise RunFailure(f"the export stream did not match the plan: {error}",
                             hint="the result changed during the export; run the same command again") from None


_SHARD_RE = re.compile(r"^(urban|other|all)-(\d{5,})\.csv$")


def _remove_extra_shards(out: Path, cls: str, count: int) -> None:
    """Shards numbered past this plan's count are from an earlier, larger plan: remove them."""
    for path in out.glob(f"{cls}-*.csv"):
        match = _SHARD_RE.match(path.name)
        if match and match.group(1) == cls and int(match.group(2)) >= count:
            path.unlink()
