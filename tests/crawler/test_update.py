"""`crawl --update`: a new pass over an area crawled before, writing only what changed.

The simulator's world is changed between passes (images moved, sequences and images
deleted, sequences added); after the update the database holds exactly the new world,
every stored attribute as the API now answers it, and nothing else was written.
"""

from __future__ import annotations

import pytest

from tests.conftest import run_cli
from tests.crawler.conftest import (
    AREA_ARG, WIDE, WIDE_AREA_ARG, crawl, make_simulator, query, start_crawl, task_states, truth,
)

CHANGE = "moved=0.05,deleted=0.03,deleted_images=0.02,added=0.05"
FAULTS = "5xx=0.05,429=0.02:1,drop=0.01,truncate=0.01,partial=0.5"


def live_ids(dsn: str) -> set[int]:
    return {r["id"] for r in query(dsn, "SELECT id FROM images WHERE deleted_at IS NULL")}


def row_versions(dsn: str) -> dict[int, str]:
    return {r["id"]: r["v"] for r in query(dsn, "SELECT id, xmin::text AS v FROM images")}


def assert_matches_world(sim, dsn: str, area: str = AREA_ARG) -> None:  # noqa: ANN001
    """Live rows inside the area are the world's images there; every live row is as the API answers it."""
    box = [float(v) for v in area.split(",")]
    inside = {r["id"] for r in query(dsn, """SELECT id FROM images WHERE deleted_at IS NULL
                                             AND ST_Intersects(geom, ST_MakeEnvelope($1, $2, $3, $4, 4326))""", *box)}
    expected = truth(sim, area)
    assert inside == expected, f"{len(expected - inside)} missing, {len(inside - expected)} not in the world"
    rows = query(dsn, """SELECT id, sequence_id, ST_X(geom) AS x, ST_Y(geom) AS y, computed_compass_angle AS cc
                         FROM images WHERE deleted_at IS NULL""")
    for row in rows:
        rec = sim.world.image(row["id"])
        assert rec is not None, f"image {row['id']} is live in the database but gone from the world"
        position = (rec.get("computed_geometry") or rec["geometry"])["coordinates"]
        assert (row["x"], row["y"]) == pytest.approx(tuple(position), abs=1e-9), row["id"]
        assert row["cc"] == rec.get("computed_compass_angle"), row["id"]


def test_update_after_world_change_stores_exactly_the_new_world(db_dsn: str) -> None:
    with make_simulator() as sim:
        first = crawl(sim, db_dsn, "--concurrency", "8")
        assert first.returncode == 0, first.stderr
        before = {r["id"]: (r["x"], r["y"]) for r in query(db_dsn, "SELECT id, ST_X(geom) x, ST_Y(geom) y FROM images")}
        versions = row_versions(db_dsn)
        old_truth = truth(sim)
        sim.change_world(CHANGE)
        new_truth = truth(sim)
        sim.set_faults(FAULTS)
        update = crawl(sim, db_dsn, "--update", "--concurrency", "8")
        assert update.returncode == 0, update.stderr
        assert "update pass 1" in update.stdout
        assert_matches_world(sim, db_dsn)
        world = sim.world
        faults = sim.stats["faults"]
        assert faults.get("500", 0) + faults.get("502", 0) + faults.get("503", 0) > 0

    gone = old_truth - new_truth
    deleted = {r["id"] for r in query(db_dsn, "SELECT id FROM images WHERE deleted_at IS NOT NULL")}
    # gone from the area: deleted, or moved out of it (then live, at its new place)
    assert gone and gone == deleted | {i for i in gone if world.image(i) is not None}
    assert all(world.image(i) is None for i in deleted)
    # only what changed was written: new, moved or deleted rows have a new row version, nothing else
    after = row_versions(db_dsn)
    moved = {i for i in old_truth & new_truth if world.image(i) and
             (world.image(i).get("computed_geometry") or world.image(i)["geometry"])["coordinates"] != list(before[i])}
    rewritten = {i for i in versions if after.get(i) != versions[i]}
    assert moved and rewritten - deleted - moved <= (old_truth - new_truth), "unchanged rows were written"
    assert rewritten >= deleted | moved
    counts = query(db_dsn, """SELECT new_images, changed_images, deleted_images, unchanged_images
                              FROM crawls WHERE pass = 1""")[0]
    assert counts["new_images"] == len(new_truth - old_truth - set(versions))
    assert counts["deleted_images"] == len(deleted)
    assert counts["unchanged_images"] > 0


