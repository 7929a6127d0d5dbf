-- A subquery of result_bins.sql: a result's clipped images (the rows of the view
-- filter_clipped, found as the filter's staged_images.sql finds them: point in polygon by
-- hash join on grid cells) with their class and level-12 map cell (see result_bins.sql).
-- $1 result, $2 / $3 continent / urban layer id, $4 / $5 their cell sizes, $6 the excluded
-- result or NULL.
SELECT i.captured_at,
       coalesce(u.covered OR ST_Intersects(u.geom, i.geom), false) AS urban,
       least(greatest(floor((ST_X(i.geom) + 180.0) / 360.0 * 131072), 0), 131071)::int AS x12,
       least(greatest(floor((1 - ln(tan(pi() / 4 + radians(least(greatest(ST_Y(i.geom), -85.0511), 85.0511)) / 2))
                             / pi()) / 2 * 131072), 0), 131071)::int AS y12
FROM images i
JOIN boundary_cells c ON c.layer_id = $2 AND c.cell = mlyetl_grid_cell(ST_X(i.geom), ST_Y(i.geom), $4)
LEFT JOIN boundary_cells u ON u.layer_id = $3 AND u.cell = mlyetl_grid_cell(ST_X(i.geom), ST_Y(i.geom), $5)
WHERE i.deleted_at IS NULL
  AND (c.covered OR ST_Intersects(c.geom, i.geom))
  AND ($6::text IS NULL OR NOT EXISTS (SELECT 1 FROM filter_points e WHERE e.result_name = $6 AND e.image_id = i.id))
