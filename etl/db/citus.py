"""Citus: where each table lives when the database is a Citus coordinator.

`mlyetl db migrate` (and every command, through `ensure_schema`) runs the migrations, then
`distribute()`: when the `citus` extension is in the database, each table of `PLACEMENTS`
is made what its entry says, once (a table already in pg_dist_partition is left alone).
Single-server databases (no `citus` extension) are never touched.

- images and sequences are sharded by sequence id and colocated: one sequence's images
  and its sequence row live in the same shard, so the filter's per-sequence walk runs
  where the rows are;
- each result's tables (kept points, sequence lines, signatures: partitioned by result,
  their partitions distributed with them) are colocated with images;
- boundary tables are reference tables (a copy on every node: the clip's hash joins run
  on the workers), as is filter_results (lines and signatures refer to it) and
  image_downloads (joined with a result's points);
- the crawl queue, the download queue, runs and QGIS styles stay on the coordinator as
  plain tables: small, and the queues' `FOR UPDATE SKIP LOCKED` leases need one node.

A distributed table's primary key must contain its distribution column: a key without it
gets it appended (filter_points (image_id, result_name) -> (image_id, result_name,
sequence_id)); code that builds keys reads them from the catalog (e.g. the filter's
partition indexes), so both kinds of database share one code path.

To place a new table, add one line to PLACEMENTS (before the tables that refer to it).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import asyncpg

from etl.errors import RunFailure
from etl.paths import sql_text

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Placement:
    table: str
    kind: str  # 'distributed' | 'reference' | 'local'
    column: str | None = None  # distribution column
    colocate_with: str | None = None  # a distributed table placed before it


# In order: a table comes after those it is colocated with or refers to.
PLACEMENTS: tuple[Placement, ...] = (
    Placement("sequences", "distributed", "id"),
    Placement("images", "distributed", "sequence_id", "sequences"),
    Placement("boundary_layers", "reference"),
    Placement("boundary_features", "reference"),
    Placement("boundary_parts", "reference"),
    Placement("boundary_cells", "reference"),
    Placement("filter_results", "reference"),
    Placement("filter_points", "distributed", "sequence_id", "images"),
    Placement("filter_sequence_lines", "distributed", "sequence_id", "images"),
    Placement("filter_sequences", "distributed", "sequence_id", "images"),
    Placement("filter_candidates", "distributed", "sequence_id", "images"),  # a curated result's spacing output
    Placement("image_downloads", "reference"),
    # on the coordinator: the crawl queue (FOR UPDATE SKIP LOCKED), bookkeeping, styles
    Placement("crawls", "local"),
    Placement("crawl_area_parts", "local"),
    Placement("crawl_tasks", "local"),
    Placement("crawl_unseen", "local"),
    Placement("images_bulk_indexes", "local"),
    Placement("sequence_changes", "local"),  # unused on Citus (no stamp triggers there)
    Placement("runs", "local"),
    Placement("layer_styles", "local"),
    # the download queue (FOR UPDATE SKIP LOCKED, lease times from clock_timestamp())
    Placement("image_download_jobs", "local"),
    Placement("image_download_batches", "local"),
    Placement("image_download_workers", "local"),
)

KIND_OF_METHOD = {"h": "distributed", "n": "reference"}


async def citus_version(conn: asyncpg.Connection) -> str | None:
    """The citus extension's version in this database, or None (a single server)."""
    return await conn.fetchval("SELECT extversion FROM pg_extension WHERE extname = 'citus'")


async def is_citus(conn: asyncpg.Connection) -> bool:
    return await citus_version(conn) is not None


async def _exists(conn: asyncpg.Connection, table: str) -> bool:
    return await conn.fetchval("SELECT to_regclass($1) IS NOT NULL", f"public.{table}")


async def _placed(conn: asyncpg.Connection, table: str) -> asyncpg.Record | None:
    return await conn.fetchrow(
        "SELECT partmethod::text, repmodel::text, column_to_column_name(logicalrelid, partkey) AS column, colocationid "
        "FROM pg_dist_partition WHERE logicalrelid = $1::regclass", f"public.{table}")


async def _primary_key(conn: asyncpg.Connection, table: str) -> tuple[str | None, list[str]]:
    row = await conn.fetchrow(
        "SELECT c.conname, array_agg(a.attname::text ORDER BY k.ord) AS columns "
        "FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY k(attnum, ord) "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
        "WHERE c.conrelid = $1::regclass AND c.contype = 'p' GROUP BY c.conname", f"public.{table}")
    return (row["conname"], list(row["columns"])) if row else (None, [])


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


async def _key_with_column(conn: asyncpg.Connection, table: str, column: str) -> None:
    """Append the distribution column to a primary key that lacks it (Citus requires it)."""
    name, columns = await _primary_key(conn, table)
    if name is None or column in columns:
        return
    new = ", ".join(_ident(c) for c in [*columns, column])
    log.info("citus: primary key of %s becomes (%s)", table, new)
    await conn.execute(f"ALTER TABLE {_ident(table)} DROP CONSTRAINT {_ident(name)}, "
                       f"ADD CONSTRAINT {_ident(name)} PRIMARY KEY ({new})")


