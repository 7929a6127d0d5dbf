"""Property: both SQL walks (walk_c.sql, the C aggregate of ext/mlyetl_spacing, and
walk_summary.sql over walk_path.sql / walk_straight.sql, the PL/pgSQL fallback), as the
filter runs them, keep exactly the ids that the plain Python rule
(etl/filters/reference.py) keeps and count the same duplicates, on random sequences with
ties, duplicates, both classes and thresholds that consecutive sums may hit exactly; the
two give the same row per sequence (line bytes, counts, kept arrays in order). The C
haversine equals the SQL one bit for bit."""

from __future__ import annotations

import asyncio
from collections import defaultdict

import asyncpg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from etl.filters.reference import haversine_m, keep_path, keep_straight
from etl.filters.results import ResultHandle
from etl.filters.walk_impl import EXTENSION, walk_sql

HANDLE = ResultHandle("prop", 999, True)
STAGE = "prop_stage"
# the test's rows stand in for staged_images.sql, whose parameters $1-$5 they do not need
STAGED = (f"SELECT id, seq_no, captured_at, lon, lat, urban FROM {STAGE} "
          "CROSS JOIN (SELECT $1::integer, $2::integer, $3::float8, $4::float8, $5::text) AS unused")
# a few base positions so that equal positions (duplicates) and zero steps occur often, and
# positions at 1e-9 degree resolution (0.1 mm): real coordinates, no subnormal differences
# (PostgreSQL raises an underflow error on those, Python does not)
COORD = st.sampled_from([0.0, 0.0001, 0.00027, 0.001, 0.0123456789, 0.3]) \
    | st.integers(0, 10_000_000).map(lambda n: n / 1e9)
ROW = st.tuples(st.integers(0, 2), st.booleans(), st.integers(0, 6), COORD, COORD)


def _originals(rows: list[tuple]) -> dict[tuple, int]:
    """(seq, t, lon, lat) -> the lowest id of the rows there."""
    first: dict[tuple, int] = {}
    for r in sorted(rows):
        first.setdefault((r[1], r[3], r[4], r[5]), r[0])
    return first


def _expected_duplicates(rows: list[tuple]) -> dict[int, int]:
    """seq -> how many of its rows are duplicates."""
    first = _originals(rows)
    counts: dict[int, int] = defaultdict(int)
    for r in rows:
        counts[r[1]] += first[(r[1], r[3], r[4], r[5])] != r[0]
    return {seq: n for seq, n in counts.items() if n}


def _expected(rows: list[tuple], urban_t: float, other_t: float, mode: str) -> set[int]:
    """rows: (id, seq, urban, t, lon, lat). De-duplicate, group, order, apply the rule."""
    first = _originals(rows)
    walks: dict[tuple, list] = defaultdict(list)
    for r in rows:
        if first[(r[1], r[3], r[4], r[5])] == r[0]:
            walks[(r[1], r[2])].append(r)
    keep = keep_path if mode == "path" else keep_straight
    kept = set()
    for (_seq, urban), walk in walks.items():
        walk.sort(key=lambda r: (r[3], r[0]))
        flags = keep([(r[5], r[4]) for r in walk], urban_t if urban else other_t)
        kept |= {r[0] for r, k in zip(walk, flags) if k}
    return kept


async def _sql_walk(dsn: str, rows: list[tuple], urban_t: float, other_t: float, mode: str,
                    c_walk: bool) -> dict[int, asyncpg.Record]:
    """The walk table's row of each sequence, from one walk implementation."""
    conn = await asyncpg.connect(dsn)
    try:
        if c_walk:  # `make setup` installs the extension on the test server: it must be there
            await conn.execute(f"CREATE EXTENSION IF NOT EXISTS {EXTENSION}")
            await conn.execute(f"ALTER EXTENSION {EXTENSION} UPDATE")
        await conn.execute(f"DROP TABLE IF EXISTS {STAGE}, {HANDLE.work_table}, {HANDLE.walk_table}")
        await conn.execute(f"CREATE TABLE {STAGE} (id bigint, seq_no int, captured_at timestamptz, "
                           "lon float8, lat float8, urban boolean)")
        await conn.executemany(f"INSERT INTO {STAGE} VALUES ($1, $2, "
                               "timestamptz '2020-01-01' + make_interval(secs => $3), $4, $5, $6)",
                               [(i, s, t, lon, lat, u) for i, s, u, t, lon, lat in rows])
        walk = walk_sql(mode, c_walk, staged=STAGED, walk=HANDLE.walk_table)
        args = [0, 0, 0.0, 0.0, None, urban_t, other_t] + ([mode == "straight"] if c_walk else [])
        await conn.execute(walk, *args)
        return {r["seq_no"]: r for r in await conn.fetch(f"SELECT * FROM {HANDLE.walk_table}")}
    finally:
        await conn.close()