def test_identical_update_writes_nothing(db_dsn: str) -> None:
    with make_simulator() as sim:
        assert crawl(sim, db_dsn).returncode == 0
        first_requests = sum(sim.stats["requests"].values())
        versions = row_versions(db_dsn)
        seqs = {r["id"]: r["v"] for r in query(db_dsn, "SELECT id, xmin::text AS v FROM sequences")}
        sim.set_faults(FAULTS)
        sim.reset_stats()
        update = crawl(sim, db_dsn, "--update")
        assert update.returncode == 0, update.stderr
        requests = sum(sim.stats["requests"].values())
    assert row_versions(db_dsn) == versions, "an unchanged image got a new row version"
    assert {r["id"]: r["v"] for r in query(db_dsn, "SELECT id, xmin::text AS v FROM sequences")} == seqs
    assert query(db_dsn, "SELECT count(*) AS n FROM images WHERE deleted_at IS NOT NULL")[0]["n"] == 0
    row = query(db_dsn, "SELECT new_images, changed_images, deleted_images, unchanged_images FROM crawls WHERE pass = 1")[0]
    assert (row["new_images"], row["changed_images"], row["deleted_images"]) == (0, 0, 0)
    assert row["unchanged_images"] >= len(versions) - 50  # box-edge duplicates aside
    assert 0 < requests <= first_requests  # no box the first crawl had to split is asked again


def test_update_resumes_its_pass_and_a_plain_rerun_changes_nothing(db_dsn: str) -> None:
    with make_simulator() as sim:
        assert crawl(sim, db_dsn).returncode == 0
        sim.change_world("added=0.1")
        assert crawl(sim, db_dsn, "--update").returncode == 0
        sim.reset_stats()
        again = crawl(sim, db_dsn)  # no --update: the latest pass, finished: nothing to do
        assert again.returncode == 0, again.stderr
        assert sum(sim.stats["requests"].values()) == 0
        assert live_ids(db_dsn) >= truth(sim)
        second = crawl(sim, db_dsn, "--update")
        assert "update pass 2" in second.stdout
    assert [r["pass"] for r in query(db_dsn, "SELECT pass FROM crawls ORDER BY pass")] == [0, 1, 2]
    status = run_cli("status", "--dsn", db_dsn)
    assert status.returncode == 0, status.stderr
    line = next(x for x in status.stdout.splitlines() if x.strip().startswith("crawl 1 (search)"))
    assert f"bbox {AREA_ARG}: crawled " in line and "updated " in line and "(pass 2, crawl " in line
    assert "0 new, 0 changed, 0 deleted, " in line and " unchanged" in line


def _filter(dsn: str, name: str) -> dict:
    import asyncio

    from etl.filters import FilterParams, run_filter

    return asyncio.run(run_filter(dsn, FilterParams(name=name, continent="area", urban="town"), jobs=2)).counts


def _points(dsn: str, name: str) -> dict[int, tuple]:
    rows = query(dsn, "SELECT image_id, class, ST_AsEWKB(geom) AS g FROM filter_points WHERE result_name = $1", name)
    return {r["image_id"]: (r["class"], bytes(r["g"])) for r in rows}


