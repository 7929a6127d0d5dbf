"""A result's first computation with attribute filters, on a single server with change
stamps and two or more connections, is staged
(etl/filters/staged_walk.py: the images split by block ranges among the connections, in
one snapshot, then walked per bucket); it must give exactly what the one-pass form
(walk_fresh_c.sql, used where image rows are signed) gives, whatever the number of
connections, attribute filters and daylight included."""

from __future__ import annotations

import asyncio
from pathlib import Path

from etl.filters import staged_walk
from etl.filters.curation_params import CurationParams
from tests.filters.curation_helpers import at, insert_rows
from tests.filters.helpers import LAT_DEG_PER_M, fetch, filter_square, points, setup_square_world

CAMERAS = ("perspective", "fisheye", "spherical", None)


def test_shares_cover_the_table_with_stripes_dealt_in_rounds() -> None:
    for blocks, connections in ((0, 1), (1, 2), (10, 2), (1000, 3)):
        shares = staged_walk.shares(blocks, connections)
        stripes = sorted(s for share in shares for s in share)
        assert stripes[0][0] == 0 and stripes[-1][1] == staged_walk.LAST_BLOCK
        assert all(a[1] == b[0] for a, b in zip(stripes, stripes[1:]))  # no gap, no overlap
        assert len(shares) == connections
        if blocks >= 2 * connections * staged_walk.STRIPES_PER_CONNECTION:
            # each connection reads from the first and the last half of the table, and the
            # first connection's stripes are the first and the last (every other round backwards)
            assert all(share[0][0] < blocks // 2 <= share[-1][0] for share in shares)
            assert shares[0][0] == stripes[0] and shares[0][-1] == stripes[-1]


def _world(dsn: str, tmp_path: Path) -> None:
    """14 sequences of 60 images over ~1.5 days (day and night), every attribute varied;
    s13 lies outside the continent (no image staged: its signature is stored all the same)."""
    setup_square_world(dsn, tmp_path)
    rows = []
    for s in range(14):
        lon = 1.5 if s == 13 else (0.55 if s % 3 == 0 else 0.2 + 0.01 * s)
        for k in range(60):
            n = s * 100 + k
            rows.append({"id": n, "seq": f"s{s:02d}", "at": at(s * 9000 + k * 40.0 * (1 + s % 2)),
                         "lon": lon + 0.0001 * (k % 5), "lat": 0.1 + k * 35.0 * LAT_DEG_PER_M,
                         "pano": n % 7 == 0, "camera": CAMERAS[n % 4], "quality": None if n % 11 == 0 else (n % 10) / 10})
    insert_rows(dsn, rows)


def _disable_stamps(dsn: str) -> None:
    for name in ("insert", "update", "delete", "truncate"):
        asyncio.run(fetch(dsn, f"ALTER TABLE images DISABLE TRIGGER images_stamp_{name}"))


def _lines(dsn: str, name: str) -> dict:
    rows = asyncio.run(fetch(dsn, "SELECT sequence_id, ST_AsText(geom) AS line, image_count, urban_count, other_count, "
                                  "kept_count, kept_urban_count, kept_other_count, duplicate_count "
                                  "FROM filter_sequence_lines WHERE result_name = $1", name))
    return {r["sequence_id"]: tuple(r) for r in rows}


def _signed(dsn: str, name: str) -> set[str]:
    rows = asyncio.run(fetch(dsn, "SELECT sequence_id FROM filter_sequences WHERE result_name = $1", name))
    return {r["sequence_id"] for r in rows}


def test_a_staged_first_computation_equals_the_one_pass_form(db_dsn: str, tmp_path: Path) -> None:
    _world(db_dsn, tmp_path)
    curation = CurationParams(captured_after=at(3000), pano="exclude", camera_types=("perspective", "fisheye"),
                              min_quality=0.2, daylight=True)
    for jobs in (2, 3):
        staged = filter_square(db_dsn, name=f"staged{jobs}", jobs=jobs, spacing_urban=60.0, spacing_other=90.0,
                               curation=curation)
        assert (staged.counts["staged_walk"], staged.counts["change_detection"]) == (True, "stamps")
        again = filter_square(db_dsn, name=f"staged{jobs}", jobs=jobs, spacing_urban=60.0, spacing_other=90.0,
                              curation=curation)
        assert again.counts["recomputed_sequences"] == 0  # the signatures stored are the current ones
    # without attribute filters (most images would be staged), or with one connection: one pass
    assert not filter_square(db_dsn, name="plain", jobs=2, spacing_urban=60.0).counts["staged_walk"]
    assert not filter_square(db_dsn, name="single", jobs=1, spacing_urban=60.0, spacing_other=90.0,
                             curation=curation).counts["staged_walk"]
    _disable_stamps(db_dsn)  # image rows are signed: the one-pass form runs
    one_pass = filter_square(db_dsn, name="one_pass", spacing_urban=60.0, spacing_other=90.0, curation=curation)
    assert (one_pass.counts["staged_walk"], one_pass.counts["change_detection"]) == (False, "rows")
    expected = {i: (r["class"], r["kept"], r["duplicate_of"]) for i, r in points(db_dsn, "one_pass").items()}
    assert 0 < sum(kept for _, kept, _ in expected.values()) < len(expected)  # the filters and spacing bite
    assert {r["class"] for r in points(db_dsn, "one_pass").values()} == {"urban", "other"}
    for jobs in (2, 3):
        name = f"staged{jobs}"
        assert {i: (r["class"], r["kept"], r["duplicate_of"]) for i, r in points(db_dsn, name).items()} == expected
        assert _lines(db_dsn, name) == _lines(db_dsn, "one_pass")
        assert _signed(db_dsn, name) == _signed(db_dsn, "one_pass") == {f"s{s:02d}" for s in range(14)}
