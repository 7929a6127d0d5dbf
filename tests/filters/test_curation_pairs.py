"""The neighbour pairs of thinning (sql/filters/curate_pairs.sql) are exactly the pairs of
candidates of one class closer than the class's distance, as a comparison of every pair
with every other computes them: around the equator, the borders of the grid's zones in
both hemispheres, the poles and the antimeridian, for distances that give zones of many
bands and of one."""

from __future__ import annotations

import asyncio
import math
import random

import asyncpg
import pytest

from etl.paths import sql_text

R = 6371000.0


def _zone_border_latitudes(dist: float) -> list[float]:
    """Latitudes where the SQL's zones of bands meet (its band height c and k bands a zone)."""
    c = math.degrees(dist / R) * (1.0 + 1e-9) + 1e-9
    k = max(1, math.floor(0.1 / c))
    return [z * k * c for z in (1, 7, 400, -1, -7, -400) if abs(z * k * c) < 89.0]


def _candidates(dist_urban: float, dist_other: float, seed: int) -> list[tuple]:
    """(id, urban, rank, lon, lat): clusters of candidates a few distances wide around places
    where the grid has its edge cases; ranks a random order per class."""
    rnd = random.Random(seed)
    centres = [(0.0, 0.0), (13.4, 52.5), (-73.99, -40.73), (180.0, 0.3), (-180.0, -60.0), (179.9999, 45.0),
               (0.0, 90.0), (100.0, -90.0), (45.0, 89.9995), (-120.0, -89.999)]
    for dist in (dist_urban, dist_other):
        centres += [(rnd.uniform(-180.0, 180.0), lat) for lat in _zone_border_latitudes(dist)] if dist > 0 else []
    rows = []
    for lon0, lat0 in centres:
        for urban, dist in ((True, dist_urban), (False, dist_other)):
            span = max(dist, 1.0) * 2.5 / 111195.0  # degrees of latitude
            for _ in range(14):
                lat = max(-90.0, min(90.0, lat0 + rnd.uniform(-span, span)))
                widen = 1.0 / max(math.cos(math.radians(lat)), 1e-3)
                lon = lon0 + rnd.uniform(-span, span) * min(widen, 400.0)
                lon = (lon + 180.0) % 360.0 - 180.0 if abs(lon) > 180.0 else lon
                rows.append((len(rows) + 1, urban, lon, lat))
    ranked = []
    for urban in (True, False):
        ids = [r for r in rows if r[1] is urban]
        rnd.shuffle(ids)
        ranked += [(r[0], r[1], rank, r[2], r[3]) for rank, r in enumerate(ids, start=1)]
    return ranked


async def _pairs(dsn: str, rows: list[tuple], dist_urban: float, dist_other: float) -> tuple[set, set]:
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute("CREATE TABLE t_thin (id bigint, urban boolean, rank bigint, lon float8, lat float8)")
        await conn.copy_records_to_table("t_thin", records=rows)
        await conn.execute(sql_text("filters/curate_pairs.sql").format(thin="t_thin", pairs="t_pairs"),
                           dist_urban, dist_other)
        got = {(r["a"], r["b"]) for r in await conn.fetch("SELECT a, b FROM t_pairs")}
        every = await conn.fetch(
            "SELECT CASE WHEN p.rank < q.rank THEN p.id ELSE q.id END AS a, "
            "       CASE WHEN p.rank < q.rank THEN q.id ELSE p.id END AS b "
            "FROM t_thin p JOIN t_thin q ON q.urban = p.urban AND q.id > p.id "
            "WHERE mlyetl_haversine_m(p.lat, p.lon, q.lat, q.lon) < CASE WHEN p.urban THEN $1::float8 ELSE $2::float8 END",
            dist_urban, dist_other)
        return got, {(r["a"], r["b"]) for r in every}
    finally:
        await conn.close()


@pytest.mark.parametrize(("dist_urban", "dist_other", "seed"),
                         [(50.0, 300.0, 1), (50.0, 300.0, 2), (25_000.0, 7.5, 3), (0.0, 1.0, 4)])
def test_pairs_are_every_pair_closer_than_the_distance(db_dsn: str, dist_urban: float, dist_other: float,
                                                       seed: int) -> None:
    rows = _candidates(dist_urban, dist_other, seed)
    got, expected = asyncio.run(_pairs(db_dsn, rows, dist_urban, dist_other))
    assert len(expected) > 50  # the clusters are dense enough to pair up, everywhere
    assert got == expected