async def _sql_kept(dsn: str, rows: list[tuple], urban_t: float, other_t: float, mode: str) -> set[int]:
    """Both walks must give the same rows and the expected duplicates; returns the kept ids."""
    fallback = await _sql_walk(dsn, rows, urban_t, other_t, mode, c_walk=False)
    c_walk = await _sql_walk(dsn, rows, urban_t, other_t, mode, c_walk=True)
    assert {seq: dict(r) for seq, r in fallback.items()} == {seq: dict(r) for seq, r in c_walk.items()}
    assert {seq: r["duplicate_count"] for seq, r in c_walk.items() if r["duplicate_count"]} == \
        _expected_duplicates(rows)
    kept = [i for r in c_walk.values() for i in r["kept_ids"]]
    assert len(kept) == len(set(kept)) == sum(r["kept_count"] for r in c_walk.values())
    return set(kept)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.lists(ROW, min_size=1, max_size=40),
       urban_t=st.sampled_from([0.0, 11.1, 30.0, 100.0]) | st.floats(0.5, 400),
       other_t=st.sampled_from([0.0, 30.0, 1000.0]) | st.floats(0.5, 1500),
       mode=st.sampled_from(["path", "straight"]))
def test_sql_spacing_equals_python_reference(db_dsn: str, raw: list, urban_t: float, other_t: float,
                                             mode: str) -> None:
    # ids deliberately not in time order; one position is always urban or always other,
    # as it is after classification (a duplicate shares its original's class)
    rows = [(1000 - k * 7, seq, (lon + lat) > 0.005, t, lon, lat) for k, (seq, _u, t, lon, lat) in enumerate(raw)]
    assert asyncio.run(_sql_kept(db_dsn, rows, urban_t, other_t, mode)) == _expected(rows, urban_t, other_t, mode)


def test_exact_threshold_hits_agree(db_dsn: str) -> None:
    """Steps whose running sum lands exactly on the threshold in floating point."""
    step = haversine_m(0.0, 0.0, 0.0001, 0.0)
    rows = [(k, 1, False, k, 0.0, 0.0001 * k) for k in range(12)]
    threshold = step + step + step  # what the walk's running sum computes at the 3rd step
    expected = _expected(rows, threshold, threshold, "path")
    assert asyncio.run(_sql_kept(db_dsn, rows, threshold, threshold, "path")) == expected
    assert 3 in expected


async def _haversines(dsn: str, quads: list[tuple]) -> list[tuple[float, float]]:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(f"CREATE EXTENSION IF NOT EXISTS {EXTENSION}")
        rows = await conn.fetch("SELECT mlyetl_haversine_m(a, b, c, d) AS sql, mlyetl_haversine_m_c(a, b, c, d) AS c "
                                "FROM unnest($1::float8[], $2::float8[], $3::float8[], $4::float8[]) AS q(a, b, c, d)",
                                *[list(col) for col in zip(*quads)])
        return [(r["sql"], r["c"]) for r in rows]
    finally:
        await conn.close()


# real coordinates at 1e-9 degree resolution (PostgreSQL raises underflow errors on tiny
# differences that Python and C compute silently)
LAT = st.integers(-89_900_000_000, 89_900_000_000).map(lambda n: n / 1e9)
LON = st.integers(-180_000_000_000, 180_000_000_000).map(lambda n: n / 1e9)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(quads=st.lists(st.tuples(LAT, LON, LAT, LON) | st.tuples(LAT, LON).map(lambda p: (p[0], p[1], p[0] + 1e-4,
                                                                                           p[1] - 3e-5)),
                      min_size=1, max_size=50))
def test_c_haversine_equals_sql_and_python_bit_for_bit(db_dsn: str, quads: list[tuple]) -> None:
    for (sql, c), quad in zip(asyncio.run(_haversines(db_dsn, quads)), quads):
        assert c == sql == haversine_m(*quad), quad
