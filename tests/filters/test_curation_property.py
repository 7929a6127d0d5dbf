"""Property: curation in SQL (thinning rounds over the pairs of one spatial join, then caps
per cell of the equal-area grid), as `mlyetl filter` runs it, keeps exactly the images and
cell ids of the sequential Python rules (etl/filters/curation_reference.py), with ties of
capture time and quality, chains of images each within M of the next, distances of exactly
M, neighbours in different sequences, buckets and grid cells, and every priority."""

from __future__ import annotations

import asyncio

import asyncpg

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.filters.curation_params import CurationParams
from etl.filters.curation_reference import curate
from etl.results_admin import drop_result
from tests.filters.curation_helpers import at, candidates, insert_rows
from tests.filters.helpers import LAT_DEG_PER_M, fetch, filter_square, setup_square_world

M = 40.0  # metres, both classes (other: scaled below)
# steps along a chain, in units of M: under, at and over the distance
STEP = st.sampled_from([0.0, 0.3, 0.5, 0.9, 0.999, 1.0, 1.001, 1.5, 2.2])
POINT = st.tuples(st.integers(0, 3),  # chain
                  STEP, st.sampled_from([0.0, 0.4, 1.0]),  # step north, step east (in M)
                  st.integers(0, 3),  # capture time (ties)
                  st.sampled_from([None, 0.2, 0.5, 0.5, 0.9]))  # quality (ties, unknown)
# chain origins: other class (lon 0.3) and urban (lon 0.55, inside the town 0.5-0.6)
ORIGINS = [(0.3, 0.2), (0.3, 0.2 + 3 * M * LAT_DEG_PER_M), (0.55, 0.2), (0.55, 0.2005)]


def _rows(raw: list) -> list[dict]:
    rows, ends = [], {}
    for k, (chain, north, east, t, quality) in enumerate(raw):
        lon, lat = ends.get(chain, ORIGINS[chain])
        lat += north * M * LAT_DEG_PER_M
        lon += east * M * LAT_DEG_PER_M * 1.02  # a little more than M east (longitudes shrink)
        ends[chain] = (lon, lat)
        # ids not in capture order; each image its own sequence (spacing keeps it), so that
        # neighbours lie in different sequences and buckets
        rows.append({"id": 5000 - 7 * k, "lon": lon, "lat": lat, "at": at(t * 60), "quality": quality})
    return rows


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.lists(POINT, min_size=1, max_size=30),
       priority=st.sampled_from(["newest", "oldest", "quality", "random"]),
       seed=st.integers(0, 5),
       other_factor=st.sampled_from([0.0, 1.0, 2.5]),
       cap=st.sampled_from([None, 1, 2]),
       cell=st.sampled_from([None, 50.0, 120.0]),
       jobs=st.sampled_from([1, 3]))
def test_sql_curation_equals_python_reference(db_dsn: str, tmp_path_factory, raw: list, priority: str,  # noqa: ANN001
                                              seed: int, other_factor: float, cap, cell, jobs: int) -> None:  # noqa: ANN001
    name = "prop"
    if not asyncio.run(fetch(db_dsn, "SELECT 1 FROM boundary_layers WHERE name = 'square'")):
        setup_square_world(db_dsn, tmp_path_factory.mktemp("world"))
    asyncio.run(fetch(db_dsn, "TRUNCATE images"))
    rows = _rows(raw)
    insert_rows(db_dsn, rows)
    curation = CurationParams(min_distance_urban=M, min_distance_other=M * other_factor, priority=priority,
                              seed=seed if priority == "random" else None, max_per_cell=cap, cell_size=cell)
    filter_square(db_dsn, name=name, jobs=jobs, spacing_urban=0.0, spacing_other=0.0, curation=curation)
    got = {r["image_id"]: r["cell_id"] for r in asyncio.run(
        fetch(db_dsn, "SELECT image_id, cell_id FROM filter_points WHERE result_name = $1", name))}
    expected = curate(candidates(rows, lambda lon: 0.5 <= lon <= 0.6), distance_urban=M,
                      distance_other=M * other_factor, priority=priority, seed=seed, max_per_cell=cap, cell_size=cell)
    asyncio.run(_drop(db_dsn, name))
    assert got == expected


async def _drop(dsn: str, name: str) -> None:
    conn = await asyncpg.connect(dsn)
    try:
        await drop_result(conn, name)
    finally:
        await conn.close()
