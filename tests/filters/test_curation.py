"""Curation through `mlyetl filter`: attribute filters before spacing, thinning across
sequences, caps with cell ids, the antimeridian, incremental reruns equal to a full
recompute, stored parameters, and the CLI's options and bad values."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from pathlib import Path

import asyncpg
import pytest
from click.testing import CliRunner

from etl.cli import main
from etl.filters.curation_params import CurationParams
from etl.filters.curation_reference import cell_id, curate, daylight
from etl.filters.density import COLUMNS, curation_density
from tests.conftest import run_cli
from tests.filters.curation_helpers import at, candidates, insert_rows
from tests.filters.helpers import (LAT_DEG_PER_M, box, fetch, filter_square, load_layer, polygon,
                                   setup_square_world, write_geojson)


def _dataset(dsn: str, name: str = "r1") -> dict[int, dict]:
    rows = asyncio.run(fetch(dsn, "SELECT * FROM filter_points WHERE result_name = $1", name))
    return {r["image_id"]: dict(r) for r in rows}


def test_attribute_filters_keep_failing_images_out_of_spacing(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    noon, night = datetime(2021, 6, 1, 12, tzinfo=timezone.utc), datetime(2021, 6, 1, 0, 30, tzinfo=timezone.utc)
    base = {"lon": 0.2, "quality": 0.8, "camera": "perspective"}
    # one sequence, images 60 m apart (spacing 100 m): 1 and 3 kept; when 1 fails a filter,
    # the walk starts at 2, so 2 is kept and 3 (60 m on) is not
    seq = [{**base, "id": k, "seq": "s", "lat": 0.1 + k * 60 * LAT_DEG_PER_M,
            "at": noon.replace(second=k)} for k in (1, 2, 3)]
    seq[0]["pano"] = True
    others = [
        {**base, "id": 10, "lat": 0.5, "at": night},                        # night at lon 0.2
        {**base, "id": 11, "lat": 0.6, "at": noon, "quality": None},       # unknown score
        {**base, "id": 12, "lat": 0.7, "at": noon, "quality": 0.3},        # low score
        {**base, "id": 13, "lat": 0.8, "at": noon, "camera": None},        # unknown camera
        {**base, "id": 14, "lat": 0.9, "at": noon, "camera": "fisheye"},
        {**base, "id": 15, "lat": 0.95, "at": datetime(2019, 1, 1, 12, tzinfo=timezone.utc)},  # too early
        {**base, "id": 16, "lat": 0.97, "at": datetime(2022, 1, 1, 12, tzinfo=timezone.utc)},  # too late
    ]
    insert_rows(db_dsn, seq + others)
    plain = filter_square(db_dsn, name="plain", spacing_other=100.0)
    assert set(_dataset(db_dsn, "plain")) == {1, 3, 10, 11, 12, 13, 14, 15, 16}
    assert "curation" not in json.loads(asyncio.run(fetch(db_dsn, "SELECT params FROM filter_results "
                                                                 "WHERE name = 'plain'"))[0]["params"])
    curation = CurationParams(captured_after=datetime(2020, 1, 1, tzinfo=timezone.utc),
                              captured_before=datetime(2022, 1, 1, tzinfo=timezone.utc), pano="exclude",
                              camera_types=("perspective", "fisheye"), min_quality=0.5, daylight=True)
    report = filter_square(db_dsn, name="cur", spacing_other=100.0, curation=curation)
    assert set(_dataset(db_dsn, "cur")) == {2, 14}
    assert report.counts["clipped"] == 3 and plain.counts["clipped"] == 10  # failing images are not input
    assert not daylight(night, 0.2, 0.5) and daylight(noon, 0.2, 0.5)
    only = filter_square(db_dsn, name="only", spacing_other=100.0, curation=CurationParams(pano="only"))
    assert set(_dataset(db_dsn, "only")) == {1} and only.counts["kept"] == 1
    # the curated result stores its parameters, and `results list` shows them
    params = json.loads(asyncio.run(fetch(db_dsn, "SELECT params FROM filter_results WHERE name = 'cur'"))[0]["params"])
    assert params["curation"]["pano"] == "exclude" and params["curation"]["camera_types"] == ["fisheye", "perspective"]
    listed = run_cli("results", "list", "--dsn", db_dsn)
    assert listed.returncode == 0
    line = next(x for x in listed.stdout.splitlines() if x.startswith("cur:"))
    assert '"daylight": true' in line and '"min_quality": 0.5' in line and '"captured_after": "2020-01-01T00:00:00+00:00"' in line


def _grid_rows() -> list[dict]:
    rows = []
    for k in range(60):  # 4 parallel streets of 15 images, 10 m apart along, 15 m across
        street, j = divmod(k, 15)
        lon = (0.55 if street < 2 else 0.3) + street * 15 * LAT_DEG_PER_M
        rows.append({"id": 100 + k, "seq": f"street{street}-{j % 3}", "lon": lon,
                     "lat": 0.3 + j * 10 * LAT_DEG_PER_M, "at": at((k * 37) % 11), "quality": (k % 4) / 4})
    return rows


@pytest.mark.parametrize("priority", ["newest", "oldest", "quality", "random"])
def test_thinning_and_caps_keep_the_reference_set_with_cell_ids(db_dsn: str, tmp_path: Path, priority: str) -> None:
    setup_square_world(db_dsn, tmp_path)
    rows = _grid_rows()
    insert_rows(db_dsn, rows)
    curation = CurationParams(min_distance_urban=25.0, min_distance_other=45.0, priority=priority,
                              seed=7 if priority == "random" else None, max_per_cell=1, cell_size=100.0)
    report = filter_square(db_dsn, spacing_urban=0.0, spacing_other=0.0, curation=curation)
    got = _dataset(db_dsn)
    expected = curate(candidates(rows, lambda lon: 0.5 <= lon <= 0.6), distance_urban=25.0, distance_other=45.0,
                      priority=priority, seed=7, max_per_cell=1, cell_size=100.0)
    assert {i: r["cell_id"] for i, r in got.items()} == expected
    assert report.counts["candidates"] == 60 and report.counts["thinned_out"] > 20 and report.counts["capped_out"] > 0
    assert report.counts["kept"] == len(expected) == report.counts["kept_urban"] + report.counts["kept_other"]
    assert report.counts["spacing_kept_urban"] + report.counts["spacing_kept_other"] == 60
    # no two kept images of one class closer than M; at most 1 per (cell, class)
    close = asyncio.run(fetch(db_dsn, "SELECT count(*) AS n FROM filter_points a JOIN filter_points b "
                                      "ON a.result_name = b.result_name AND a.class = b.class AND a.image_id < b.image_id "
                                      "WHERE a.result_name = 'r1' AND mlyetl_haversine_m(ST_Y(a.geom), ST_X(a.geom), "
                                      "ST_Y(b.geom), ST_X(b.geom)) < CASE a.class WHEN 'urban' THEN 25 ELSE 45 END"))
    assert close[0]["n"] == 0
    per_cell = asyncio.run(fetch(db_dsn, "SELECT max(n) AS n FROM (SELECT count(*) AS n FROM filter_points "
                                         "WHERE result_name = 'r1' GROUP BY cell_id, class) c"))
    assert per_cell[0]["n"] == 1
    # the candidates stay queryable: the dataset before curation
    assert asyncio.run(fetch(db_dsn, "SELECT count(*) AS n FROM filter_candidates WHERE result_name = 'r1'"))[0]["n"] == 60


def test_cell_ids_match_the_documented_grid(db_dsn: str) -> None:
    places = [(0.0, 0.0), (-0.0001, -0.0001), (13.4, 52.5), (-73.99, 40.73), (179.9999, -45.0), (-180.0, 89.9)]
    got = asyncio.run(fetch(db_dsn, "SELECT mlyetl_cell_id(lon, lat, 1000) AS c FROM unnest($1::float8[], $2::float8[]) "
                                    "WITH ORDINALITY AS p(lon, lat, n) ORDER BY n",
                            [p[0] for p in places], [p[1] for p in places]))
    assert [r["c"] for r in got] == [cell_id(lon, lat, 1000.0) for lon, lat in places]
    assert cell_id(0.0, 0.0, 1000.0) != cell_id(-0.0001, -0.0001, 1000.0)


def test_neighbours_across_the_antimeridian_and_the_pole_are_thinned(db_dsn: str, tmp_path: Path) -> None:
    east = write_geojson(tmp_path / "c.geojson", [polygon(box(179.0, -1.0, 180.0, 1.0)),
                                                  polygon(box(-180.0, -1.0, -179.0, 1.0)),
                                                  polygon(box(-180.0, 89.0, 180.0, 90.0))])
    asyncio.run(load_layer(db_dsn, east, "continent", "dateline"))
    asyncio.run(load_layer(db_dsn, write_geojson(tmp_path / "u.geojson", [polygon(box(10, 10, 11, 11))]),
                           "urban", "none"))
    d = 10 * LAT_DEG_PER_M  # 10 m in degrees at the equator
    rows = [{"id": 1, "lon": 180.0 - d, "lat": 0.0, "at": at(3)}, {"id": 2, "lon": -180.0 + d, "lat": 0.0, "at": at(2)},
            {"id": 3, "lon": -180.0 + 4 * d, "lat": 0.0, "at": at(1)}, {"id": 4, "lon": 179.5, "lat": 0.5, "at": at(0)},
            # 0.0005 degree from the pole: 10 degrees of longitude apart is ~10 m, 180 degrees ~111 m
            {"id": 5, "lon": 0.0, "lat": 89.9995, "at": at(9)}, {"id": 6, "lon": 10.0, "lat": 89.9995, "at": at(8)},
            {"id": 7, "lon": 180.0, "lat": 89.9995, "at": at(7)}]
    insert_rows(db_dsn, rows)
    from etl.filters import FilterParams, run_filter

    params = FilterParams(name="dl", continent="dateline", urban="none", spacing_other=0.0,
                          curation=CurationParams(min_distance_other=25.0))
    asyncio.run(run_filter(db_dsn, params, jobs=2))
    # newest first: 1 kept, 2 (20 m away across the antimeridian) dropped, 3 (50 m) kept;
    # at the pole 5 kept, 6 dropped, 7 kept
    assert set(_dataset(db_dsn, "dl")) == {1, 3, 4, 5, 7}
    assert set(curate(candidates(rows, lambda lon: False), distance_other=25.0)) == {1, 3, 4, 5, 7}


def test_rerun_after_new_images_equals_a_full_recompute(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    rows = _grid_rows()
    insert_rows(db_dsn, rows[:40])
    curation = CurationParams(min_distance_urban=25.0, min_distance_other=45.0, max_per_cell=2, cell_size=80.0,
                              min_quality=0.2)
    first = filter_square(db_dsn, name="inc", spacing_urban=0.0, spacing_other=0.0, curation=curation)
    unchanged = filter_square(db_dsn, name="inc", spacing_urban=0.0, spacing_other=0.0, curation=curation)
    assert unchanged.counts["recomputed_sequences"] == 0 and "curate" not in unchanged.timings
    assert unchanged.counts["kept"] == first.counts["kept"] and unchanged.counts["thinned_out"] == first.counts["thinned_out"]
    # new, newer images arrive (they win thinning against the old ones), one image is deleted
    assert "kept_added" not in first.counts and (unchanged.counts["kept_added"], unchanged.counts["kept_removed"]) == (0, 0)
    before = set(_dataset(db_dsn, "inc"))
    insert_rows(db_dsn, [{**r, "at": at(100 + r["id"] % 5)} for r in rows[40:]])
    asyncio.run(fetch(db_dsn, "UPDATE images SET deleted_at = now() WHERE id = 105"))
    again = filter_square(db_dsn, name="inc", spacing_urban=0.0, spacing_other=0.0, curation=curation)
    after = set(_dataset(db_dsn, "inc"))
    # what changed in the dataset since the last run: newer images won thinning against older ones
    assert (again.counts["kept_added"], again.counts["kept_removed"]) == (len(after - before), len(before - after))
    assert again.counts["kept_added"] > 0 and again.counts["kept_removed"] > 0
    assert 0 < again.counts["recomputed_sequences"] < 20
    fresh = filter_square(db_dsn, name="full", spacing_urban=0.0, spacing_other=0.0, curation=curation)
    assert fresh.counts["recomputed_sequences"] > again.counts["recomputed_sequences"]
    columns = "image_id, sequence_id, class, ST_AsEWKB(geom) AS geom, captured_at, is_pano, cell_id"
    inc = asyncio.run(fetch(db_dsn, f"SELECT {columns} FROM filter_points WHERE result_name = 'inc' ORDER BY image_id"))
    full = asyncio.run(fetch(db_dsn, f"SELECT {columns} FROM filter_points WHERE result_name = 'full' ORDER BY image_id"))
    assert [dict(r) for r in inc] == [dict(r) for r in full] and len(inc) == again.counts["kept"] > 0
    assert 105 not in {r["image_id"] for r in inc}
    # a kept image's attributes change: the rerun writes them, as a full recompute does
    changed = min(after)
    asyncio.run(fetch(db_dsn, "UPDATE images SET make = 'new make', compass_angle = 12.5, altitude = -0.0 "
                              "WHERE id = $1", changed))
    filter_square(db_dsn, name="inc", spacing_urban=0.0, spacing_other=0.0, curation=curation)
    filter_square(db_dsn, name="full2", spacing_urban=0.0, spacing_other=0.0, curation=curation)
    columns += ", compass_angle, float8send(altitude) AS altitude, width, height, make, model, creator_username"
    inc = asyncio.run(fetch(db_dsn, f"SELECT {columns} FROM filter_points WHERE result_name = 'inc' ORDER BY image_id"))
    full = asyncio.run(fetch(db_dsn, f"SELECT {columns} FROM filter_points WHERE result_name = 'full2' ORDER BY image_id"))
    assert [dict(r) for r in inc] == [dict(r) for r in full]
    assert [(r["make"], r["compass_angle"]) for r in inc if r["image_id"] == changed] == [("new make", 12.5)]


def test_changed_curation_needs_replace(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    insert_rows(db_dsn, _grid_rows())
    filter_square(db_dsn, curation=CurationParams(min_distance_urban=25.0))
    from etl.errors import UserInputError

    with pytest.raises(UserInputError, match="curation"):
        filter_square(db_dsn, curation=CurationParams(min_distance_urban=30.0))


GOOD = ["--captured-after", "2021-01-01", "--captured-before", "2022-01-01T00:00:00+02:00", "--pano", "exclude",
        "--camera-type", "perspective", "--camera-type", "fisheye", "--min-quality", "0.1", "--daylight",
        "--min-distance-urban", "25", "--min-distance-other", "45", "--priority", "random", "--seed", "3",
        "--max-per-cell", "2", "--cell-size", "80"]


def test_every_option_from_the_cli_and_a_csv_with_cell_ids(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    rows = [{**r, "camera": "perspective" if r["id"] % 3 else "fisheye", "pano": r["id"] % 7 == 0,
             "at": datetime(2021, 6, 1, 10 + r["id"] % 3, tzinfo=timezone.utc), "quality": 0.5} for r in _grid_rows()]
    insert_rows(db_dsn, rows)
    done = run_cli("filter", "--name", "cli", "--continent", "square", "--urban", "town", "--spacing-urban", "0",
                   "--spacing-other", "0", *GOOD, "--dsn", db_dsn)
    assert done.returncode == 0, done.stderr
    assert "thinned out" in done.stdout
    stored = json.loads(asyncio.run(fetch(db_dsn, "SELECT params FROM filter_results WHERE name = 'cli'"))[0]["params"])
    assert stored["curation"] == {
        "captured_after": "2021-01-01T00:00:00+00:00", "captured_before": "2021-12-31T22:00:00+00:00",
        "pano": "exclude", "camera_types": ["fisheye", "perspective"], "min_quality": 0.1, "daylight": True,
        "min_distance_urban": 25.0, "min_distance_other": 45.0, "priority": "random", "seed": 3,
        "max_per_cell": 2, "cell_size": 80.0}
    kept = [r for r in rows if not r["pano"]]
    expected = curate(candidates(kept, lambda lon: 0.5 <= lon <= 0.6), distance_urban=25.0, distance_other=45.0,
                      priority="random", seed=3, max_per_cell=2, cell_size=80.0)
    assert {i: r["cell_id"] for i, r in _dataset(db_dsn, "cli").items()} == expected
    out = tmp_path / "csv"
    exported = run_cli("export", "csv", "--result", "cli", "--out", str(out), "--dsn", db_dsn)
    assert exported.returncode == 0, exported.stderr
    lines = [x for f in sorted(out.glob("*.csv")) for x in f.read_text().splitlines()]
    header = lines[0].split(",")
    assert "cell_id" in header
    col, idcol = header.index("cell_id"), header.index("image_id") if "image_id" in header else header.index("id")
    body = [x.split(",") for x in lines if x and not x.startswith(header[0] + ",")]
    assert {int(x[idcol]): int(x[col]) for x in body} == expected


BAD = [
    (["--captured-after", "yesterday"], "--captured-after 'yesterday' is not a date"),
    (["--captured-before", "2021-13-01"], "--captured-before '2021-13-01' is not a date"),
    (["--captured-after", "2022-01-01", "--captured-before", "2021-01-01"], "is not before --captured-before"),
    (["--pano", "sometimes"], "unknown --pano 'sometimes'"),
    (["--camera-type", " "], "--camera-type is empty"),
    (["--min-quality", "good"], "--min-quality 'good' is not a number"),
    (["--min-quality", "nan"], "--min-quality nan is not a number"),
    (["--min-distance-urban", "-5"], "--min-distance-urban -5.0 is not a distance"),
    (["--min-distance-other", "far"], "--min-distance-other 'far' is not a number"),
    (["--min-distance-other", "inf"], "--min-distance-other inf is not a distance"),
    (["--priority", "best"], "unknown --priority 'best'"),
    (["--seed", "1.5", "--priority", "random"], "--seed '1.5' is not an integer"),
    (["--seed", "4"], "--seed is only used with --priority random"),
    (["--seed", "-1", "--priority", "random"], "--seed -1 is out of range"),
    (["--max-per-cell", "0"], "--max-per-cell 0 keeps nothing"),
    (["--max-per-cell", "many"], "--max-per-cell 'many' is not an integer"),
    (["--cell-size", "0.5"], "--cell-size 0.5 is not a cell size"),
    (["--cell-size", "big"], "--cell-size 'big' is not a number"),
]


@pytest.mark.parametrize(("args", "message"), BAD, ids=[" ".join(a) for a, _ in BAD])
def test_bad_option_values_are_one_line_errors(args: list[str], message: str, tmp_path: Path) -> None:
    # rejected before any database is touched (the data dir is never created); in-process
    # (the same entry point as the installed command), one subprocess below
    done = CliRunner().invoke(main, ["filter", "--name", "x", "--continent", "Europe", *args,
                                     "--data-dir", str(tmp_path / "db")])
    assert done.exit_code == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("mlyetl: error: ") and message in lines[0], done.stderr
    assert not (tmp_path / "db").exists()


def test_a_bad_value_from_the_installed_command(tmp_path: Path) -> None:
    done = run_cli("filter", "--name", "x", "--continent", "Europe", "--pano", "sometimes",
                   "--data-dir", str(tmp_path / "db"))
    assert done.returncode == 2
    assert done.stderr.strip() == "mlyetl: error: unknown --pano 'sometimes' (use include, exclude or only)"


def test_run_config_takes_the_curation_options(tmp_path: Path) -> None:
    config = tmp_path / "job.toml"
    config.write_text('name = "job"\n[crawl]\nbbox = "0,0,1,1"\n[filter]\ncontinent = "Europe"\n'
                      'camera_type = ["perspective", "fisheye"]\ndaylight = true\nmin_distance_urban = 50\n'
                      'max_per_cell = 20\ncell_size = 1000\npano = "exclude"\n')
    done = run_cli("run", str(config), "--dry-run", "--only", "filter")
    assert done.returncode == 0, done.stderr
    assert ("--camera-type perspective --camera-type fisheye --daylight --min-distance-urban 50 "
            "--max-per-cell 20 --cell-size 1000 --pano exclude") in done.stdout


def test_run_config_reads_curation_values_strictly(tmp_path: Path) -> None:
    config = tmp_path / "job.toml"
    base = 'name = "job"\n[crawl]\nbbox = "0,0,1,1"\n[filter]\ncontinent = "Europe"\ncamera_type = "fisheye"\n'
    config.write_text(base + 'daylight = "false"\n')
    done = run_cli("run", str(config), "--dry-run", "--only", "filter")
    assert done.returncode == 0, done.stderr
    assert "--camera-type fisheye" in done.stdout and "--daylight" not in done.stdout
    config.write_text(base + 'daylight = "maybe"\n')
    done = run_cli("run", str(config), "--dry-run", "--only", "filter")
    assert done.returncode == 2
    assert done.stderr.strip() == "mlyetl: error: --daylight 'maybe' is not a boolean (use true or false)"


def test_density_before_and_after_curation(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    insert_rows(db_dsn, _grid_rows())
    report = filter_square(db_dsn, spacing_urban=0.0, spacing_other=0.0,
                           curation=CurationParams(min_distance_urban=25.0, min_distance_other=45.0))
    filter_square(db_dsn, name="plain", spacing_urban=0.0, spacing_other=0.0)

    async def rows(name: str) -> list:
        conn = await asyncpg.connect(db_dsn)
        try:
            return [dict(r) async for r in curation_density(conn, name)]
        finally:
            await conn.close()

    level14 = [r for r in asyncio.run(rows("r1")) if r["x14"] is not None and r["by_cell"]]
    totals = {k: sum(r[k] for r in level14) for k in COLUMNS}
    assert totals["bu"] + totals["bo"] == 60 and totals["au"] == report.counts["kept_urban"]
    assert totals["ao"] == report.counts["kept_other"] and totals["au"] + totals["ao"] < 60
    plain = [r for r in asyncio.run(rows("plain")) if r["x2"] is not None and r["x4"] is None]
    assert sum(r["bu"] + r["bo"] for r in plain) == sum(r["au"] + r["ao"] for r in plain) == 60
    years = [r for r in asyncio.run(rows("r1")) if not r["by_cell"]]
    assert [(r["year"], r["bu"] + r["bo"]) for r in years] == [(2021, 60)]

    # the report's chart of kept images per cell, before and after curation (etl/report)
    from etl.report.result import curation_chart

    async def chart(name: str) -> tuple | None:
        conn = await asyncpg.connect(db_dsn)
        try:
            params = json.loads(await conn.fetchval("SELECT params FROM filter_results WHERE name = $1", name))
            return await curation_chart(conn, name, params)
        finally:
            await conn.close()

    assert asyncio.run(chart("plain")) is None
    capped = CurationParams(min_distance_urban=25.0, max_per_cell=1, cell_size=100.0)
    filter_square(db_dsn, name="capped", spacing_urban=0.0, spacing_other=0.0, curation=capped)
    name, title, svg = asyncio.run(chart("capped"))
    assert name == "curation.svg" and "before curation" in svg and "after curation" in svg
