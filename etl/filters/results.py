"""A result's row in filter_results and its partitions.

A result is created once with its parameters; a later run with the same name must ask
for the same thing (else it is refused, or started over with --replace), which is what
lets several named results coexist and be compared. Each result's points, sequence lines
and sequence signatures live in partitions of their own (of filter_points,
filter_sequence_lines and filter_sequences), named after the result's numeric id, never
after its (user-given) name. A new result's partitions are bulk-loaded as bare tables,
then indexed and attached together, in one transaction.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import asyncpg

from etl.db import citus
from etl.errors import UserInputError
from etl.filters.params import FilterParams
from etl.paths import sql_text

log = logging.getLogger("etl.filters")


# The parent tables a result has a partition of, each named <parent>_r<id>; a curated
# result (thinning, caps or cell ids) also has one of filter_candidates.
PARTITIONED = ("filter_points", "filter_sequence_lines", "filter_sequences")
CANDIDATES = "filter_candidates"


@dataclass
class ResultHandle:
    name: str
    id: int
    fresh: bool  # the partitions are not attached yet: bulk-load, then index and attach
    curated: bool = False  # spacing writes filter_candidates; curation fills filter_points from it
    attributes: str = "true"  # the attribute filters as an SQL condition (attribute_predicate.sql)
    other_filters: str = "true"  # the same without --daylight (walk_fresh_c.sql tests daylight itself)
    daylight: bool = False
    was_finished: bool = False  # the result's last run finished (else curation must run again)
    distributed: bool = False  # on a Citus coordinator (etl/db/citus.py): result tables sharded

    def partition(self, parent: str) -> str:
        return f"{parent}_r{self.id:d}"

    @property
    def partitions(self) -> dict[str, str]:
        """parent table -> this result's partition of it"""
        parents = (*PARTITIONED, CANDIDATES) if self.curated else PARTITIONED
        return {parent: self.partition(parent) for parent in parents}

    @property
    def points_table(self) -> str:
        """Where spacing writes the kept images of each sequence: the dataset itself, or a
        curated result's candidates."""
        return self.partition(CANDIDATES if self.curated else "filter_points")

    @property
    def dataset_table(self) -> str:
        """The result's partition of filter_points (its dataset)."""
        return self.partition("filter_points")

    @property
    def lines_table(self) -> str:
        return self.partition("filter_sequence_lines")

    @property
    def signatures_table(self) -> str:
        return self.partition("filter_sequences")

    @property
    def work_table(self) -> str:
        return f"filter_work_r{self.id:d}"

    @property
    def walk_table(self) -> str:
        return f"filter_walk_r{self.id:d}"

    @property
    def stage_table(self) -> str:
        """A staged first computation's images to walk (etl/filters/staged_walk.py)."""
        return f"filter_stage_r{self.id:d}"

    @property
    def changes_table(self) -> str:
        """A staged first computation's sequence signatures from the change log."""
        return f"filter_changes_r{self.id:d}"

    @property
    def thin_table(self) -> str:
        return f"filter_thin_r{self.id:d}"

    @property
    def pairs_table(self) -> str:
        return f"filter_pairs_r{self.id:d}"

    @property
    def undecided_table(self) -> str:
        return f"filter_undecided_r{self.id:d}"

    @property
    def dropped_table(self) -> str:
        return f"filter_dropped_r{self.id:d}"

    @property
    def kept_table(self) -> str:
        return f"filter_kept_r{self.id:d}"

    @property
    def curation_tables(self) -> tuple[str, ...]:
        return self.thin_table, self.pairs_table, self.undecided_table, self.dropped_table, self.kept_table

    @property
    def scratch_tables(self) -> tuple[str, ...]:
        """Tables of one run (a stage table's partitions go with it)."""
        return self.work_table, self.walk_table, self.stage_table, self.changes_table, *self.curation_tables


def _json(value: object) -> dict:
    return dict(value or {})  # decoded by the connection's jsonb codec (etl/db/codecs.py)


async def _ddl(conn: asyncpg.Connection, handle: ResultHandle, parent: str) -> asyncpg.Record:
    return await conn.fetchrow(sql_text("filters/partition_ddl.sql"), handle.partition(parent), handle.name, parent)


async def _drop_partitions(conn: asyncpg.Connection, handle: ResultHandle) -> None:
    for parent in (*PARTITIONED, CANDIDATES):
        await conn.execute((await _ddl(conn, handle, parent))["drop_table"])


