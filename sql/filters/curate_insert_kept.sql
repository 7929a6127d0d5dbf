-- Curation, step 4, a stored result on Citus: its dataset ({dataset}, emptied) becomes the
-- rows of {kept} (curate_kept.sql).
INSERT INTO {dataset} (result_name, image_id, sequence_id, class, geom, captured_at, compass_angle, altitude,
                       is_pano, width, height, make, model, creator_username, cell_id)
SELECT k.result_name, k.image_id, k.sequence_id, k.class, k.geom, k.captured_at, k.compass_angle, k.altitude,
       k.is_pano, k.width, k.height, k.make, k.model, k.creator_username, k.cell_id
FROM {kept} k;
