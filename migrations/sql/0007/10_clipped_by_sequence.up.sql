-- filter_clipped looks up a result's points by image and sequence (the same rows: an image
-- has one sequence), so that on Citus, where filter_points and images are sharded by
-- sequence, each lookup stays inside a shard and the view runs on the workers
-- (docs/scale.md). The same view otherwise.
CREATE OR REPLACE VIEW filter_clipped AS
SELECT r.name AS result_name,
       i.id AS image_id,
       i.sequence_id,
       i.captured_at,
       CASE WHEN coalesce(u.covered OR ST_Intersects(u.geom, i.geom), false) THEN 'urban' ELSE 'other' END AS class,
       EXISTS (SELECT 1 FROM filter_points p WHERE p.result_name = r.name AND p.image_id = i.id
                                    AND p.sequence_id = i.sequence_id) AS kept,
       (SELECT min(d.id) FROM images d
        WHERE d.sequence_id = i.sequence_id AND d.captured_at = i.captured_at AND d.id < i.id
          AND d.deleted_at IS NULL AND ST_X(d.geom) = ST_X(i.geom) AND ST_Y(d.geom) = ST_Y(i.geom)
          AND NOT EXISTS (SELECT 1 FROM filter_points e
                          WHERE e.result_name = r.params ->> 'exclude_result' AND e.image_id = d.id
                            AND e.sequence_id = d.sequence_id)) AS duplicate_of,
       i.geom
FROM filter_results r
JOIN boundary_layers cl ON cl.id = (r.layers #>> '{continent,id}')::integer
JOIN boundary_layers ul ON ul.id = (r.layers #>> '{urban,id}')::integer
JOIN images i ON i.deleted_at IS NULL
JOIN boundary_cells c ON c.layer_id = cl.id
                     AND c.cell = mlyetl_grid_cell(ST_X(i.geom), ST_Y(i.geom), cl.cell_size)
LEFT JOIN boundary_cells u ON u.layer_id = ul.id
                          AND u.cell = mlyetl_grid_cell(ST_X(i.geom), ST_Y(i.geom), ul.cell_size)
WHERE (c.covered OR ST_Intersects(c.geom, i.geom))
  AND NOT EXISTS (SELECT 1 FROM filter_points e
                  WHERE e.result_name = r.params ->> 'exclude_result' AND e.image_id = i.id
                    AND e.sequence_id = i.sequence_id);
