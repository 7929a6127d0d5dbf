"""Acceptance: crawls over the real API's recorded quirks, through the simulator, end exact."""

from __future__ import annotations

import time

import numpy as np
import pytest

from etl.simulator.records import make_sparse
from tests.crawler.conftest import assert_complete, crawl, make_simulator, query, task_states


def _same(stored: float | None, served: float | None) -> bool:
    """Equal, or both absent (some columns are float4)."""
    return stored is None if served is None else stored == pytest.approx(served, rel=1e-6)


def _no_traceback(result) -> None:  # noqa: ANN001
    assert "Traceback" not in result.stderr and "unexpected error" not in result.stderr


@pytest.mark.parametrize("method", ["search", "tiles"])
def test_a_rejected_optional_field_is_left_out_and_the_crawl_is_complete(db_dsn: str, method: str) -> None:
    with make_simulator(faults="reject=quality_score") as sim:
        result = crawl(sim, db_dsn, "--method", method, "--concurrency", "4")
        assert result.returncode == 0, result.stderr
        assert_complete(sim, db_dsn)
        rejected = sim.stats["responses"].get("400", 0)
    assert 1 <= rejected <= 4  # only what was in flight when the first rejection came back
    warnings = [line for line in result.stderr.splitlines() if "quality_score" in line]
    assert len(warnings) == 1 and "rejected" in warnings[0], result.stderr
    assert "image fields the API rejected (left out, columns empty): quality_score" in result.stdout
    stored = query(db_dsn, "SELECT count(*) AS n, count(quality_score) AS q, count(make) AS m FROM images")[0]
    assert stored["n"] > 4000 and stored["q"] == 0 and stored["m"] > 0
    _no_traceback(result)


def test_a_rejected_required_field_stops_with_a_clear_error(db_dsn: str) -> None:
    with make_simulator(faults="reject=captured_at") as sim:
        started = time.monotonic()
        result = crawl(sim, db_dsn, "--concurrency", "2")
        assert time.monotonic() - started < 30
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "required image field 'captured_at'" in lines[0], result.stderr
    _no_traceback(result)


@pytest.mark.parametrize("method, schedules", [
    ("search", ["images_bbox:limit403:first6", "images_bbox:limit400:every7"]),
    ("tiles", ["tiles:limit403:first6", "images_ids:limit403:first3", "tiles:limit400:every9"]),
])
def test_403_rate_limits_on_graph_and_tiles_are_waited_out(db_dsn: str, method: str, schedules: list[str]) -> None:
    with make_simulator(schedules=schedules) as sim:
        result = crawl(sim, db_dsn, "--method", method, "--concurrency", "4")
        assert result.returncode == 0, result.stderr
        assert_complete(sim, db_dsn)
        responses = sim.stats["responses"]
    assert responses.get("403", 0) >= 6 and responses.get("400", 0) >= 1
    assert "rate_limited_403" in result.stdout and "refused the token" not in result.stderr
    assert set(task_states(db_dsn)) <= {"done", "empty", "split"}


@pytest.mark.parametrize("faults", ["tiles=strings,tile_empty=0.8", "tiles=strings,tile_empty=0.3,tile_missing=0.3",
                                    "tile_missing=0.5"])
def test_tiles_with_string_empty_or_missing_values_give_a_complete_crawl(db_dsn: str, faults: str) -> None:
    with make_simulator(faults=faults) as sim:
        result = crawl(sim, db_dsn, "--method", "tiles", "--concurrency", "8")
        assert result.returncode == 0, result.stderr
        assert_complete(sim, db_dsn)
        followed = sim.stats["requests"].get("image_ids", 0)
        sequences = len(sim.world.sequence_ids_in_bbox(sim.world.bbox))
    assert "tile features without a usable image id:" in result.stdout
    # a sequence crossing many tiles is followed about once per run (a few races at most)
    assert 0 < followed <= sequences + 8, (followed, sequences)
    assert set(task_states(db_dsn)) <= {"done", "empty", "split"}
    _no_traceback(result)


@pytest.mark.parametrize("method, endpoint", [("search", "images_bbox"), ("tiles", "tiles"), ("tiles", "images_ids")])
def test_an_answer_of_unexpected_shape_costs_its_task_not_the_run(db_dsn: str, method: str, endpoint: str) -> None:
    # two bad answers: within the task's three attempts (the first box of the area is a single task)
    with make_simulator(schedules=[f"{endpoint}:malformed:first2"]) as sim:
        result = crawl(sim, db_dsn, "--method", method, "--concurrency", "2")
        assert result.returncode == 0, result.stderr
        assert_complete(sim, db_dsn)
    _no_traceback(result)


