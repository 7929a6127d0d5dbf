"""--daylight's solar position (mlyetl_sun_elevation / mlyetl_daylight, migration 0006)
against the astral library, over places and times from pole to pole and 1990-2040: within
0.5 degree everywhere (the issue's margin: images that close to the horizon may go either
way), the same decision wherever astral puts the sun further than that from the horizon,
and the Python reference (the GeoPandas benchmark's rule) equal to the SQL bit for bit.
The C mlyetl_sun_sine_c of extension mlyetl_spacing (a result's first computation,
walk_fresh_c.sql) returns the SQL mlyetl_sun_sine's float8 bit for bit, NULLs and errors
included, so the C walk and the PL/pgSQL walk keep the same images with --daylight."""

from __future__ import annotations

import asyncio
import logging
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

import asyncpg
import pytest

from astral import Observer
from astral.sun import elevation

from etl.filters.curation_params import CurationParams
from etl.filters.curation_reference import daylight, sun_elevation
from etl.filters.walk_impl import ENV
from tests.filters.curation_helpers import insert_rows
from tests.filters.helpers import fetch, filter_square, kept_ids, setup_square_world


def _samples(n: int) -> list[tuple[datetime, float, float]]:
    rnd = random.Random(16)
    start = datetime(1990, 1, 1, tzinfo=timezone.utc)
    out = []
    for _ in range(n):
        when = start + timedelta(seconds=rnd.randrange(0, 50 * 365 * 86400))
        out.append((when, rnd.uniform(-180.0, 180.0), rnd.uniform(-89.0, 89.0)))
    # sunrise and sunset moments, where the decision is closest to the horizon
    for when, lon, lat in out[:40]:
        for minutes in range(-6, 7, 3):
            out.append((when + timedelta(minutes=minutes), lon, lat))
    return out


def test_sun_elevation_agrees_with_astral(db_dsn: str) -> None:
    samples = _samples(1500)
    rows = asyncio.run(fetch(
        db_dsn, "SELECT n, mlyetl_sun_elevation(t, lon, lat) AS e, mlyetl_daylight(t, lon, lat) AS d "
                "FROM unnest($1::timestamptz[], $2::float8[], $3::float8[]) WITH ORDINALITY AS s(t, lon, lat, n) "
                "ORDER BY n", [s[0] for s in samples], [s[1] for s in samples], [s[2] for s in samples]))
    worst, decided = 0.0, 0
    for (when, lon, lat), row in zip(samples, rows):
        reference = elevation(Observer(lat, lon), when, with_refraction=False)
        worst = max(worst, abs(row["e"] - reference))
        assert row["d"] == (row["e"] > 0)
        if abs(reference) > 0.5:
            assert row["d"] == (reference > 0), (when, lon, lat, row["e"], reference)
            decided += 1
        assert row["e"] == sun_elevation(when, lon, lat) and row["d"] == daylight(when, lon, lat)
    assert worst < 0.5 and decided > 1000


# Inputs of both sun sines, (epoch, lon, lat) from SQL (seeded): random instants of
# 1990-2040 (whole and fractional seconds, and as date_part gives them) all over the globe;
# instants on and beside each table step's rounding boundary and at the table's wrap; the
# poles, the equator, the date line, -0; NULLs, NaN, and instants before the tables' start
# (1900: the SQL subscript is out of range, NULL) and near the largest integer step.
_INPUTS = """
SELECT 631152000.0::float8 + random() * 1577836800.0::float8, random() * 360.0 - 180.0, random() * 180.0 - 90.0
FROM generate_series(1, 250000)
UNION ALL
SELECT date_part('epoch', timestamptz '1990-01-01 00:00:00+00' + random() * interval '50 years'),
       random() * 360.0 - 180.0, random() * 180.0 - 90.0
FROM generate_series(1, 50000)
UNION ALL
SELECT round(631152000.0::float8 + random() * 1577836800.0::float8), round(random() * 360.0 - 180.0),
       round(random() * 180.0 - 90.0)
FROM generate_series(1, 20000)
UNION ALL
SELECT (k + 0.5::float8) * 21599.538726899384::float8 - 2208964608.0::float8 + d, lon, lat
FROM generate_series(102000, 176000, 7) k,
     unnest(ARRAY[-1e-6, -2e-7, 0.0, 2e-7, 1e-6]::float8[]) d,
     (VALUES (0.0::float8, 45.0::float8), (-179.5, -33.3)) p(lon, lat)
UNION ALL
SELECT (1461 * k + j)::float8 * 21599.538726899384::float8 - 2208964608.0::float8, 10.0, 50.0
FROM generate_series(60, 100) k, generate_series(-2, 2) j
UNION ALL
SELECT e, lon, lat
FROM unnest(ARRAY[0.0, -0.0, 946728000.0, 1624000000.123456, -2208964608.0, -2208975407.0,
                  -2208975408.0, -2240000000.0, -3e9, -31557600000.0, 4.6e13, NULL]::float8[]) e,
     unnest(ARRAY[-180.0, -0.0, 0.0, 90.0, 179.999999, 180.0, 540.0, NULL, 'NaN']::float8[]) lon,
     unnest(ARRAY[-90.0, -89.999, -0.0, 0.0, 1e-300, 45.0, 89.999, 90.0, NULL, 'NaN']::float8[]) lat
"""