def test_filter_after_updates_recomputes_exactly_what_changed(db_dsn: str, tmp_path) -> None:  # noqa: ANN001
    from tests.filters.helpers import setup_simulator_world

    setup_simulator_world(db_dsn, tmp_path)
    with make_simulator() as sim:
        assert crawl(sim, db_dsn).returncode == 0
        first = _filter(db_dsn, "r")
        assert first["recomputed_sequences"] > 0
        kept = {r["id"]: r["v"] for r in query(db_dsn, "SELECT image_id AS id, xmin::text AS v FROM filter_points")}
        # an identical update: nothing written, nothing recomputed
        assert crawl(sim, db_dsn, "--update").returncode == 0
        same = _filter(db_dsn, "r")
        assert same["recomputed_sequences"] == 0 and same.get("written_points", 0) == 0
        assert {r["id"]: r["v"] for r in query(db_dsn, "SELECT image_id AS id, xmin::text AS v FROM filter_points")} == kept
        # a small change: exactly the sequences whose images changed, deletions included
        versions = row_versions(db_dsn)
        sim.change_world("moved=0.02,deleted=0.02,deleted_images=0.01,added=0.02")
        assert crawl(sim, db_dsn, "--update").returncode == 0
    changed = query(db_dsn, "SELECT DISTINCT sequence_id, id, xmin::text AS v FROM images")
    dirty = {r["sequence_id"] for r in changed if versions.get(r["id"]) != r["v"]}
    assert dirty
    again = _filter(db_dsn, "r")
    assert again["recomputed_sequences"] == len(dirty)
    _filter(db_dsn, "fresh")  # the same parameters computed from scratch
    assert _points(db_dsn, "r") == _points(db_dsn, "fresh")
    deleted = {r["id"] for r in query(db_dsn, "SELECT id FROM images WHERE deleted_at IS NOT NULL")}
    assert deleted and not deleted & set(_points(db_dsn, "r"))
    assert deleted & set(kept), "no deleted image had been kept: the test proves nothing about leaving results"


def test_tiles_update_fetches_only_sequences_the_tiles_show_changed(db_dsn: str) -> None:
    with make_simulator() as sim:
        sim.reset_stats()
        assert crawl(sim, db_dsn, "--method", "tiles").returncode == 0
        first = sim.stats["images_served"]
        versions = row_versions(db_dsn)
        sim.reset_stats()
        same = crawl(sim, db_dsn, "--method", "tiles", "--update")
        assert same.returncode == 0, same.stderr
        assert sim.stats["requests"].get("images_ids", 0) == 0, "unchanged sequences were fetched again"
        assert row_versions(db_dsn) == versions
        sim.change_world("moved=0.03,deleted=0.03,deleted_images=0.01,added=0.05")
        sim.set_faults(FAULTS)
        sim.reset_stats()
        update = crawl(sim, db_dsn, "--method", "tiles", "--update")
        assert update.returncode == 0, update.stderr
        assert_matches_world(sim, db_dsn)
        assert 0 < sim.stats["images_served"] < first / 2  # only the sequences the tiles show changed


def test_partial_answers_during_an_update_delete_nothing(db_dsn: str) -> None:
    with make_simulator() as sim:
        assert crawl(sim, db_dsn).returncode == 0
        versions = row_versions(db_dsn)
        # every other bbox answer and every id batch leaves images out, with nothing to tell
        sim.set_faults("5xx=0.05", schedules=["images_bbox:partial:every2", "images_ids:partial:every1"])
        sim.reset_stats()
        update = crawl(sim, db_dsn, "--update")
        assert update.returncode == 0, update.stderr
        stats = sim.stats
    assert stats["faults"].get("partial", 0) > 0
    assert stats["requests"].get("image_ids", 0) > 0 and stats["requests"].get("entity", 0) > 0  # checked, to the end
    assert query(db_dsn, "SELECT count(*) AS n FROM images WHERE deleted_at IS NOT NULL")[0]["n"] == 0
    assert row_versions(db_dsn) == versions


def test_failed_checks_delete_nothing_until_retried(db_dsn: str) -> None:
    with make_simulator() as sim:
        assert crawl(sim, db_dsn).returncode == 0
        sim.change_world("deleted=0.05")
        # memberships and single lookups keep failing: nothing can be confirmed
        sim.set_faults("", schedules=["image_ids:503:every1", "entity:503:every1"])
        failed = crawl(sim, db_dsn, "--update", "--max-retries", "1")
        assert failed.returncode == 1 and "--retry-failed" in failed.stderr
        assert query(db_dsn, "SELECT count(*) AS n FROM images WHERE deleted_at IS NOT NULL")[0]["n"] == 0
        sim.set_faults("")
        retried = crawl(sim, db_dsn, "--update", "--retry-failed")
        assert retried.returncode == 0, retried.stderr
        assert "update pass 1" in retried.stdout  # the same pass, not a new one
        assert_matches_world(sim, db_dsn)
    assert query(db_dsn, "SELECT count(*) AS n FROM images WHERE deleted_at IS NOT NULL")[0]["n"] > 0