def test_answers_that_stay_malformed_fail_their_tasks_with_the_reason_in_status(db_dsn: str) -> None:
    with make_simulator(schedules=["images_bbox:malformed:every1"]) as sim:
        result = crawl(sim, db_dsn, "--concurrency", "2")
    assert result.returncode == 1 and "--retry-failed" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    _no_traceback(result)
    errors = [r["last_error"] for r in query(db_dsn, "SELECT last_error FROM crawl_tasks WHERE state = 'failed'")]
    assert errors and all("answer" in e for e in errors), errors
    from tests.conftest import run_cli
    status = run_cli("status", "--dsn", db_dsn)
    assert status.returncode == 0 and "answer" in status.stdout, status.stdout


@pytest.mark.parametrize("method", ["search", "tiles"])
def test_a_crawl_over_real_style_material_stores_every_record_exactly(db_dsn: str, method: str) -> None:
    # records with only some optional fields, a 403 code-4 answer first, a rejected field,
    # tiles whose values are strings (mostly empty)
    faults = "sparse=0.5,reject=compass_angle,tiles=strings,tile_empty=0.6"
    schedules = ["images_bbox:limit403:first1", "tiles:limit403:first1", "images_ids:limit403:first1"]
    with make_simulator(faults=faults, schedules=schedules) as sim:
        result = crawl(sim, db_dsn, "--method", method, "--concurrency", "4")
        assert result.returncode == 0, result.stderr
        assert_complete(sim, db_dsn)
        world, seed = sim.world, sim.config.fault_seed
    rows = query(db_dsn, """SELECT id, sequence_id, (extract(epoch FROM captured_at) * 1000)::bigint AS ms,
                                   ST_X(geom) AS x, ST_Y(geom) AS y, geom_is_computed, compass_angle,
                                   computed_compass_angle, altitude, is_pano, make, model, width, height,
                                   creator_id, creator_username, quality_score, camera_type
                            FROM images ORDER BY id""")
    served = {int(r["id"]): r for r in make_sparse([world.image(r["id"]) for r in rows], seed, 0.5)}
    lacking = 0
    for row in rows:
        rec = served[row["id"]]
        lacking += "make" not in rec
        assert row["sequence_id"] == rec["sequence"] and row["ms"] == rec["captured_at"]
        position = (rec.get("computed_geometry") or rec["geometry"])["coordinates"]
        assert (row["x"], row["y"]) == pytest.approx(tuple(position), abs=1e-9)
        assert row["geom_is_computed"] == ("computed_geometry" in rec)
        assert row["compass_angle"] is None  # rejected: left out of every request
        assert _same(row["computed_compass_angle"], rec.get("computed_compass_angle"))
        assert row["is_pano"] == rec.get("is_pano", False)
        assert (row["make"], row["model"]) == (rec.get("make") or None, rec.get("model") or None)
        assert (row["width"], row["height"], row["camera_type"]) == (rec.get("width"), rec.get("height"),
                                                                      rec.get("camera_type"))
        creator = rec.get("creator")
        assert row["creator_id"] == (int(creator["id"]) if creator else None)
        assert _same(row["quality_score"], rec.get("quality_score"))
        altitude = rec.get("altitude")
        assert _same(row["altitude"], None if altitude is None else altitude - 2**32 if altitude >= 2**31 else altitude)
    assert 0.3 < lacking / len(rows) < 0.7  # the records really were sparse
    assert np.all(np.diff([r["id"] for r in rows]) > 0)
    _no_traceback(result)


@pytest.mark.parametrize("option", ["--graph-url", "--tiles-url"])
def test_a_non_http_api_url_is_refused_at_once(option: str) -> None:
    from click.testing import CliRunner

    from etl.cli import main

    started = time.monotonic()
    # refused before any database or network access: a DSN that leads nowhere is fine
    result = CliRunner().invoke(main, ["crawl", "--dsn", "postgresql://nobody@127.0.0.1:1/none", "--bbox",
                                       "6.6,46.5,6.7,46.6", option, "file:///tmp/mapillary"],
                                env={"MAPILLARY_TOKEN": "MLY|1|x"})
    assert result.exit_code == 2 and time.monotonic() - started < 5
    assert "http:// or https://" in result.stderr and len(result.stderr.strip().splitlines()) == 1
