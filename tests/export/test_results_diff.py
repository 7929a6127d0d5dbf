"""`mlyetl results diff OLD NEW --out DIR`: two versions of a dataset in a real PostGIS,
the written CSVs and GeoPackages checked row by row against a diff computed here in Python
from the two results' rows, and the refusals a user meets; and two versions made by a real `crawl --update` against the
simulator, where the filter's change line and the diff must agree."""

from __future__ import annotations

import asyncio
import csv
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import asyncpg
import pyogrio
import pytest
import shapely

from etl.export.csv_export import COLUMNS
from etl.export.diff import MARKER, run_diff
from tests.conftest import run_cli
from tests.filters.helpers import fetch
from tests.export.synthetic import IMAGES_SQL, add_result, make_result_sync, points_sql

# v1: the images of batch 1 with k % 3 in (0, 1) (make_result's rule); v2: batch 1 with
# k % 3 in (0, 2) plus every image of batch 2 (new images), and then some of the images
# both keep are edited in v2 (moved, another camera, another class, a value made NULL)
V2_POINTS = points_sql("(i.id / 1000000000000 = 1 AND (i.id % 10000) % 3 <> 1) OR i.id / 1000000000000 = 2",
                       "(i.id / 10000) % 3 = 0")
V2_EDITS = """
UPDATE filter_points SET geom = ST_SetSRID(ST_MakePoint(ST_X(geom) + 0.00001, ST_Y(geom)), 4326)
WHERE result_name = 'v2' AND image_id % 10000 % 3 = 0 AND (image_id / 10000) % 4 = 0;
UPDATE filter_points SET make = 'Canon, "EOS"' WHERE result_name = 'v2' AND image_id % 10000 = 3;
UPDATE filter_points SET class = CASE class WHEN 'urban' THEN 'other' ELSE 'urban' END
WHERE result_name = 'v2' AND image_id % 10000 = 6 AND (image_id / 10000) % 5 = 1;
UPDATE filter_points SET model = NULL WHERE result_name = 'v2' AND image_id % 10000 = 9 AND model IS NOT NULL;
UPDATE filter_points SET captured_at = captured_at + interval '1 millisecond'
WHERE result_name = 'v2' AND image_id % 10000 = 12;
"""
ROWS_SQL = """
SELECT image_id, sequence_id, captured_at, ST_X(geom) AS lon, ST_Y(geom) AS lat, class, compass_angle, is_pano,
       width, height, make, model, creator_username, altitude, cell_id
FROM filter_points WHERE result_name = $1
"""


async def _make_v2(dsn: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(IMAGES_SQL, 2, "s2q", 60, 5, 20)
        await add_result(conn, "v2", {"spacing_urban": 100, "spacing_other": 1000})
        await conn.execute(V2_POINTS, "v2")
        await conn.execute(V2_EDITS)
    finally:
        await conn.close()


@pytest.fixture
def versions_dsn(db_dsn: str) -> str:
    make_result_sync(db_dsn, name="v1", sequences=150, max_len=25)
    asyncio.run(_make_v2(db_dsn))
    return db_dsn


def _rows(dsn: str, result: str) -> dict[int, dict]:
    return {r["image_id"]: dict(r) for r in asyncio.run(fetch(dsn, ROWS_SQL, result))}


def _expected(dsn: str) -> dict[str, list[dict]]:
    """The diff by image id, computed here from the two results' rows."""
    old, new = _rows(dsn, "v1"), _rows(dsn, "v2")
    return {"added": [new[i] for i in sorted(new.keys() - old.keys())],
            "removed": [old[i] for i in sorted(old.keys() - new.keys())],
            "changed": [new[i] for i in sorted(new.keys() & old.keys()) if new[i] != old[i]]}


def _check_csv_row(got: dict[str, str], want: dict) -> None:
    """One CSV row against the database's values, in the export's text format."""
    when: datetime = want["captured_at"].astimezone(timezone.utc)
    assert got["image_id"] == str(want["image_id"]) and got["sequence_id"] == want["sequence_id"]
    assert got["captured_at"] == when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
    assert int(got["captured_at_ms"]) == round(when.timestamp() * 1000)
    assert float(got["lon"]) == want["lon"] and float(got["lat"]) == want["lat"]  # exact round trip
    assert got["class"] == want["class"] and got["is_pano"] == ("true" if want["is_pano"] else "false")
    for key in ("compass_angle", "altitude"):
        assert (float(got[key]) if got[key] else None) == want[key]
    for key in ("width", "height", "cell_id"):
        assert (int(got[key]) if got[key] else None) == want[key]
    for key in ("make", "model", "creator_username"):
        assert got[key] == (want[key] or "")


def _check_folder(out: Path, expected: dict[str, list[dict]], old: str = "v1", new: str = "v2") -> None:
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["diff.json", *(f"{k}.{e}" for k in expected for e in ("csv", "gpkg"))])
    for kind, rows in expected.items():
        with open(out / f"{kind}.csv", newline="", encoding="utf-8") as handle:
            reader = csv.DictReader(handle)
            assert reader.fieldnames == COLUMNS
            got = list(reader)
        assert len(got) == len(rows)
        for got_row, want in zip(got, rows):  # image id order, row by row
            _check_csv_row(got_row, want)
        meta, table = pyogrio.read_arrow(out / f"{kind}.gpkg", layer=kind)
        assert meta["crs"] == "EPSG:4326" and table.num_rows == len(rows)
        points = shapely.from_wkb(table.column(meta["geometry_name"] or "wkb_geometry").to_numpy(zero_copy_only=False))
        for image_id, make, cls, point, want in zip(table.column("image_id").to_pylist(),
                                                    table.column("make").to_pylist(),
                                                    table.column("class").to_pylist(), points, rows):
            assert (image_id, make, cls, point.x, point.y) == (
                want["image_id"], want["make"], want["class"], want["lon"], want["lat"])
    manifest = json.loads((out / "diff.json").read_text())
    assert manifest["old"]["name"] == old and manifest["new"]["name"] == new
    assert {k: manifest[k] for k in expected} == {k: len(v) for k, v in expected.items()}


