-- The images to walk (a subquery of walk_c.sql / walk_path.sql / walk_straight.sql): the
-- live images of the work table's sequences that lie in the continent (layer $1),
-- classified urban / other with the urban layer ($2), in a narrow form for the walk's sort
-- (integer sequence number, boolean class, lon/lat).
-- Point-in-polygon is a hash join on the point's grid cell (mlyetl_grid_cell with the
-- layers' cell sizes $3 and $4) against boundary_cells, one row per cell: a covered cell
-- decides at once, otherwise ST_Intersects tests the layer inside that cell. ST_Intersects
-- counts the boundary as inside: a point exactly on the continent's or an urban area's
-- border is in. $5: the --exclude-result name or NULL (its kept images are not input).
-- {attributes}: the result's attribute filters (attribute_predicate.sql; 'true' without).
SELECT i.id, w.seq_no, i.captured_at, ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat,
       coalesce(u.covered OR ST_Intersects(u.geom, i.geom), false) AS urban
FROM images i
JOIN {work} w ON w.sequence_id = i.sequence_id AND w.signature IS NOT NULL
JOIN boundary_cells c ON c.layer_id = $1 AND c.cell = mlyetl_grid_cell(ST_X(i.geom), ST_Y(i.geom), $3)
LEFT JOIN boundary_cells u ON u.layer_id = $2 AND u.cell = mlyetl_grid_cell(ST_X(i.geom), ST_Y(i.geom), $4)
WHERE i.deleted_at IS NULL
  AND {attributes}
  AND (c.covered OR ST_Intersects(c.geom, i.geom))
  AND ($5::text IS NULL OR NOT EXISTS (
        SELECT 1 FROM filter_points e WHERE e.result_name = $5 AND e.image_id = i.id
                AND e.sequence_id = i.sequence_id))
