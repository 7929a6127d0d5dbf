-- Curation, step 2: every pair of candidates of one class closer than that class's
-- distance (haversine < $1 urban, $2 other metres; mlyetl_haversine_m, R = 6371 km, the
-- spacing's metric), as (a, b) with a first in priority order, in {pairs}. One hash join
-- over the whole result, so no tile border can hide a pair: each candidate is keyed by its
-- cell of a grid whose rows (bands) are c = d / R high (in degrees, widened by 1e-9) and
-- whose columns are, in each band, at least as wide as any pair closer than d reaching
-- into that band can differ in longitude (mlyetl_thin_width: hav(dlon) <= hav(d / R) /
-- (cos lat_a * cos lat_b)); every band near a pole is one column. The bands come in zones
-- of k bands (about 0.1 degree of latitude; k >= 1), and all bands of a zone take the
-- width of its band farthest from the equator: the width grows with the latitude, so that
-- is wide enough for each of them and hardly wider, and the trigonometry runs once per
-- zone of the globe (a few thousand) instead of once per image. Two candidates closer
-- than d therefore lie in the
-- same band or in neighbouring ones, and in that band's grid (the upper one's, for
-- neighbouring bands) their columns differ by at most one. Each candidate probes half of
-- that neighbourhood, the cells after its own: its own cell and the next column of its
-- band, and the three columns of the band above around its longitude (measured in that
-- band's columns); of any two such neighbours, one finds the other (candidates of one cell
-- find each other twice: one pair is kept). Near the antimeridian a candidate also probes
-- all nine cells around its position 360 degrees over, so that images on both sides of
-- it pair up. The haversine of the original coordinates decides.
CREATE UNLOGGED TABLE {pairs} AS
WITH classes AS MATERIALIZED (  -- per class: distance d, band height c, bands per zone k
    SELECT v.urban, v.dist, e.c, greatest(1.0::float8, floor(0.1::float8 / e.c))::bigint AS k
    FROM (VALUES (true, $1::float8), (false, $2::float8)) v(urban, dist)
    CROSS JOIN LATERAL (SELECT degrees(v.dist / 6371000.0::float8) * (1.0::float8 + 1e-9::float8)
                               + 1e-9::float8 AS c) e
    WHERE v.dist > 0
),
zones AS MATERIALIZED (  -- every zone of the globe (and one beyond each pole), w: its bands' width
    SELECT k.urban, z.zone,
           mlyetl_thin_width(CASE WHEN z.zone >= 0 THEN z.zone * k.k + k.k - 1 ELSE z.zone * k.k END,
                             k.c, k.dist) AS w
    FROM classes k
    CROSS JOIN LATERAL generate_series(floor((floor(-90.0::float8 / k.c) - 1.0::float8) / k.k)::bigint,
                                       floor((floor(90.0::float8 / k.c) + 1.0::float8) / k.k)::bigint) z(zone)
),
cells AS MATERIALIZED (
    SELECT t.id, t.urban, t.rank, t.lon, t.lat, k.dist, k.k, b.band, floor(t.lon / w.w)::bigint AS col,
           w.w, u.w AS up
    FROM {thin} t
    JOIN classes k ON k.urban = t.urban
    CROSS JOIN LATERAL (SELECT floor(t.lat / k.c)::bigint AS band) b
    -- the zones of the band and of the band above (floor division by k)
    JOIN zones w ON w.urban = t.urban
                AND w.zone = CASE WHEN b.band >= 0 THEN b.band / k.k ELSE (b.band + 1) / k.k - 1 END
    JOIN zones u ON u.urban = t.urban
                AND u.zone = CASE WHEN b.band >= -1 THEN (b.band + 1) / k.k ELSE (b.band + 2) / k.k - 1 END
),
probes AS (
    SELECT a.id, a.urban, a.rank, a.lon, a.lat, a.dist, p.band, p.col
    FROM cells a
    CROSS JOIN LATERAL (VALUES (a.band, a.col),
                               (a.band, a.col + 1),
                               (a.band + 1, floor(a.lon / a.up)::bigint - 1),
                               (a.band + 1, floor(a.lon / a.up)::bigint),
                               (a.band + 1, floor(a.lon / a.up)::bigint + 1)) p(band, col)
    UNION ALL
    -- near the antimeridian: a neighbour across it differs in longitude by less than the
    -- width of the candidate's band, measured the short way round
    SELECT a.id, a.urban, a.rank, a.lon, a.lat, a.dist, a.band + r.dr, floor((a.lon + s.shift) / w.w)::bigint + k.dc
    FROM cells a
    CROSS JOIN (VALUES (-1), (0), (1)) r(dr)
    JOIN zones w ON w.urban = a.urban
                AND w.zone = CASE WHEN a.band + r.dr >= 0 THEN (a.band + r.dr) / a.k
                                  ELSE (a.band + r.dr + 1) / a.k - 1 END
    CROSS JOIN (VALUES (-360.0::float8), (360.0::float8)) s(shift)
    CROSS JOIN (VALUES (-1), (0), (1)) k(dc)
    WHERE abs(a.lon) >= 180.0::float8 - greatest(a.w, a.up)
      AND a.lon + s.shift BETWEEN -180.0::float8 - w.w AND 180.0::float8 + w.w
)
SELECT DISTINCT CASE WHEN p.rank < b.rank THEN p.id ELSE b.id END AS a,
                CASE WHEN p.rank < b.rank THEN b.id ELSE p.id END AS b
FROM probes p
JOIN cells b ON b.band = p.band AND b.col = p.col AND b.urban = p.urban
WHERE b.id <> p.id AND mlyetl_haversine_m(p.lat, p.lon, b.lat, b.lon) < p.dist;