def test_diff_files_equal_a_diff_computed_from_both_results(versions_dsn: str, tmp_path: Path) -> None:
    expected = _expected(versions_dsn)
    # every kind is there, and each kind of edit is among the changed rows
    assert all(len(rows) > 20 for rows in expected.values())
    done = run_cli("results", "diff", "v1", "v2", "--out", str(tmp_path / "d"), "--batch-rows", "1000",
                   env={"MLYETL_DSN": versions_dsn})
    assert done.returncode == 0, done.stderr
    counts = {k: len(v) for k, v in expected.items()}
    assert (f"v1 -> v2: +{counts['added']:,} added, -{counts['removed']:,} removed, "
            f"{counts['changed']:,} changed") in done.stdout
    _check_folder(tmp_path / "d", expected)


def test_library_diff_the_other_way_round_swaps_added_and_removed(versions_dsn: str, tmp_path: Path) -> None:
    forward = _expected(versions_dsn)
    summary = run_diff(versions_dsn, "v2", "v1", tmp_path / "back", rows_per_batch=7)
    assert (summary.added, summary.removed) == (len(forward["removed"]), len(forward["added"]))
    assert summary.changed == len(forward["changed"])
    with open(tmp_path / "back" / "added.csv", newline="", encoding="utf-8") as handle:
        assert [int(r["image_id"]) for r in csv.DictReader(handle)] == [r["image_id"] for r in forward["removed"]]


def test_identical_results_give_empty_files_with_headers(versions_dsn: str, tmp_path: Path) -> None:
    # a copy of v1 under another name: nothing added, removed or changed
    asyncio.run(_copy_result(versions_dsn, "v1", "v1-copy"))
    summary = run_diff(versions_dsn, "v1", "v1-copy", tmp_path / "same")
    assert (summary.added, summary.removed, summary.changed) == (0, 0, 0)
    _check_folder(tmp_path / "same", {"added": [], "removed": [], "changed": []}, "v1", "v1-copy")


