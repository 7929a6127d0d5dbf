"""The pipeline on a real Citus cluster (coordinator + 2 workers on this machine): tables
placed and colocated by `db migrate`, every stage through the coordinator with its heavy
statements on the workers, and the same outputs as a single server, byte for byte."""

from __future__ import annotations

import asyncio
import hashlib
import json
from pathlib import Path

import asyncpg
import pytest

from etl.filters.params import FilterParams
from etl.filters.results import ResultHandle
from etl.filters.steps import _walk_args, create_fresh_tables, drop_scratch, sql_for
from tests.conftest import run_cli
from tests.crawler.conftest import assert_complete, crawl, make_simulator, query

# three servers, a simulator and the CLI share the machine: more time than a one-server test
pytestmark = pytest.mark.timeout(900)

FAULTS = "5xx=0.05,429=0.02:1,timeout=0.01,partial=0.3,short=0.05"
FILTER = ("--continent", "Europe", "--spacing-urban", "100", "--spacing-other", "300")


def _placements(dsn: str) -> dict[str, dict]:
    rows = query(dsn, "SELECT logicalrelid::text AS t, partmethod::text AS m, repmodel::text AS r, "
                      "column_to_column_name(logicalrelid, partkey) AS c, colocationid AS g FROM pg_dist_partition")
    return {r["t"]: dict(r) for r in rows}


def _key(dsn: str, table: str) -> list[str]:
    return [r["a"] for r in query(
        dsn, "SELECT a.attname::text AS a FROM pg_constraint c CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY "
             "k(n, o) JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.n "
             "WHERE c.conrelid = $1::regclass AND c.contype = 'p' ORDER BY k.o", table)]


def test_migrate_distributes_by_sequence_and_colocates(citus_dsn: str) -> None:
    placed = _placements(citus_dsn)
    for table, column in (("sequences", "id"), ("images", "sequence_id"), ("filter_points", "sequence_id"),
                          ("filter_sequence_lines", "sequence_id"), ("filter_sequences", "sequence_id")):
        assert placed[table]["m"] == "h" and placed[table]["c"] == column, placed[table]
    assert len({placed[t]["g"] for t in ("sequences", "images", "filter_points", "filter_sequence_lines",
                                         "filter_sequences")}) == 1  # one colocation group
    for table in ("boundary_layers", "boundary_features", "boundary_parts", "boundary_cells", "filter_results",
                  "image_downloads"):
        assert placed[table]["m"] == "n" and placed[table]["r"] == "t", placed[table]  # reference tables
    for table in ("crawl_tasks", "crawls", "crawl_area_parts", "runs", "layer_styles"):
        assert table not in placed  # on the coordinator
    assert _key(citus_dsn, "images") == ["id", "sequence_id"]
    assert _key(citus_dsn, "filter_points") == ["image_id", "result_name", "sequence_id"]
    again = run_cli("db", "migrate", "--dsn", citus_dsn)
    assert again.returncode == 0 and "already at" in again.stdout, again.stderr
    assert _placements(citus_dsn) == placed  # idempotent
    shards = query(citus_dsn, "SELECT count(DISTINCT nodeport) AS n FROM citus_shards WHERE table_name = 'images'::regclass")
    assert shards[0]["n"] == 2  # spread over both workers


def _sha(out: Path) -> dict[str, str]:
    manifest = json.loads((out / "manifest-all.json").read_text())
    return {f["path"]: f["sha256"] for f in manifest["files"]}


def _points(dsn: str) -> list[tuple]:
    return [tuple(r) for r in query(dsn, "SELECT image_id, sequence_id, class, ST_AsEWKB(geom) AS g, captured_at, "
                                         "compass_angle, altitude FROM filter_points ORDER BY image_id")]


def _lines(dsn: str) -> list[tuple]:
    return [tuple(r) for r in query(dsn, "SELECT sequence_id, ST_AsEWKB(geom) AS g, image_count, kept_count, length_m "
                                         "FROM filter_sequence_lines ORDER BY sequence_id")]


def _explain_walk(dsn: str) -> str:
    """EXPLAIN of a result's first-computation walk (the filter's heaviest statement)."""
    async def run() -> str:
        conn = await asyncpg.connect(dsn)
        try:
            layers = {r["kind"]: {"id": r["id"], "cell_size": r["cell_size"]}
                      for r in await conn.fetch("SELECT kind, id, cell_size FROM boundary_layers")}
            layers = {"continent": layers["continent"], "urban": layers["urban"]}
            handle = ResultHandle("explain", 999, True, distributed=True)
            params = FilterParams(name="explain", continent="Europe", urban="naturalearth-urban", spacing_urban=100,
                                  spacing_other=300)
            await create_fresh_tables(conn, handle)
            args = [*_walk_args(params, layers, True), 2, 0]
            plan = await conn.fetch("EXPLAIN (VERBOSE) " + sql_for("walk_fresh_c.sql", handle), *args)
            await drop_scratch(conn, handle)
            return "\n".join(r[0] for r in plan)
        finally:
            await conn.close()

    return asyncio.run(run())


def test_pipeline_on_citus_gives_the_single_server_outputs(citus_dsn: str, db_dsn: str, tmp_path: Path) -> None:
    outputs = {}
    with make_simulator(faults=FAULTS) as sim:
        for name, dsn in (("citus", citus_dsn), ("single", db_dsn)):
            done = crawl(sim, dsn, "--concurrency", "4", timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
            assert_complete(sim, dsn)
            done = run_cli("filter", "--name", "r1", *FILTER, "--dsn", dsn, timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
            if name == "citus":
                assert "spacing walk: C" in done.stderr
            out = tmp_path / name
            done = run_cli("export", "csv", "--result", "r1", "--shards", "4", "--out", str(out), "--dsn", dsn)
            assert done.returncode == 0, done.stderr[-2000:]
            outputs[name] = out
        assert _points(citus_dsn) == _points(db_dsn) and len(_points(db_dsn)) > 100
        assert _lines(citus_dsn) == _lines(db_dsn)
        assert _sha(outputs["citus"]) == _sha(outputs["single"])  # byte-identical shards (SHA-256)
        for shard in _sha(outputs["single"]):
            assert (outputs["citus"] / shard).read_bytes() == (outputs["single"] / shard).read_bytes()
            assert hashlib.sha256((outputs["citus"] / shard).read_bytes()).hexdigest() == _sha(outputs["citus"])[shard]

        # the walk runs on the workers: a Citus plan with one task per shard, images read there
        plan = _explain_walk(citus_dsn)
        assert "Custom Scan (Citus Adaptive)" in plan and "Task Count: 8" in plan, plan
        assert "images_10" in plan  # a shard of images, scanned on a worker

        # an incremental re-run after a change recomputes the same way on both
        for dsn in (citus_dsn, db_dsn):
            query(dsn, "UPDATE images SET deleted_at = now() WHERE id IN (SELECT image_id FROM filter_points "
                       "ORDER BY image_id LIMIT 5)")
            done = run_cli("filter", "--name", "r1", *FILTER, "--dsn", dsn, timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
        assert _points(citus_dsn) == _points(db_dsn)