def _pass_finished(dsn: str) -> int:
    rows = query(dsn, """SELECT count(*) AS n FROM crawl_tasks t JOIN crawls c ON c.id = t.crawl_id
                         WHERE c.pass = 1 AND t.kind = 'box' AND t.state IN ('done', 'empty', 'split')""")
    return rows[0]["n"]


def test_killed_update_resumes_and_two_crawlers_share_it(db_dsn: str) -> None:
    import signal
    import time

    args = ("--box-size", "0.02", "--concurrency", "2")
    with make_simulator(WIDE) as sim:
        assert crawl(sim, db_dsn, *args, area=WIDE_AREA_ARG).returncode == 0
        sim.change_world("moved_sequences=0.05,deleted=0.03,added=0.05")
        sim.set_faults("slow=1.0:0.05")  # every request takes 50 ms: the pass lasts long enough to be cut
        proc = start_crawl(sim, db_dsn, *args, "--update", area=WIDE_AREA_ARG)
        deadline = time.monotonic() + 90
        while proc.poll() is None and time.monotonic() < deadline and _pass_finished(db_dsn) < 15:
            time.sleep(0.05)
        assert proc.poll() is None, "the update ended before it could be cut"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
        finished_at_kill = _pass_finished(db_dsn)
        sim.reset_stats()
        both = [start_crawl(sim, db_dsn, *args, "--update", area=WIDE_AREA_ARG) for _ in range(2)]
        outs = [p.communicate(timeout=240) for p in both]
        assert all(p.returncode == 0 for p in both), outs
        assert all("update pass 1" in out and "(resumed)" in out for out, _ in outs), outs
        assert_matches_world(sim, db_dsn, WIDE_AREA_ARG)
        requests = sim.stats["requests"].get("images_bbox", 0)
    boxes = query(db_dsn, """SELECT count(*) AS n FROM crawl_tasks t JOIN crawls c ON c.id = t.crawl_id
                             WHERE c.pass = 1 AND t.kind = 'box'""")[0]["n"]
    assert requests == boxes - finished_at_kill, "a box of the pass was asked twice, or a finished one again"
    assert [r["pass"] for r in query(db_dsn, "SELECT pass FROM crawls ORDER BY pass")] == [0, 1]
    assert set(task_states(db_dsn)) <= {"done", "empty", "split"}


def test_an_image_that_comes_back_is_undeleted(db_dsn: str) -> None:
    with make_simulator() as sim:
        assert crawl(sim, db_dsn).returncode == 0
        # hidden from searches; /image_ids still lists them, /{id} says they do not exist
        sim.set_faults("deleted=0.02")
        gone = crawl(sim, db_dsn, "--update")
        assert gone.returncode == 0, gone.stderr
        deleted = {r["id"] for r in query(db_dsn, "SELECT id FROM images WHERE deleted_at IS NOT NULL")}
        assert deleted and deleted == set(sim.state.deleted_image_ids(sorted(deleted | live_ids(db_dsn))))
        assert_matches_world(sim, db_dsn)
        sim.set_faults("")
        back = crawl(sim, db_dsn, "--update")
        assert back.returncode == 0, back.stderr
        assert f"{len(deleted):,} restored" in back.stdout
        assert_matches_world(sim, db_dsn)
    assert query(db_dsn, "SELECT count(*) AS n FROM images WHERE deleted_at IS NOT NULL")[0]["n"] == 0
    assert query(db_dsn, "SELECT restored_images FROM crawls WHERE pass = 2")[0]["restored_images"] == len(deleted)