async def _copy_result(dsn: str, source: str, name: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await add_result(conn, name, {})
        columns = ("image_id, sequence_id, class, geom, captured_at, compass_angle, altitude, "
                   "is_pano, width, height, make, model, creator_username, cell_id")
        await conn.execute(f"INSERT INTO filter_points (result_name, {columns}) "
                           f"SELECT $2, {columns} FROM filter_points WHERE result_name = $1", source, name)
    finally:
        await conn.close()


def _one_line(done, *words: str) -> str:  # noqa: ANN001
    lines = done.stderr.strip().splitlines()
    assert done.returncode != 0 and len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and all(w in lines[0] for w in words), lines[0]
    return lines[0]


def test_refusals_are_one_line_and_leave_nothing(versions_dsn: str, tmp_path: Path) -> None:
    env = {"MLYETL_DSN": versions_dsn}
    out = tmp_path / "new-folder"
    _one_line(run_cli("results", "diff", "v1", "nope", "--out", str(out), env=env), "nope", "v1")
    _one_line(run_cli("results", "diff", "v1", "v1", "--out", str(out), env=env), "same result")
    _one_line(run_cli("results", "diff", "v1", "v2", "--out", "", env=env), "--out")
    assert not out.exists()
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "notes.txt").write_text("mine")
    _one_line(run_cli("results", "diff", "v1", "v2", "--out", str(busy), env=env), "not empty", "notes.txt")
    assert [p.name for p in busy.iterdir()] == ["notes.txt"]
    file_out = tmp_path / "a-file"
    file_out.write_text("x")
    _one_line(run_cli("results", "diff", "v1", "v2", "--out", str(file_out), env=env), "not a folder")
    # a finished diff is not overwritten either
    assert run_cli("results", "diff", "v1", "v2", "--out", str(out), env=env).returncode == 0
    _one_line(run_cli("results", "diff", "v1", "v2", "--out", str(out), env=env), "not empty")


def test_a_killed_diff_rerun_with_the_same_command_finishes(versions_dsn: str, tmp_path: Path) -> None:
    out = tmp_path / "d"
    out.mkdir()
    # what a run killed while writing the GeoPackage of `removed` leaves
    (out / MARKER).write_text(json.dumps({"old": "v1", "new": "v2"}))
    (out / "added.csv").write_text("half")
    (out / f".removed.{os.getpid() + 1}.part.gpkg").write_bytes(b"partial")
    (out / ".mlyetl-export.lock").write_text("12345\n")
    # ... which is no licence for another diff to use the folder
    with pytest.raises(Exception, match="not empty"):
        run_diff(versions_dsn, "v2", "v1", out)
    run_diff(versions_dsn, "v1", "v2", out, rows_per_batch=1000)
    _check_folder(out, _expected(versions_dsn))


def _filter_line(dsn: str, name: str) -> str | None:
    done = run_cli("filter", "--name", name, "--continent", "area", "--urban", "town", "--dsn", dsn)
    assert done.returncode == 0, done.stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("since the last run")]
    return lines[0] if lines else None


def test_after_a_crawl_update_the_filter_line_and_the_diff_agree(db_dsn: str, tmp_path: Path) -> None:
    # a dataset kept current: `live` is brought up to date after `crawl --update`, `v1` is
    # the same filter frozen before the update; the rerun's change line and the diff of the
    # two versions count the same images, and both equal the kept ids computed here
    from tests.crawler.conftest import crawl, make_simulator
    from tests.filters.helpers import setup_simulator_world

    setup_simulator_world(db_dsn, tmp_path)
    with make_simulator() as sim:
        assert crawl(sim, db_dsn).returncode == 0
        assert _filter_line(db_dsn, "live") is None and _filter_line(db_dsn, "v1") is None
        sim.change_world("moved=0.05,deleted=0.03,deleted_images=0.02,added=0.05")
        update = crawl(sim, db_dsn, "--update")
        assert update.returncode == 0, update.stderr
    line = _filter_line(db_dsn, "live")
    old, new = _rows(db_dsn, "v1"), _rows(db_dsn, "live")
    added, removed = new.keys() - old.keys(), old.keys() - new.keys()
    assert line == f"since the last run: +{len(added):,} kept, -{len(removed):,} dropped"
    summary = run_diff(db_dsn, "v1", "live", tmp_path / "v1-to-live")
    assert (summary.added, summary.removed) == (len(added), len(removed)) and added and removed
    deleted = {r["id"] for r in asyncio.run(fetch(db_dsn, "SELECT id FROM images WHERE deleted_at IS NOT NULL"))}
    assert deleted & old.keys() and deleted & old.keys() <= removed  # deleted images leave the dataset
    changed = [new[i] for i in sorted(new.keys() & old.keys()) if new[i] != old[i]]
    assert changed  # moved images both versions keep
    _check_folder(tmp_path / "v1-to-live", {"added": [new[i] for i in sorted(added)],
                                            "removed": [old[i] for i in sorted(removed)], "changed": changed},
                  "v1", "live")
