"""Each filter rule on hand-computed cases, on a real PostGIS."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tests.filters.helpers import LAT_DEG_PER_M, fetch, filter_square, insert_images, kept_ids, points, \
    setup_square_world


def _meridian(seq: str, first_id: int, n: int, step_m: float, lon: float = 0.25, lat0: float = 0.1) -> list:
    return [(first_id + k, seq, k, lon, lat0 + k * step_m * LAT_DEG_PER_M) for k in range(n)]


def test_points_on_the_border_are_inside(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    # 0.25-degree grid lines run along the square's edges: the widened cells must still catch them
    rows = [(1, "a", 0, 0.5, 0.5), (2, "b", 0, 1.0, 0.5), (3, "c", 0, 0.0, 0.0), (4, "d", 0, 1.0000001, 0.5),
            (5, "e", 0, 0.25, 1.0), (6, "f", 0, -0.5, 0.5), (7, "g", 0, 0.3, 1.0000001)]
    asyncio.run(insert_images(db_dsn, rows))
    filter_square(db_dsn)
    assert set(points(db_dsn)) == {1, 2, 3, 5}


def test_urban_border_counts_as_urban(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    asyncio.run(insert_images(db_dsn, [(1, "a", 0, 0.5, 0.3), (2, "b", 0, 0.6, 0.3), (3, "c", 0, 0.49999, 0.3)]))
    filter_square(db_dsn)
    assert {i: r["class"] for i, r in points(db_dsn).items()} == {1: "urban", 2: "urban", 3: "other"}


def test_every_fourth_point_at_30_m_and_100_m(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    asyncio.run(insert_images(db_dsn, _meridian("s", 100, 13, 30.0)))
    filter_square(db_dsn, spacing_other=100.0)
    assert kept_ids(db_dsn) == {100, 104, 108, 112}


def test_sequence_crossing_the_urban_border_is_thinned_per_class(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    # west to east at 0.5 deg lat: 10 points outside the town, 10 inside, 10 outside again
    step = 0.0045  # ~500 m on the equator-ish square
    lons = [0.455 + k * step for k in range(10)] + [0.5 + 0.002 + k * 0.0009 for k in range(10)] \
        + [0.601 + k * step for k in range(10)]
    rows = [(k, "x", k, lon, 0.5) for k, lon in enumerate(lons)]
    asyncio.run(insert_images(db_dsn, rows))
    filter_square(db_dsn, spacing_urban=300.0, spacing_other=1000.0)
    classes = {i: r["class"] for i, r in points(db_dsn).items()}
    assert [classes[k] for k in range(30)] == ["other"] * 10 + ["urban"] * 10 + ["other"] * 10
    # urban walk: ~100 m steps (0.0009 deg) -> first, then every 3rd (sum reaches 300 m at the 3rd step)
    # other walk: ~500 m steps -> every 2nd; the jump over the town (~5.5 km) keeps point 10's successor
    kept = kept_ids(db_dsn)
    assert {k for k in kept if 10 <= k < 20} == {10, 13, 16, 19}
    assert {k for k in kept if k < 10} == {0, 2, 4, 6, 8}
    assert {k for k in kept if k >= 20} == {20, 22, 24, 26, 28}


def test_one_image_sequence_is_kept_without_a_line(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    asyncio.run(insert_images(db_dsn, [(1, "solo", 0, 0.2, 0.2)]))
    filter_square(db_dsn)
    assert kept_ids(db_dsn) == {1}
    line = asyncio.run(fetch(db_dsn, "SELECT * FROM filter_sequence_lines WHERE result_name = 'r1'"))[0]
    assert line["geom"] is None and line["image_count"] == 1 and line["kept_count"] == 1


def test_capture_order_not_insert_or_id_order_and_ties_by_id(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    # ids do not follow capture time; walk order by time: 30, 10, 20, 50, 40 (40 and 50 tie: id order)
    pts = {30: (0, 0), 10: (1, 60), 20: (2, 120), 40: (3, 180), 50: (3, 240)}
    rows = [(i, "s", t, 0.3, 0.1 + m * LAT_DEG_PER_M) for i, (t, m) in pts.items()]
    asyncio.run(insert_images(db_dsn, list(reversed(rows))))
    filter_square(db_dsn, spacing_other=100.0)
    # walk 30 (0 m) -> 10 (60) -> 20 (120: sum 120 keep) -> 40 (180: 60) -> 50 (240: 120 keep)
    assert kept_ids(db_dsn) == {30, 20, 50}


def test_duplicates_point_to_the_lowest_id_and_are_never_kept(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    rows = [(5, "s", 0, 0.3, 0.3), (3, "s", 0, 0.3, 0.3), (9, "s", 0, 0.3, 0.3),  # one image uploaded thrice
            (4, "s", 0, 0.3, 0.3005),                                         # same time, other place
            (7, "s", 10, 0.3, 0.31)]
    asyncio.run(insert_images(db_dsn, rows))
    filter_square(db_dsn, spacing_other=1.0)
    got = points(db_dsn)
    assert {i: r["duplicate_of"] for i, r in got.items()} == {3: None, 4: None, 5: 3, 7: None, 9: 3}
    assert kept_ids(db_dsn) == {3, 4, 7}
    line = asyncio.run(fetch(db_dsn, "SELECT * FROM filter_sequence_lines WHERE result_name = 'r1'"))[0]
    assert (line["image_count"], line["duplicate_count"]) == (3, 2)


def test_straight_mode_measures_from_the_last_kept_point(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    # a zig-zag: path sum grows fast, straight distance stays ~0 then jumps to 150 m
    metres = [0, 60, 0, 60, 0, 150, 150]
    rows = [(k, "z", k, 0.3, 0.1 + m * LAT_DEG_PER_M) for k, m in enumerate(metres)]
    asyncio.run(insert_images(db_dsn, rows))
    filter_square(db_dsn, name="path", spacing_other=100.0)
    filter_square(db_dsn, name="straight", spacing_other=100.0, spacing_mode="straight")
    assert kept_ids(db_dsn, "path") == {0, 2, 4, 5}       # sums 60,120 | 60,120 | 150
    assert kept_ids(db_dsn, "straight") == {0, 5}


def test_deleted_images_are_ignored(db_dsn: str, tmp_path: Path) -> None:
    setup_square_world(db_dsn, tmp_path)
    asyncio.run(insert_images(db_dsn, [(1, "s", 0, 0.3, 0.3), (2, "s", 1, 0.3, 0.4)]))
    asyncio.run(fetch(db_dsn, "UPDATE images SET deleted_at = now() WHERE id = 2"))
    filter_square(db_dsn)
    assert set(points(db_dsn)) == {1}
