-- Curation, step 4, a stored result: its dataset ({dataset}, an indexed filter_points
-- partition) becomes the rows of {kept} (curate_kept.sql). Most rows of a rerun are the
-- same as before, and rewriting all of them would update every index for nothing: only
-- the rows that differ from the new ones in any column (or are no longer kept) are
-- deleted, and only the new rows that are then missing are inserted. geom and the doubles
-- are compared as their bytes (EWKB, float8send), so that every change counts (-0 too).
DELETE FROM {dataset} d
WHERE NOT EXISTS (
    SELECT 1 FROM {kept} k
    WHERE k.image_id = d.image_id
      AND (k.result_name, k.sequence_id, k.class, k.geom::bytea, k.captured_at, float8send(k.compass_angle),
           float8send(k.altitude), k.is_pano, k.width, k.height, k.make, k.model, k.creator_username, k.cell_id)
          IS NOT DISTINCT FROM
          (d.result_name, d.sequence_id, d.class, d.geom::bytea, d.captured_at, float8send(d.compass_angle),
           float8send(d.altitude), d.is_pano, d.width, d.height, d.make, d.model, d.creator_username, d.cell_id)
);
INSERT INTO {dataset} (result_name, image_id, sequence_id, class, geom, captured_at, compass_angle, altitude,
                       is_pano, width, height, make, model, creator_username, cell_id)
SELECT k.result_name, k.image_id, k.sequence_id, k.class, k.geom, k.captured_at, k.compass_angle, k.altitude,
       k.is_pano, k.width, k.height, k.make, k.model, k.creator_username, k.cell_id
FROM {kept} k
WHERE NOT EXISTS (SELECT 1 FROM {dataset} d WHERE d.image_id = k.image_id);
