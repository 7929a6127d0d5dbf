"""The pipeline on a real Citus cluster (coordinator + 2 workers on this machine): tables
placed and colocated by `db migrate`, every stage through the coordinator with its heavy
statements on the workers, and the same outputs as a single server, byte for byte."""

from __future__ import annotations

import asyncio
import hashlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import asyncpg
import pytest

from etl.db.migrate import ensure_schema
from etl.filters.params import FilterParams
from etl.filters.results import ResultHandle
from etl.filters.steps import _walk_args, create_fresh_tables, drop_scratch, fresh_walk_sql
from tests.citus.cluster import CitusCluster
from tests.conftest import PROJECT_ROOT, run_cli, run_statements
from tests.crawler.conftest import (WIDE, WIDE_AREA_ARG, assert_complete, crawl, make_simulator, query, start_crawl,
                                    task_states, token_env)
from tests.qgis.conftest import open_in_qgis, qgis_available  # noqa: F401 (a fixture)

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
    for table in ("crawl_tasks", "crawls", "crawl_area_parts", "crawl_unseen", "runs", "layer_styles",
                  "image_download_jobs", "image_download_batches", "image_download_workers"):
        assert table not in placed, placed[table]  # plain tables on the coordinator
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


def _points(dsn: str, result: str = "r1") -> list[tuple]:
    return [tuple(r) for r in query(dsn, "SELECT image_id, sequence_id, class, ST_AsEWKB(geom) AS g, captured_at, "
                                         "compass_angle, altitude FROM filter_points WHERE result_name = $1 "
                                         "ORDER BY image_id", result)]


def _cells(dsn: str, result: str) -> list[tuple]:
    return [tuple(r) for r in query(dsn, "SELECT image_id, cell_id FROM filter_points WHERE result_name = $1 "
                                         "ORDER BY image_id", result)]


def _lines(dsn: str, result: str = "r1") -> list[tuple]:
    return [tuple(r) for r in query(dsn, "SELECT sequence_id, ST_AsEWKB(geom) AS g, image_count, kept_count, length_m "
                                         "FROM filter_sequence_lines WHERE result_name = $1 ORDER BY sequence_id",
                                    result)]


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
            plan = await conn.fetch("EXPLAIN (VERBOSE) " + fresh_walk_sql(handle, stamps=False), *args)
            await drop_scratch(conn, handle)
            return "\n".join(r[0] for r in plan)
        finally:
            await conn.close()

    return asyncio.run(run())


def _start_download(sim, dsn: str, out: Path) -> subprocess.Popen:  # noqa: ANN001
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MLYETL_", "PG"))} | token_env()
    command = [sys.executable, "-m", "etl", "images", "download", "--result", "r1", "--size", "256", "--out", str(out),
               "--graph-url", sim.base_url, "--backoff", "0.05", "--batch-images", "100", "--dsn", dsn]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            cwd=PROJECT_ROOT)


def _report_data(folder: Path) -> dict[str, bytes]:
    """The report's files but its page (which names the database and the time it was made)."""
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file() and p.name != "index.html"}


def _qgis_layers(dsn: str) -> None:
    """A distributed result's partitions and images open in QGIS, styled, with every row."""
    asyncio.run(ensure_schema(dsn))  # styles for the result's new partitions
    result_id = query(dsn, "SELECT id FROM filter_results WHERE name = 'r1'")[0]["id"]
    points, lines = f"public.filter_points_r{result_id}:geom", f"public.filter_sequence_lines_r{result_id}:geom"
    layers = open_in_qgis(dsn, points, lines, "public.images:geom")
    counts = query(dsn, "SELECT (SELECT count(*) FROM filter_points WHERE result_name = 'r1') AS p, "
                        "(SELECT count(*) FROM filter_sequence_lines WHERE result_name = 'r1') AS l, "
                        "(SELECT count(*) FROM images) AS i")[0]
    assert layers[points]["valid"] and layers[points]["features"] == layers[points]["read"] == counts["p"] > 0, \
        layers[points]
    assert layers[points]["attribute"] == "class" and layers[points]["colours"] == ["#d7191c", "#2b83ba"]
    assert layers[lines]["valid"] and layers[lines]["features"] == layers[lines]["read"] == counts["l"] > 0, \
        layers[lines]
    images = layers["public.images:geom"]
    assert images["valid"] and images["features"] == images["read"] == counts["i"], images


