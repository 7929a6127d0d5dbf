"""A result's row in filter_results and its filter_points partition.

A result is created once with its parameters; a later run with the same name must ask
for the same thing (else it is refused, or started over with --replace), which is what
lets several named results coexist and be compared. Each result's points live in their
own partition, named after the result's numeric id, never after its (user-given) name.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass

import asyncpg

from etl.errors import UserInputError
from etl.filters.params import FilterParams
from etl.paths import sql_text

log = logging.getLogger("etl.filters")


@dataclass
class ResultHandle:
    name: str
    id: int
    fresh: bool  # the partition is not attached yet: bulk-load, then index and attach

    @property
    def points_table(self) -> str:
        return f"filter_points_r{self.id:d}"

    @property
    def work_table(self) -> str:
        return f"filter_work_r{self.id:d}"

    @property
    def walk_table(self) -> str:
        return f"filter_walk_r{self.id:d}"

    @property
    def scratch_tables(self) -> tuple[str, ...]:
        """Tables of one run (filter_stage_r: a stage table of versions before 0003)."""
        return self.work_table, self.walk_table, f"filter_stage_r{self.id:d}"


def _json(value: object) -> dict:
    return json.loads(value) if isinstance(value, str) else dict(value or {})


async def _ddl(conn: asyncpg.Connection, table: str, name: str) -> asyncpg.Record:
    return await conn.fetchrow(sql_text("filters/partition_ddl.sql"), table, name)


async def open_result(conn: asyncpg.Connection, params: FilterParams, layers: dict, replace: bool) -> ResultHandle:
    """Create result `params.name` or check that it matches; start it over when needed."""
    row = await conn.fetchrow(sql_text("filters/result_get.sql"), params.name)
    if row is None:
        result_id = await conn.fetchval(sql_text("filters/result_create.sql"), params.name,
                                        json.dumps(params.stored()), json.dumps(layers))
        handle = ResultHandle(params.name, result_id, True)
        # a table of that name can only be a leftover of a schema downgrade: never reuse it
        await conn.execute((await _ddl(conn, handle.points_table, params.name))["drop_table"])
        return await _prepare_partition(conn, handle)
    handle = ResultHandle(params.name, row["id"], True)
    stored = _json(row["params"])
    if stored != params.stored() and not replace:
        changed = ", ".join(sorted(k for k in stored.keys() | params.stored().keys()
                                   if stored.get(k) != params.stored().get(k)))
        raise UserInputError(f"result {params.name!r} exists with other parameters ({changed})",
                             hint="choose a new --name to compare, or pass --replace to recompute it")
    if stored != params.stored() or _json(row["layers"]) != layers:
        log.info("result %r: %s; recomputing everything", params.name,
                 "new parameters" if stored != params.stored() else "a layer was reloaded")
        await conn.execute(sql_text("filters/result_reset.sql"), params.name, json.dumps(params.stored()),
                           json.dumps(layers))
        await conn.execute((await _ddl(conn, handle.points_table, params.name))["drop_table"])
    else:
        await conn.execute(sql_text("filters/result_running.sql"), params.name)
    return await _prepare_partition(conn, handle)


async def _prepare_partition(conn: asyncpg.Connection, handle: ResultHandle) -> ResultHandle:
    state = await conn.fetchrow(sql_text("filters/partition_state.sql"), f"public.{handle.points_table}")
    if state["attached"]:
        handle.fresh = False
        return handle
    if not state["present"]:  # else: a killed first run left a partly loaded table; go on with it
        ddl = await _ddl(conn, handle.points_table, handle.name)
        async with conn.transaction():
            await conn.execute(ddl["create_table"])
            await conn.execute(ddl["add_check"])
    handle.fresh = True
    return handle


async def index_statements(conn: asyncpg.Connection, handle: ResultHandle) -> list[str]:
    """The partition's missing indexes (a killed run may have built some of them already)."""
    text = sql_text("filters/partition_indexes.sql")
    lines = [line.format(points=handle.points_table) for line in text.splitlines()
             if line.strip() and not line.startswith("--")]
    existing = {r["indexname"] for r in await conn.fetch(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = $1", handle.points_table)}
    return [sql for sql in lines if not any(f" {name} " in sql for name in existing)]


async def attach_partition(conn: asyncpg.Connection, handle: ResultHandle) -> None:
    """Attach the bulk-loaded partition; its CHECK constraint spares PostgreSQL a scan."""
    await conn.execute((await _ddl(conn, handle.points_table, handle.name))["attach"])
    handle.fresh = False
