-- Curation, step 2: every pair of candidates of one class closer than that class's
-- distance (haversine < $1 urban, $2 other metres; mlyetl_haversine_m, R = 6371 km, the
-- spacing's metric), as (a, b) with a first in priority order, in {pairs}. One hash join
-- over the whole result, so no tile border can hide a pair: each candidate is keyed by its
-- cell of a grid whose rows (bands) are c = d / R high (in degrees, widened by 1e-9) and
-- whose columns are, in each band, at least as wide as any pair closer than d reaching
-- into that band can differ in longitude (mlyetl_thin_width: hav(dlon) <= hav(d / R) /
-- (cos lat_a * cos lat_b)); every band near a pole is one column. Two candidates closer
-- than d therefore lie in the same band or in neighbouring ones, and in that band's grid
-- (the upper one's, for neighbouring bands) their columns differ by at most one. Each
-- candidate probes half of that neighbourhood, the cells after its own: its own cell and
-- the next column of its band, and the three columns of the band above around its
-- longitude (measured in that band's columns); of any two such neighbours, one finds the
-- other (candidates of one cell find each other twice: one pair is kept). Near the
-- antimeridian a candidate also probes all nine cells around its position 360 degrees
-- over, so that images on both sides of it pair up. The haversine of the original
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
widths AS MATERIALIZED (  -- one row per band (and class) in use or next to one: the trigonometry once each
    SELECT DISTINCT b.band + r.dr AS band, b.urban, mlyetl_thin_width(b.band + r.dr, b.c, b.dist) AS w
    FROM (SELECT DISTINCT band, urban, c, dist FROM cand) b
    CROSS JOIN (VALUES (-1), (0), (1)) r(dr)
),
cells AS MATERIALIZED (
    SELECT a.id, a.urban, a.rank, a.lon, a.lat, a.band, floor(a.lon / w.w)::bigint AS col
    FROM cand a JOIN widths w ON w.band = a.band AND w.urban = a.urban
),
probes AS (
    SELECT a.id, a.urban, a.rank, a.lon, a.lat, a.dist, p.band, p.col
    FROM cand a
    JOIN widths w ON w.band = a.band AND w.urban = a.urban
    JOIN widths u ON u.band = a.band + 1 AND u.urban = a.urban
    CROSS JOIN LATERAL (VALUES (a.band, floor(a.lon / w.w)::bigint),
                               (a.band, floor(a.lon / w.w)::bigint + 1),
                               (a.band + 1, floor(a.lon / u.w)::bigint - 1),
                               (a.band + 1, floor(a.lon / u.w)::bigint),
                               (a.band + 1, floor(a.lon / u.w)::bigint + 1)) p(band, col)
    UNION ALL
    SELECT a.id, a.urban, a.rank, a.lon, a.lat, a.dist, w.band, floor((a.lon + s.shift) / w.w)::bigint + k.dc
    FROM cand a
    CROSS JOIN (VALUES (-1), (0), (1)) r(dr)
    JOIN widths w ON w.band = a.band + r.dr AND w.urban = a.urban
    CROSS JOIN (VALUES (-360.0::float8), (360.0::float8)) s(shift)
    CROSS JOIN (VALUES (-1), (0), (1)) k(dc)
    WHERE abs(a.lon) >= 180.0::float8 - (SELECT max(w) FROM widths)  -- near the antimeridian
      AND a.lon + s.shift BETWEEN -180.0::float8 - w.w AND 180.0::float8 + w.w
)
SELECT DISTINCT CASE WHEN p.rank < b.rank THEN p.id ELSE b.id END AS a,
                CASE WHEN p.rank < b.rank THEN b.id ELSE p.id END AS b
FROM probes p
JOIN cells b ON b.band = p.band AND b.col = p.col AND b.urban = p.urban
WHERE b.id <> p.id AND mlyetl_haversine_m(p.lat, p.lon, b.lat, b.lon) < p.dist;
