-- One connection's share of a result's staged first computation (etl/filters/staged_walk.py):
-- the live images of its block ranges (one stage_scan.sql per range, a TID range scan each,
-- joined by UNION ALL below: one statement, so the boundary grids are loaded once) that pass
-- the attribute filters and lie in the continent (layer $1), classified urban / other with
-- the urban layer ($2; cell sizes $3, $4), into the stage table with their bucket of $5
-- (the bucket rule of find_dirty.sql). The same images and classes as walk_fresh_c.sql
-- gives its aggregate, computed the same way: the cheap attribute filters first (in each
-- scan), lon/lat once per image that passes them, then, with --daylight, the extension's
-- mlyetl_sun_sine_c on its capture epoch; the grid joins of staged_images.sql (the
-- boundary counts as inside).
INSERT INTO {stage} (bucket, sequence_id, captured_at, id, lat, lon, urban)
SELECT (hashtext(i.sequence_id) & 2147483647) % $5::integer, i.sequence_id, i.captured_at, i.id, i.lat, i.lon,
       coalesce(u.covered OR ST_Intersects(u.geom, i.geom), false)
FROM (
    SELECT i.id, i.sequence_id, i.captured_at, i.geom, i.lon, i.lat
    FROM ({scans}) i
    WHERE NOT {daylight} OR mlyetl_sun_sine_c(date_part('epoch', i.captured_at), i.lon, i.lat) > 0.0::float8
    OFFSET 0
) i
JOIN boundary_cells c ON c.layer_id = $1 AND c.cell = mlyetl_grid_cell(i.lon, i.lat, $3)
                     AND (c.covered OR ST_Intersects(c.geom, i.geom))
LEFT JOIN boundary_cells u ON u.layer_id = $2 AND u.cell = mlyetl_grid_cell(i.lon, i.lat, $4)