async def _drop_foreign_keys(conn: asyncpg.Connection, table: str) -> None:
    """A distributed table's foreign keys (to filter_results, a reference table) go: with
    one, Citus runs a transaction's writes to the table over one connection per node
    (no parallel writes to the shards), and the filter writes a result's points, lines and
    signatures in one transaction. Nothing relies on them: a result's rows live in its
    partitions, which are dropped with it."""
    names = await conn.fetch("SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass AND contype = 'f'",
                             f"public.{table}")
    for row in names:
        await conn.execute(f"ALTER TABLE {_ident(table)} DROP CONSTRAINT {_ident(row['conname'])}")


async def _drop_stamp_triggers(conn: asyncpg.Connection, table: str) -> None:
    """The sequence change-stamp triggers of images (migrations/sql/0009) go: Citus takes
    no triggers on a distributed table by default, and the filter signs image rows on
    Citus instead (etl/filters/signatures.py)."""
    if table != "images":
        return
    for statement in await conn.fetch(sql_text("crawl/stamp_triggers.sql"), "DROP"):
        await conn.execute(statement["statement"])


async def _distribute_functions(conn: asyncpg.Connection) -> None:
    """The schema's own SQL and PL/pgSQL functions and aggregates (grid cell, haversine,
    the spacing walk's fallback) on every node: the workers run them inside pushed-down
    statements. Extension functions travel with their extension."""
    rows = await conn.fetch(
        "SELECT p.oid::regprocedure::text AS signature FROM pg_proc p "
        "WHERE p.pronamespace = 'public'::regnamespace AND p.proname LIKE 'mlyetl\\_%' "
        "AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass "
        "                AND d.objid = p.oid AND d.deptype = 'e') "
        "AND NOT EXISTS (SELECT 1 FROM pg_dist_object o WHERE o.classid = 'pg_proc'::regclass "
        "                AND o.objid = p.oid) "
        "ORDER BY p.prokind DESC, p.oid")  # functions ('f') before the aggregates ('a') using them
    for row in rows:
        await conn.execute("SELECT create_distributed_function($1)", row["signature"])


async def _keep_local(conn: asyncpg.Connection, table: str) -> bool:
    """A coordinator table that Citus made a "Citus local table" (it did so when a table it
    refers to became a reference table: image_download_jobs -> filter_results) becomes a
    plain table again: its foreign keys to reference tables go, then Citus undistributes it
    and the tables tied to it by foreign keys. Citus plans statements on a Citus local table
    like those on distributed ones, and refuses volatile functions (the queue's lease times
    from clock_timestamp()) in their updates. The rows that those keys would remove along with
    a result are removed by name when it is dropped (etl/results_admin.py)."""
    placed = await _placed(conn, table)
    if placed is None:
        return False
    keys = await conn.fetch(
        "SELECT c.conname FROM pg_constraint c JOIN pg_dist_partition p ON p.logicalrelid = c.confrelid "
        "WHERE c.conrelid = $1::regclass AND c.contype = 'f' AND p.partmethod = 'n' AND p.repmodel = 't'",
        f"public.{table}")
    for row in keys:
        await conn.execute(f"ALTER TABLE {_ident(table)} DROP CONSTRAINT {_ident(row['conname'])}")
    if await _placed(conn, table) is not None:  # Citus undistributes a table it converted itself
        await conn.execute("SELECT undistribute_table($1, cascade_via_foreign_keys => true)", table)
    log.info("citus: %s is a coordinator table again", table)
    return True


async def _place(conn: asyncpg.Connection, placement: Placement) -> bool:
    """Make one table what its placement says; True when it changed."""
    table = placement.table
    if not await _exists(conn, table):
        return False
    if placement.kind == "local":
        return await _keep_local(conn, table)
    placed = await _placed(conn, table)
    if placed is not None and placed["partmethod"] == "n" and placed["repmodel"] != "t":
        # a "Citus local table": Citus made it one when a table it refers to became a
        # reference table; it is placed like any local table
        placed = None
    if placed is not None:
        kind = KIND_OF_METHOD.get(placed["partmethod"], "other")
        if kind != placement.kind or (placement.column and placed["column"] != placement.column):
            log.warning("citus: %s is %s by %s, not %s by %s as mlyetl places it; left as it is", table, kind,
                        placed["column"], placement.kind, placement.column)
        return False
    has_rows = await conn.fetchval(f"SELECT EXISTS (SELECT 1 FROM {_ident(table)})")
    if placement.kind == "reference":
        await conn.execute("SELECT create_reference_table($1)", table)
    else:
        await _key_with_column(conn, table, placement.column)
        await _drop_foreign_keys(conn, table)
        await _drop_stamp_triggers(conn, table)
        await conn.execute("SELECT create_distributed_table($1, $2, colocate_with => $3)", table,
                           placement.column, placement.colocate_with or "default")
    if has_rows:
        # create_distributed_table copied the rows into the shards; the coordinator's own
        # copy is no longer read (Citus keeps it until asked, in case of a mistake)
        await conn.execute("SELECT truncate_local_data_after_distributing_table($1)", table)
    log.info("citus: %s is now a %s table%s", table, placement.kind,
             f" by {placement.column}" + (f", colocated with {placement.colocate_with}" if placement.colocate_with
                                          else "") if placement.column else "")
    return True


