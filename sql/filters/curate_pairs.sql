-- Curation, step 2: every pair of candidates of one class closer than that class's
-- distance (haversine < $1 urban, $2 other metres; mlyetl_haversine_m, R = 6371 km, the
-- spacing's metric), as (a, b) with a first in priority order, in {pairs}. One hash join
-- over the whole result, so no tile border can hide a pair: each candidate is keyed by its
-- cell of a grid whose rows are c = d / R high (in degrees, widened by 1e-9) and whose
-- columns are, in each row, at least as wide as any pair closer than d reaching into that
-- row can differ in longitude (mlyetl_thin_width: hav(dlon) <= hav(d / R) / (cos lat_a *
-- cos lat_b)); every row near a pole is one column. A neighbour of `a` therefore lies in
-- one of the 3 x 3 cells around a's position (bands a.band - 1 .. a.band + 1, in each the
-- columns next to a's longitude); near the antimeridian a's position is also probed 360
-- degrees over, so that images on both sides of it pair up. The haversine of the original
-- coordinates decides.
CREATE UNLOGGED TABLE {pairs} AS
WITH cand AS MATERIALIZED (
    SELECT t.id, t.urban, t.rank, t.lon, t.lat, d.dist, d.c, floor(t.lat / d.c)::bigint AS band
    FROM {thin} t
    CROSS JOIN LATERAL (SELECT CASE WHEN t.urban THEN $1::float8 ELSE $2::float8 END AS dist) m
    CROSS JOIN LATERAL (SELECT m.dist, degrees(m.dist / 6371000.0::float8) * (1.0::float8 + 1e-9::float8)
                               + 1e-9::float8 AS c) d
    WHERE d.dist > 0
),
widths AS MATERIALIZED (  -- one row per band (and class) in use: the trigonometry once each
    SELECT band, urban, mlyetl_thin_width(band, c, dist) AS w
    FROM (SELECT DISTINCT a.band + r.dr AS band, a.urban, a.c, a.dist
          FROM cand a CROSS JOIN (VALUES (-1), (0), (1)) r(dr)) b
),
cells AS (
    SELECT a.id, a.urban, a.rank, a.lon, a.lat, a.band, floor(a.lon / w.w)::bigint AS col
    FROM cand a JOIN widths w ON w.band = a.band AND w.urban = a.urban
),
probes AS (
    SELECT a.id, a.urban, a.rank, a.lon, a.lat, a.dist, w.band, floor((a.lon + s.shift) / w.w)::bigint + k.dc AS col
    FROM cand a
    CROSS JOIN (VALUES (-1), (0), (1)) r(dr)
    JOIN widths w ON w.band = a.band + r.dr AND w.urban = a.urban
    CROSS JOIN (VALUES (-360.0::float8), (0.0::float8), (360.0::float8)) s(shift)
    CROSS JOIN (VALUES (-1), (0), (1)) k(dc)
    WHERE a.lon + s.shift BETWEEN -180.0 - w.w AND 180.0 + w.w
)
SELECT DISTINCT p.id AS a, b.id AS b
FROM probes p
JOIN cells b ON b.band = p.band AND b.col = p.col AND b.urban = p.urban
WHERE b.rank > p.rank AND mlyetl_haversine_m(p.lat, p.lon, b.lat, b.lon) < p.dist;
