-- Curation, step 4, a new result: its dataset ({dataset}, its filter_points partition, not
-- indexed yet) is written whole: the rows of curate_rows.sql.
INSERT INTO {dataset} (result_name, image_id, sequence_id, class, geom, captured_at, compass_angle, altitude,
                       is_pano, width, height, make, model, creator_username, cell_id)
{rows};
