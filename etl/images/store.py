"""The database side of downloads: which images to fetch, and recording outcomes.

Outcomes are buffered and written in batches (one INSERT ... ON CONFLICT per batch),
so recording costs little next to the downloads themselves.
"""

from __future__ import annotations

import asyncio
import csv
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import asyncpg

from etl.errors import UserInputError
from etl.images.exif import ImageFacts
from etl.logsetup import mask_secrets
from etl.paths import sql_text

PAGE = 500


@dataclass(frozen=True)
class Item:
    facts: ImageFacts
    cls: str
    width: int | None
    height: int | None
    state: str | None  # earlier outcome: None, 'done' or 'failed'
    path: str | None

    @property
    def image_id(self) -> int:
        return self.facts.image_id


def _item(row: asyncpg.Record) -> Item:
    facts = ImageFacts(row["image_id"], row["sequence_id"], row["captured_at"], row["lon"], row["lat"],
                       row["altitude"], row["compass_angle"])
    return Item(facts, row["class"], row["width"], row["height"], row["state"], row["path"])


async def range_items(pool: asyncpg.Pool, result: str, cls: str, size: str, first_id: int, last_id: int,
                      retry_failed: bool) -> list[Item]:
    """The result's kept images with first_id < id <= last_id (one claimed batch), in id order."""
    rows = await pool.fetch(sql_text("images/items_range.sql"), result, cls, size, first_id, last_id, retry_failed)
    return [_item(r) for r in rows]


async def shard_items(pool: asyncpg.Pool, shard: Path, result: str, size: str, retry_failed: bool,
                      unknown: list[int]) -> AsyncIterator[list[Item]]:
    """Pages of the images listed in a shard CSV (read as a stream); ids that are not in
    the result are appended to `unknown`."""
    for ids in _iter_shard_ids(shard):
        rows = await pool.fetch(sql_text("images/items_ids.sql"), result, ids, size, retry_failed)
        known = {r["image_id"] for r in await pool.fetch(sql_text("images/known_ids.sql"), result, ids)}
        unknown.extend(i for i in ids if i not in known)
        if rows:
            yield [_item(r) for r in rows]


def _iter_shard_ids(shard: Path) -> Iterator[list[int]]:
    try:
        handle = open(shard, newline="", encoding="utf-8")
    except OSError as error:
        raise UserInputError(f"cannot read the shard file {shard}: {error.strerror}", hint="check --shard") from None
    with handle:
        reader = csv.DictReader(handle)
        if "image_id" not in (reader.fieldnames or []):
            raise UserInputError(f"{shard} has no image_id column", hint="pass a shard written by 'mlyetl export csv'")
        batch: list[int] = []
        for row in reader:
            text = (row["image_id"] or "").strip()
            if not text.isdigit():
                raise UserInputError(f"{shard} line {reader.line_num}: image_id {text!r} is not a number",
                                     hint="pass a shard written by 'mlyetl export csv'")
            batch.append(int(text))
            if len(batch) == PAGE:
                yield batch
                batch = []
        if batch:
            yield batch


class Recorder:
    """Buffers outcomes and writes them in batches."""

    def __init__(self, pool: asyncpg.Pool, size: str, batch: int = 200) -> None:
        self.pool, self.size, self.batch = pool, size, batch
        self._rows: list[tuple[int, str, str | None, int | None, str | None]] = []
        self._lock = asyncio.Lock()

    async def done(self, image_id: int, location: str, size_bytes: int) -> None:
        await self._add((image_id, "done", location, size_bytes, None))

    async def failed(self, image_id: int, reason: str) -> None:
        await self._add((image_id, "failed", None, None, mask_secrets(reason)[:500]))

    async def _add(self, row: tuple) -> None:
        self._rows.append(row)
        if len(self._rows) >= self.batch:
            await self.flush()

    async def flush(self) -> None:
        async with self._lock:
            rows, self._rows = self._rows, []
            if rows:
                columns = list(zip(*rows))
                await self.pool.execute(sql_text("images/record.sql"), *[list(c) for c in columns], self.size)


async def summary(pool: asyncpg.Pool, result: str, size: str) -> list[asyncpg.Record]:
    return await pool.fetch(sql_text("images/summary.sql"), size, result)
