-- Synthetic images for benchmarks: sequences over Europe's bounding box
-- (lat 35.8-71.2, lon -26.0-44.8), deterministic for a given seed.
-- $1 first sequence number, $2 number of sequences, $3 urban layer id (city centres),
-- $4 seed in [-1, 1].  60 % of sequences start near a city centre of the urban layer
-- (Natural Earth urban areas inside the box), 40 % anywhere in the box (sea included, so
-- that the clip has work); 20-180 images each, 2-15 m apart along a gentle curve,
-- 2 s apart in time. Attributes for the curation benchmark, from the sequence and image
-- numbers (no random() call, so positions and times do not depend on them): one sequence
-- in ten is a panorama (camera spherical), one fisheye, one of unknown camera type, the
-- rest perspective; quality_score runs over 0.000-0.999, one image in 50 unknown.
WITH seed AS (SELECT setseed($4::float8)),
cities AS (
    SELECT array_agg(ST_Y(c) ORDER BY f.id) AS lats, array_agg(ST_X(c) ORDER BY f.id) AS lons
    FROM boundary_features f, LATERAL ST_PointOnSurface(f.geom) c
    WHERE f.layer_id = $3 AND ST_Y(c) BETWEEN 35.8 AND 71.2 AND ST_X(c) BETWEEN -26.0 AND 44.8
),
seqs AS (
    SELECT s, (SELECT 1 FROM seed) AS _seed, random() AS r_kind, random() AS r_city,
           random() AS r_lat, random() AS r_lon, random() * 2 * pi() AS heading,
           (random() - 0.5) * 0.02 AS curve, 2 + random() * 13 AS step_m,
           20 + floor(random() * 161)::int AS n
    FROM generate_series($1::bigint, $1::bigint + $2 - 1) AS s
),
starts AS (
    SELECT s, heading, curve, step_m, n,
           CASE WHEN r_kind < 0.6 THEN c.lats[1 + floor(r_city * cardinality(c.lats))::int] + (r_lat - 0.5) * 0.1
                ELSE 35.8 + r_lat * 35.4 END AS lat0,
           CASE WHEN r_kind < 0.6 THEN c.lons[1 + floor(r_city * cardinality(c.lons))::int] + (r_lon - 0.5) * 0.15
                ELSE -26.0 + r_lon * 70.8 END AS lon0
    FROM seqs, cities c
)
INSERT INTO images (id, sequence_id, captured_at, geom, is_pano, camera_type, quality_score)
SELECT s * 1000 + k,
       'seq' || lpad(s::text, 9, '0'),
       timestamptz '2020-01-01 00:00:00+00' + make_interval(secs => s * 1000 + k * 2),
       ST_SetSRID(ST_MakePoint(
           lon0 + k * step_m * sin(heading + k * curve) / (111320 * cos(radians(lat0))),
           lat0 + k * step_m * cos(heading + k * curve) / 110540), 4326),
       s % 10 = 0,
       CASE s % 10 WHEN 0 THEN 'spherical' WHEN 1 THEN 'fisheye' WHEN 2 THEN NULL ELSE 'perspective' END,
       CASE WHEN (s * 31 + k) % 50 = 0 THEN NULL ELSE (((s * 7919 + k * 104729) % 1000) / 1000.0)::real END
FROM starts, generate_series(0, n - 1) AS k;