def test_pipeline_on_citus_gives_the_single_server_outputs(citus_cluster: CitusCluster, citus_dsn: str, db_dsn: str,
                                                           tmp_path: Path, qgis_available: None) -> None:
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
        changes = []
        for dsn in (citus_dsn, db_dsn):
            query(dsn, "UPDATE images SET deleted_at = now() WHERE id IN (SELECT image_id FROM filter_points "
                       "ORDER BY image_id LIMIT 5)")
            done = run_cli("filter", "--name", "r1", *FILTER, "--dsn", dsn, timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
            changes += [line for line in done.stdout.splitlines() if line.startswith("since the last run")]
        assert _points(citus_dsn) == _points(db_dsn)
        # the same change line on both; the 5 deleted images are among the dropped
        assert len(changes) == 2 and changes[0] == changes[1], changes
        assert int(changes[0].split(", -")[1].split()[0].replace(",", "")) >= 5, changes

        # two results as two dataset versions: the same diff files from both servers
        for name, dsn in (("citus", citus_dsn), ("single", db_dsn)):
            done = run_cli("filter", "--name", "r2", "--continent", "Europe", "--spacing-urban", "50",
                           "--spacing-other", "600", "--dsn", dsn, timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
            done = run_cli("results", "diff", "r1", "r2", "--out", str(tmp_path / f"diff-{name}"), "--dsn", dsn)
            assert done.returncode == 0, done.stderr[-2000:]
        for kind in ("added", "removed", "changed"):
            single = (tmp_path / "diff-single" / f"{kind}.csv").read_bytes()
            assert (tmp_path / "diff-citus" / f"{kind}.csv").read_bytes() == single
        assert single.count(b"\n") == 1  # changed: nothing (the same images, other spacing)
        assert (tmp_path / "diff-single" / "added.csv").read_bytes().count(b"\n") > 10

        # --daylight: on Citus the workers test it with the extension's C sun sine, as the
        # single server's first computation does; the PL/pgSQL walk's SQL sun sine agrees
        for dsn, env in ((citus_dsn, None), (db_dsn, None), (db_dsn, {"MLYETL_SPACING_WALK": "plpgsql"})):
            name = "r3p" if env else "r3"
            done = run_cli("filter", "--name", name, *FILTER, "--daylight", "--dsn", dsn, env=env, timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
            assert ("spacing walk: PL/pgSQL" if env else "spacing walk: C") in done.stderr
        assert _points(citus_dsn, "r3") == _points(db_dsn, "r3") == _points(db_dsn, "r3p")
        assert 0 < len(_points(db_dsn, "r3")) < len(_points(db_dsn, "r1"))  # night images dropped

        # curation (thinning across sequences, caps per cell) on the coordinator: the single
        # server's dataset and cell ids, first and after a change
        curated = ("--min-distance-urban", "150", "--min-distance-other", "400", "--max-per-cell", "3",
                   "--cell-size", "2000")
        for step in ("first", "after a change"):
            for dsn in (citus_dsn, db_dsn):
                if step != "first":
                    query(dsn, "UPDATE images SET compass_angle = 1.5 WHERE id IN (SELECT image_id FROM filter_points "
                               "WHERE result_name = 'r4' ORDER BY image_id LIMIT 3)")
                done = run_cli("filter", "--name", "r4", *FILTER, *curated, "--dsn", dsn, timeout=300)
                assert done.returncode == 0, done.stderr[-2000:]
            assert _points(citus_dsn, "r4") == _points(db_dsn, "r4")
            assert _cells(citus_dsn, "r4") == _cells(db_dsn, "r4")
            assert 0 < len(_points(db_dsn, "r4")) < len(_points(db_dsn, "r1"))  # thinned or capped

        # the report: the same files from both servers
        for name, dsn in (("citus", citus_dsn), ("single", db_dsn)):
            done = run_cli("report", "--result", "r1", "--out", str(tmp_path / f"report-{name}"), "--dsn", dsn,
                           timeout=300)
            assert done.returncode == 0, done.stderr[-2000:]
        assert _report_data(tmp_path / "report-citus") == _report_data(tmp_path / "report-single")

        # two download processes share the result's queue through the coordinator
        sim.set_faults("")
        before = sim.stats["requests"].get("thumbs", 0)
        kept = [r["image_id"] for r in query(citus_dsn, "SELECT image_id FROM filter_points WHERE result_name = 'r1'")]
        downloads = [_start_download(sim, citus_dsn, tmp_path / "img") for _ in range(2)]
        outs = [proc.communicate(timeout=300) for proc in downloads]
        assert [proc.returncode for proc in downloads] == [0, 0], [err[-2000:] for _, err in outs]
        assert sim.stats["requests"].get("thumbs", 0) - before == len(kept)  # each image fetched once
    files = sorted(int(p.stem) for p in (tmp_path / "img").rglob("*.jpg") if ".partial" not in p.parts)
    assert files == sorted(kept)
    assert {r["state"]: r["n"] for r in query(citus_dsn, "SELECT state, count(*) AS n FROM image_downloads "
                                                         "GROUP BY state")} == {"done": len(kept)}
    workers = query(citus_dsn, "SELECT state, downloaded FROM image_download_workers")
    assert len(workers) == 2 and all(w["state"] == "finished" for w in workers), workers
    assert sum(w["downloaded"] for w in workers) == len(kept)

    # the report (now with the downloaded pictures), the status and the QGIS layers
    done = run_cli("report", "--result", "r1", "--out", str(tmp_path / "report-pictures"), "--dsn", citus_dsn,
                   timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(list((tmp_path / "report-pictures").rglob("*.jpg"))) == len(kept)
    done = run_cli("status", "--dsn", citus_dsn)
    assert done.returncode == 0 and "r1" in done.stdout and "downloads of r1" in done.stdout, done.stderr[-2000:]
    done = run_cli("db", "status", "--dsn", citus_dsn)
    assert done.returncode == 0 and "2 worker(s)" in done.stdout, done.stderr[-2000:]
    assert done.stdout.count("mlyetl_spacing 1.3\n") == 3, done.stdout  # the coordinator and both workers
    _qgis_layers(citus_dsn)
    _without_the_extension_on_a_worker(citus_cluster, citus_dsn, db_dsn)


FINISHED = ("done", "empty", "split")


def _finished(dsn: str) -> int:
    try:
        states = task_states(dsn)
    except Exception:  # not migrated yet, or a node is restarting
        return 0
    return sum(states.get(s, 0) for s in FINISHED)


def _wait_for_finished_tasks(dsn: str, n: int, *procs) -> None:  # noqa: ANN002
    deadline = time.monotonic() + 180
    while _finished(dsn) < n and all(p.poll() is None for p in procs) and time.monotonic() < deadline:
        time.sleep(0.1)
    for proc in procs:
        assert proc.poll() is None, proc.communicate()[1][-3000:]  # still crawling: the interruption is mid-crawl


def test_two_crawlers_share_the_queue_and_ride_out_a_worker_restart(citus_cluster: CitusCluster,
                                                                    citus_dsn: str) -> None:
    # slow answers keep both crawlers busy at once over the wider world (~22,000 images)
    with make_simulator(WIDE, faults="slow=1.0:0.02,5xx=0.03") as sim:
        args = ("--box-size", "0.02", "--concurrency", "2")
        first = start_crawl(sim, citus_dsn, *args, area=WIDE_AREA_ARG)
        _wait_for_finished_tasks(citus_dsn, 1, first)  # the crawl and its queue exist: the second joins them
        second = start_crawl(sim, citus_dsn, *args, area=WIDE_AREA_ARG)
        _wait_for_finished_tasks(citus_dsn, 15, first, second)
        # a worker's short restart is ridden out (within --db-wait): both crawlers wait, go on
        citus_cluster.restart_node(citus_cluster.workers[0], 1.5)
        outs = [proc.communicate(timeout=600) for proc in (first, second)]
        for proc, (_, err) in zip((first, second), outs):
            assert proc.returncode == 0, err[-3000:]
        assert any("database unavailable" in err for _, err in outs)  # noticed, waited, went on
        assert_complete(sim, citus_dsn, WIDE_AREA_ARG)  # the truth, each image once
    assert set(task_states(citus_dsn)) <= set(FINISHED)
    runs = query(citus_dsn, "SELECT counters ->> 'crawl_id' AS crawl_id, (counters ->> 'tasks_finished')::int AS n FROM runs "
                            "WHERE kind = 'crawl' AND status = 'finished'")
    assert len(runs) == 2 and len({r["crawl_id"] for r in runs}) == 1, runs  # one crawl, one queue
    assert min(r["n"] for r in runs) > 0, runs  # both took tasks from it
    total = query(citus_dsn, "SELECT count(*) AS n FROM crawl_tasks WHERE state IN ('done', 'empty', 'split')")[0]["n"]
    assert sum(r["n"] for r in runs) == total  # no task finished twice


def test_a_worker_restarted_mid_crawl_the_same_command_completes_it(citus_cluster: CitusCluster,
                                                                    citus_dsn: str) -> None:
    with make_simulator(WIDE, faults="slow=1.0:0.02") as sim:
        # a short wait for a lost database: the outage below outlasts it, so the crawl stops
        args = ("--box-size", "0.02", "--concurrency", "2", "--db-wait", "1")
        first = start_crawl(sim, citus_dsn, *args, area=WIDE_AREA_ARG)
        _wait_for_finished_tasks(citus_dsn, 15, first)
        citus_cluster.restart_node(citus_cluster.workers[1], 6)  # its shards are gone for a while
        _, err = first.communicate(timeout=300)
        assert first.returncode != 0, err[-3000:]
        assert "lost the database" in err and "rerun the same command" in err, err[-3000:]
        before = {r["id"]: r["updated_at"] for r in query(
            citus_dsn, "SELECT id, updated_at FROM crawl_tasks WHERE state IN ('done', 'empty', 'split')")}
        assert before  # work was finished before the worker went away

        again = crawl(sim, citus_dsn, *args, area=WIDE_AREA_ARG, timeout=600)
        assert again.returncode == 0, again.stderr[-3000:]
        assert "(resumed)" in again.stdout, again.stdout
        assert_complete(sim, citus_dsn, WIDE_AREA_ARG)  # the truth, each image once
    assert set(task_states(citus_dsn)) <= set(FINISHED)
    after = {r["id"]: r["updated_at"] for r in query(citus_dsn, "SELECT id, updated_at FROM crawl_tasks")}
    assert all(after[i] == t for i, t in before.items())  # finished tasks were not redone


def _without_the_extension_on_a_worker(cluster: CitusCluster, citus_dsn: str, db_dsn: str) -> None:
    """A worker that cannot have the spacing extension: the filter says which node lacks it,
    every node walks in PL/pgSQL, and the result is the single server's (C walk)."""
    database = citus_dsn.rsplit("/", 1)[1]
    worker = cluster.dsn(cluster.workers[0], database)
    # gone from that node, and an object of the same name is in the way of creating it again
    asyncio.run(run_statements(worker, "SET citus.enable_ddl_propagation = off", "DROP EXTENSION mlyetl_spacing",
                         "CREATE FUNCTION mlyetl_row_hash(bigint, xid) RETURNS bigint LANGUAGE sql AS 'SELECT 1::bigint'"))
    port = cluster.workers[0].port()
    status = run_cli("db", "status", "--dsn", citus_dsn)
    assert status.returncode == 0, status.stderr[-2000:]
    assert f"worker 127.0.0.1:{port}: mlyetl_spacing 1.3 on the server, not in this database" in status.stdout, \
        status.stdout
    assert status.stdout.count("mlyetl_spacing 1.3\n") == 2, status.stdout  # the coordinator and the other worker
    done = run_cli("filter", "--name", "p", *FILTER, "--dsn", citus_dsn, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    line = next(l for l in done.stderr.splitlines() if "spacing walk" in l)
    assert "PL/pgSQL fallback (extension mlyetl_spacing missing on Citus node(s)" in line and f":{port}" in line, line
    single = run_cli("filter", "--name", "p", *FILTER, "--dsn", db_dsn, timeout=300)
    assert single.returncode == 0 and "spacing walk: C" in single.stderr, single.stderr[-2000:]
    assert _points(citus_dsn, "p") == _points(db_dsn, "p") and _lines(citus_dsn, "p") == _lines(db_dsn, "p")
