-- Curation, step 2: every pair of candidates of one class closer than that class's
-- distance (haversine < $1 urban, $2 other metres; mlyetl_haversine_m, R = 6371 km, the
-- spacing's metric), as (a, b) with a first in priority order, in {pairs}. One spatial join
-- over the whole result (GiST on {thin}), so no tile border exists to miss a pair.
-- The search box around `a` is exact for the sphere, then widened by a relative 1e-9:
-- |dlat| <= d / R, and hav(dlon) <= hav(d / R) / (cos lat_a * cos lat_b) with
-- |lat_b| <= |lat_a| + d / R; where that reaches 180 degrees the box spans every longitude.
-- A box that crosses the antimeridian is also searched 360 degrees over, so that images on
-- both sides of it pair up (the haversine of the original coordinates decides).
CREATE UNLOGGED TABLE {pairs} AS
WITH boxes AS (
    SELECT a.id, a.urban, a.rank, a.lon, a.lat, a.geom, m.dist, m.dlat,
           CASE WHEN h.s >= 1.0 THEN 360.0 ELSE degrees(2.0 * asin(h.s)) * (1.0 + 1e-9) + 1e-9 END AS dlon
    FROM {thin} a
    CROSS JOIN LATERAL (SELECT CASE WHEN a.urban THEN $1::float8 ELSE $2::float8 END AS dist) d
    CROSS JOIN LATERAL (SELECT d.dist, degrees(d.dist / 6371000.0) * (1.0 + 1e-9) + 1e-9 AS dlat) m
    CROSS JOIN LATERAL (
        SELECT CASE WHEN abs(a.lat) + m.dlat >= 90.0 THEN 1.0
                    ELSE sin(m.dist / 12742000.0) / sqrt(cos(radians(a.lat)) * cos(radians(abs(a.lat) + m.dlat)))
               END AS s) h
    WHERE m.dist > 0
),
probes AS (
    SELECT id, urban, rank, lon, lat, dist, ST_Expand(geom, dlon, dlat) AS box FROM boxes
    UNION ALL
    SELECT id, urban, rank, lon, lat, dist, ST_Expand(ST_Translate(geom, shift, 0), dlon, dlat)
    FROM boxes CROSS JOIN (VALUES (-360.0::float8), (360.0::float8)) s(shift)
    WHERE dlon < 180.0 AND (lon + dlon > 180.0 AND shift < 0 OR lon - dlon < -180.0 AND shift > 0)
)
SELECT p.id AS a, b.id AS b
FROM probes p
JOIN {thin} b ON b.geom && p.box AND b.urban = p.urban AND b.rank > p.rank
WHERE mlyetl_haversine_m(p.lat, p.lon, b.lat, b.lon) < p.dist;
