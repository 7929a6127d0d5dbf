-- The clipped images of a result inside the given level-12 map cells (those with few
-- images; see result_bins.sql), found through the images' spatial index (a box per cell),
-- clipped and classified as result_clipped.sql does, with what a click on the map shows:
-- the attributes (a kept image's as its result stored them, as export presents them), the
-- image it duplicates (the lowest id of the same sequence, capture time and position) and
-- the path of a downloaded picture (the smallest size there is).
-- $1..$6 as in result_clipped.sql, $7 level shift (12 - level), $8 / $9 the cells' x / y,
-- $10..$13 their west, south, east, north
WITH cells AS (
    SELECT * FROM unnest($8::int[], $9::int[], $10::float8[], $11::float8[], $12::float8[], $13::float8[])
                  AS c (cx, cy, w, s, e, n)
),
p AS (
    SELECT i.*, coalesce(u.covered OR ST_Intersects(u.geom, i.geom), false) AS urban,
           -- the lowest id of the same sequence, capture time and position: such images are
           -- in the same cell and clipped alike, so they are all rows of p
           min(i.id) OVER (PARTITION BY i.sequence_id, i.captured_at, ST_X(i.geom), ST_Y(i.geom)) AS first_id
    FROM cells
    JOIN images i ON i.geom && ST_MakeEnvelope(cells.w, cells.s, cells.e, cells.n, 4326)
    JOIN boundary_cells c ON c.layer_id = $2 AND c.cell = mlyetl_grid_cell(ST_X(i.geom), ST_Y(i.geom), $4)
    LEFT JOIN boundary_cells u ON u.layer_id = $3 AND u.cell = mlyetl_grid_cell(ST_X(i.geom), ST_Y(i.geom), $5)
    WHERE i.deleted_at IS NULL
      AND (c.covered OR ST_Intersects(c.geom, i.geom))
      AND ($6::text IS NULL OR NOT EXISTS (SELECT 1 FROM filter_points e WHERE e.result_name = $6 AND e.image_id = i.id))
      AND least(greatest(floor((ST_X(i.geom) + 180.0) / 360.0 * 131072), 0), 131071)::int >> $7 = cells.cx
      AND least(greatest(floor((1 - ln(tan(pi() / 4 + radians(least(greatest(ST_Y(i.geom), -85.0511), 85.0511)) / 2))
                                / pi()) / 2 * 131072), 0), 131071)::int >> $7 = cells.cy
)
SELECT p.id AS image_id, p.sequence_id, extract(epoch FROM p.captured_at)::bigint AS captured,
       CASE WHEN p.urban THEN 'urban' ELSE 'other' END AS class, fp.image_id IS NOT NULL AS kept,
       CASE WHEN fp.image_id IS NULL AND p.first_id < p.id THEN p.first_id END AS duplicate_of,
       ST_X(p.geom) AS lon, ST_Y(p.geom) AS lat,
       coalesce(fp.compass_angle, CASE WHEN p.geom_is_computed THEN coalesce(p.computed_compass_angle, p.compass_angle)
                                       ELSE p.compass_angle END) AS compass_angle,
       coalesce(fp.altitude, CASE WHEN p.geom_is_computed THEN coalesce(p.computed_altitude, p.altitude)
                                  ELSE p.altitude END) AS altitude,
       coalesce(fp.is_pano, p.is_pano) AS is_pano, coalesce(fp.width, p.width) AS width,
       coalesce(fp.height, p.height) AS height, coalesce(fp.make, p.make) AS make,
       coalesce(fp.model, p.model) AS model, coalesce(fp.creator_username, p.creator_username) AS creator_username,
       pic.path AS picture
FROM p
LEFT JOIN filter_points fp ON fp.result_name = $1 AND fp.image_id = p.id AND fp.sequence_id = p.sequence_id
LEFT JOIN LATERAL (
    SELECT d.path FROM image_downloads d
    WHERE d.image_id = p.id AND d.state = 'done' AND d.path IS NOT NULL
    ORDER BY CASE d.size WHEN '256' THEN 0 WHEN '1024' THEN 1 WHEN '2048' THEN 2 ELSE 3 END
    LIMIT 1
) pic ON true
ORDER BY p.id;  -- the same report from any server (Citus returns the shards' rows in any order)