async def _compare_sines(dsn: str) -> asyncpg.Record:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS mlyetl_spacing")
        await conn.execute("SELECT setseed(0.16)")
        return await conn.fetchrow(
            "SELECT count(*) AS n, count(*) FILTER (WHERE c IS NULL) AS nulls, count(DISTINCT step) AS steps, "
            "count(*) FILTER (WHERE c IS NOT NULL AND c > 0.0) AS day, "
            "count(*) FILTER (WHERE float8send(c) IS DISTINCT FROM float8send(s)) AS bit_mismatches, "
            "count(*) FILTER (WHERE c IS DISTINCT FROM s OR NOT c = s) AS mismatches "
            f"FROM (SELECT mlyetl_sun_sine_c(e, lon, lat) AS c, mlyetl_sun_sine(e, lon, lat) AS s, "
            f"             CASE WHEN e BETWEEN 0 AND 4e12 THEN mlyetl_sun_step(e) END AS step "
            f"      FROM ({_INPUTS}) i(e, lon, lat)) t")
    finally:
        await conn.close()


def test_c_sun_sine_equals_the_sql_one_bit_for_bit(db_dsn: str) -> None:
    got = asyncio.run(_compare_sines(db_dsn))
    assert got["n"] > 400_000 and got["steps"] == 1461  # every table step was read
    assert 0 < got["nulls"] < 10_000 and 100_000 < got["day"] < got["n"] - 100_000
    assert (got["bit_mismatches"], got["mismatches"]) == (0, 0)


async def _outcome(conn: asyncpg.Connection, function: str, args: tuple) -> tuple:
    try:
        value = await conn.fetchval(f"SELECT float8send({function}($1, $2, $3))", *args)
        return ("value", value)
    except asyncpg.PostgresError as error:
        return ("error", type(error).__name__, str(error))


async def _errors_of_both(dsn: str, cases: list[tuple]) -> list[tuple]:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE EXTENSION IF NOT EXISTS mlyetl_spacing")
        return [(args, await _outcome(conn, "mlyetl_sun_sine_c", args), await _outcome(conn, "mlyetl_sun_sine", args))
                for args in cases]
    finally:
        await conn.close()


def test_c_sun_sine_fails_and_returns_null_where_the_sql_one_does(db_dsn: str) -> None:
    inf, nan, tiny = float("inf"), float("nan"), 5e-324
    valid, before_1900 = 1.6e9, -3e9
    cases = [(e, lon, lat) for e in (valid, before_1900, inf, -inf, nan, 1e300, tiny, None)
             for lon in (10.0, inf, -inf, nan, None) for lat in (45.0, inf, nan, tiny, 1e-310, None)]
    outcomes = asyncio.run(_errors_of_both(db_dsn, cases))
    assert [o for o in outcomes if o[1] != o[2]] == []
    kinds = {o[1][0] if o[1][0] == "error" or o[1][1] is not None else "null" for o in outcomes}
    assert kinds == {"value", "error", "null"}  # each kind of outcome was met


def test_daylight_keeps_the_same_images_with_the_c_and_the_plpgsql_walk(
        db_dsn: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    setup_square_world(db_dsn, tmp_path)
    rnd = random.Random(1461)
    rows = []
    for k in range(600):  # one image per sequence, around sunrise and sunset over the square
        day = datetime(2021, 1, 1, tzinfo=timezone.utc) + timedelta(days=rnd.randrange(0, 365))
        hour = rnd.choice((5.5, 17.5)) + rnd.random()
        rows.append({"id": k + 1, "seq": f"s{k}", "lon": rnd.uniform(0.01, 0.99), "lat": rnd.uniform(0.01, 0.99),
                     "at": day + timedelta(hours=hour)})
    insert_rows(db_dsn, rows)
    curation = CurationParams(daylight=True)
    caplog.set_level(logging.INFO, logger="etl.filters")
    monkeypatch.setenv(ENV, "plpgsql")
    fallback = filter_square(db_dsn, name="pl", spacing_other=10.0, curation=curation)
    monkeypatch.setenv(ENV, "c")
    c_walk = filter_square(db_dsn, name="c", spacing_other=10.0, curation=curation)
    assert (fallback.counts["spacing_walk"], c_walk.counts["spacing_walk"]) == ("plpgsql", "c")
    kept = kept_ids(db_dsn, "c")
    assert kept == kept_ids(db_dsn, "pl")
    assert kept == {r["id"] for r in rows if daylight(r["at"], r["lon"], r["lat"])}
    assert 100 < len(kept) < 500  # both decisions were met