async def open_result(conn: asyncpg.Connection, params: FilterParams, layers: dict, replace: bool) -> ResultHandle:
    """Create result `params.name` or check that it matches; start it over when needed."""
    row = await conn.fetchrow(sql_text("filters/result_get.sql"), params.name)
    curated, predicate = params.curation.curates, await attribute_predicate(conn, params)
    attributes = {k: predicate[k] for k in ("attributes", "other_filters", "daylight")}
    distributed = await citus.is_citus(conn)
    if row is None:
        result_id = await conn.fetchval(sql_text("filters/result_create.sql"), params.name,
                                        params.stored(), layers)
        handle = ResultHandle(params.name, result_id, True, curated, **attributes, distributed=distributed)
        # a table of such a name can only be a leftover of a schema downgrade: never reuse it
        await _drop_partitions(conn, handle)
        return await _prepare_partitions(conn, handle)
    handle = ResultHandle(params.name, row["id"], True, curated, **attributes,
                          was_finished=row["state"] == "finished", distributed=distributed)
    stored = _json(row["params"])
    if stored != params.stored() and not replace:
        changed = ", ".join(sorted(k for k in stored.keys() | params.stored().keys()
                                   if stored.get(k) != params.stored().get(k)))
        raise UserInputError(f"result {params.name!r} exists with other parameters ({changed})",
                             hint="choose a new --name to compare, or pass --replace to recompute it")
    if stored != params.stored() or _json(row["layers"]) != layers:
        log.info("result %r: %s; recomputing everything", params.name,
                 "new parameters" if stored != params.stored() else "a layer was reloaded")
        async with conn.transaction():
            await conn.execute(sql_text("filters/result_reset.sql"), params.name, params.stored(),
                               layers)
            await _drop_partitions(conn, handle)
        handle.was_finished = False
    else:
        await conn.execute(sql_text("filters/result_running.sql"), params.name)
    return await _prepare_partitions(conn, handle)


async def attribute_predicate(conn: asyncpg.Connection, params: FilterParams) -> asyncpg.Record:
    """The attribute filters as SQL conditions on an image row `i`, quoted by the server:
    attributes (all), other_filters (all but daylight) and daylight (on or off)."""
    c = params.curation
    return await conn.fetchrow(sql_text("filters/attribute_predicate.sql"), c.captured_after, c.captured_before,
                               c.pano, list(c.camera_types) or None, c.min_quality, c.daylight)


async def _states(conn: asyncpg.Connection, handle: ResultHandle) -> dict[str, asyncpg.Record]:
    return {parent: await conn.fetchrow(sql_text("filters/partition_state.sql"), f"public.{table}")
            for parent, table in handle.partitions.items()}


async def _prepare_partitions(conn: asyncpg.Connection, handle: ResultHandle) -> ResultHandle:
    states = await _states(conn, handle)
    if states["filter_points"]["attached"]:  # all three are attached together
        handle.fresh = False
        return handle
    async with conn.transaction():
        for parent, state in states.items():
            if not state["present"]:  # else: a killed first run left a partly loaded table; go on with it
                ddl = await _ddl(conn, handle, parent)
                await conn.execute(ddl["create_table"])
                await conn.execute(ddl["add_check"])
    for parent, table in handle.partitions.items():  # on Citus: sharded like their parents (no-op elsewhere)
        await citus.distribute_like_parent(conn, table, parent)
    handle.fresh = True
    return handle


async def index_statements(conn: asyncpg.Connection, handle: ResultHandle) -> list[tuple[str, str]]:
    """The partitions' missing indexes as (table, CREATE INDEX statement), in the order of
    partition_indexes.sql (a killed run may have built some of them already)."""
    text = sql_text("filters/partition_indexes.sql")
    tables = {"points": handle.points_table, "lines": handle.lines_table, "signatures": handle.signatures_table,
              "dataset": handle.dataset_table}
    # each line indexes the table of its "ON {placeholder}"
    # (without curation the dataset is the points table: its lines would index it twice)
    # the primary keys' columns are the parents' (on Citus they include the distribution column)
    keys = {f"{name}_key": await _parent_key(conn, table.rsplit("_r", 1)[0]) for name, table in tables.items()}
    wanted = [(tables[line.split(" ON {")[1].split("}")[0]], line.format(**tables, **keys))
              for line in text.splitlines() if line.strip() and not line.startswith("--")
              and (handle.curated or "{dataset}" not in line)]
    existing = {r["indexname"] for r in await conn.fetch(
        "SELECT indexname FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY($1::text[])",
        list(tables.values()))}
    return [(table, sql) for table, sql in wanted if not any(f" {name} " in sql for name in existing)]


async def _parent_key(conn: asyncpg.Connection, parent: str) -> str:
    """The primary key columns of `parent`, quoted, in order."""
    return await conn.fetchval(sql_text("filters/parent_key.sql"), f"public.{parent}")


async def attach_partitions(conn: asyncpg.Connection, handle: ResultHandle) -> None:
    """Attach the bulk-loaded partitions, all or none; their CHECK constraints spare
    PostgreSQL a scan (the foreign keys of lines and signatures are checked in one query each)."""
    states = await _states(conn, handle)
    async with conn.transaction():
        for parent in handle.partitions:
            if not states[parent]["attached"]:
                await conn.execute((await _ddl(conn, handle, parent))["attach"])
    handle.fresh = False