async def distribute(conn: asyncpg.Connection) -> list[str]:
    """Place every table of PLACEMENTS on a Citus coordinator (no-op elsewhere and when
    done); returns the tables placed by this call."""
    if not await is_citus(conn):
        return []
    workers = await conn.fetchval("SELECT count(*) FROM pg_dist_node WHERE noderole = 'primary' AND groupid <> 0")
    if workers == 0:
        raise RunFailure("the database has the citus extension but no worker node",
                         hint="add the workers first: SELECT citus_add_node('worker-host', 5432);")
    await _distribute_functions(conn)
    changed = [p.table for p in PLACEMENTS if await _place(conn, p)]
    return changed


async def distribute_like_parent(conn: asyncpg.Connection, table: str, parent: str) -> None:
    """A table about to be attached as a partition of `parent` (still bare): distribute it
    as `parent` is, colocated with it (ATTACH PARTITION needs that on Citus). No-op on a
    single server or when already distributed."""
    if not await is_citus(conn) or await _placed(conn, table) is not None:
        return
    placed = await _placed(conn, parent)
    if placed is None or placed["partmethod"] != "h":
        return
    await conn.execute("SELECT create_distributed_table($1, $2, colocate_with => $3)", table,
                       placed["column"], parent)


@dataclass
class NodeFacts:
    name: str
    port: int
    role: str  # 'coordinator' | 'worker'
    active: bool
    extension: str | None  # the spacing extension's version in this database on the node
    available: str | None  # the version the node's server offers


async def nodes(conn: asyncpg.Connection, extension: str) -> list[NodeFacts]:
    """Every node of the cluster with its copy of `extension` (run on each node)."""
    probe = (f"SELECT coalesce((SELECT extversion FROM pg_extension WHERE extname = '{extension}'), '-') "
             f"|| '/' || coalesce((SELECT default_version FROM pg_available_extensions "
             f"WHERE name = '{extension}'), '-')")
    rows = await conn.fetch(
        "SELECT n.nodename, n.nodeport, n.groupid, n.isactive, r.success, r.result "
        "FROM pg_dist_node n LEFT JOIN run_command_on_all_nodes($1) r ON r.nodeid = n.nodeid "
        "WHERE n.noderole = 'primary' ORDER BY n.groupid, n.nodeid", probe)
    facts = []
    for r in rows:
        installed = available = None
        if r["success"]:
            installed, available = (None if v == "-" else v for v in r["result"].split("/", 1))
        facts.append(NodeFacts(r["nodename"], r["nodeport"], "coordinator" if r["groupid"] == 0 else "worker",
                               r["isactive"], installed, available))
    return facts


async def nodes_without(conn: asyncpg.Connection, extension: str, version: str) -> list[str]:
    """host:port of the nodes whose database lacks `extension` at `version`; on a worker
    that can have it, it is created first (a node added after the extension, say)."""
    facts = await nodes(conn, extension)
    if any(f.role == "worker" and f.extension != version and f.available == version for f in facts):
        await conn.execute(f"SELECT run_command_on_workers('CREATE EXTENSION IF NOT EXISTS {extension}')")
        await conn.execute(f"SELECT run_command_on_workers('ALTER EXTENSION {extension} UPDATE')")
        facts = await nodes(conn, extension)
    return [f"{f.name}:{f.port}" for f in facts if f.extension != version]


SPACING_EXTENSION = ("mlyetl_spacing", "1.3")  # as etl/filters/walk_impl.py needs it


async def status_lines(conn: asyncpg.Connection) -> list[str]:
    """`mlyetl db status` on a Citus coordinator: each node, whether it has the spacing
    extension, and how many tables are distributed / reference; nothing on a single server."""
    version = await citus_version(conn)
    if version is None:
        return []
    extension, wanted = SPACING_EXTENSION
    facts = await nodes(conn, extension)
    tables = await conn.fetchrow(
        "SELECT count(*) FILTER (WHERE partmethod = 'h') AS distributed, "
        "count(*) FILTER (WHERE partmethod = 'n' AND repmodel = 't') AS reference FROM pg_dist_partition")
    lines = [f"citus: {version}, {sum(f.role == 'worker' for f in facts)} worker(s); "
             f"{tables['distributed']} distributed and {tables['reference']} reference table(s)"]
    for f in facts:
        if f.extension == wanted:
            state = f"{extension} {wanted}"
        elif f.available == wanted:
            state = f"{extension} {wanted} on the server, not in this database (the filter creates it where it can)"
        else:
            state = f"no {extension} {wanted} (PL/pgSQL spacing walk on every node until it has it)"
        lines.append(f"  {f.role} {f.name}:{f.port}{'' if f.active else ' (inactive)'}: {state}")
    return lines
