"""The shard plan: which shard each sequence goes to, computed in SQL.

Sequences are ordered by a stable key (md5 of the id, then the id) and the running
row count is cut into `shards` equal ranges; a sequence goes wholly to the shard where
it starts. Hence: deterministic, a sequence never split, and no shard larger than the
mean plus the largest sequence. The plan lives in the planning connection's temp table;
the writing connections get their sequences from it by COPY (csv_export).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import asyncpg

from etl.errors import UserInputError
from etl.paths import sql_text

MAX_SHARDS = 100_000


@dataclass(frozen=True)
class ShardStats:
    shard: int
    rows: int
    sequences: int
    largest_sequence: int


@dataclass(frozen=True)
class Plan:
    result: str
    cls: str
    shards: int
    rows: int
    sequences: int
    fingerprint: str
    per_shard: tuple[ShardStats, ...]  # every shard 0..shards-1, empty ones included

    @property
    def largest_sequence(self) -> int:
        return max((s.largest_sequence for s in self.per_shard), default=0)


def shard_count(total_rows: int, shards: int | None, rows_per_shard: int | None) -> int:
    """The number of shards from --shards or --rows-per-shard (exactly one is given)."""
    if rows_per_shard is not None:
        if rows_per_shard < 1:
            raise UserInputError(f"--rows-per-shard must be at least 1, got {rows_per_shard}", hint="e.g. --rows-per-shard 10000")
        count = max(1, math.ceil(total_rows / rows_per_shard))
        if count > MAX_SHARDS:
            raise UserInputError(
                f"--rows-per-shard {rows_per_shard:,} would make {count:,} shards of {total_rows:,} rows; "
                f"at most {MAX_SHARDS:,} are allowed",
                hint=f"give --rows-per-shard {math.ceil(total_rows / MAX_SHARDS):,} or more")
        return count
    if shards is None or not 1 <= shards <= MAX_SHARDS:
        raise UserInputError(f"--shards must be between 1 and {MAX_SHARDS}, got {shards}", hint="e.g. --shards 500")
    return shards


async def build_plan(conn: asyncpg.Connection, result: str, cls: str, shards: int) -> None:
    """(Re)fill this session's export_plan table."""
    await conn.execute(sql_text("export/plan_create.sql"))
    await conn.execute(sql_text("export/plan_fill.sql"), result, cls, shards)


async def describe_plan(conn: asyncpg.Connection, result: str, cls: str, shards: int) -> Plan:
    """Counts per shard and a fingerprint of the plan built on `conn`."""
    rows = await conn.fetch(sql_text("export/plan_summary.sql"))
    found = {r["shard"]: ShardStats(r["shard"], r["rows"], r["sequences"], r["largest_sequence"]) for r in rows}
    per_shard = tuple(found.get(k, ShardStats(k, 0, 0, 0)) for k in range(shards))
    fp = await conn.fetchrow(sql_text("export/plan_fingerprint.sql"))
    fingerprint = f"{result}|{cls}|{shards}|{fp['rows']}|{fp['sequences']}|{fp['checksum']}"
    return Plan(result, cls, shards, int(fp["rows"]), int(fp["sequences"]), fingerprint, per_shard)
