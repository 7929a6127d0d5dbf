-- `mlyetl results diff`: the images kept in both result $1 (OLD) and result $2 (NEW) whose
-- exported values differ (position, capture time, angle, class, sequence, camera, ...),
-- with NEW's values, in image id order. The position is compared as the exported lon/lat
-- doubles. csv_columns.sql / arrow_columns.sql format them.
    SELECT n.*
    FROM filter_points n
    JOIN filter_points o ON o.result_name = $1 AND o.image_id = n.image_id
    WHERE n.result_name = $2
      AND (n.sequence_id, n.captured_at, ST_X(n.geom), ST_Y(n.geom), n.class, n.compass_angle, n.is_pano,
           n.width, n.height, n.make, n.model, n.creator_username, n.altitude, n.cell_id)
          IS DISTINCT FROM
          (o.sequence_id, o.captured_at, ST_X(o.geom), ST_Y(o.geom), o.class, o.compass_angle, o.is_pano,
           o.width, o.height, o.make, o.model, o.creator_username, o.altitude, o.cell_id)
    ORDER BY n.image_id
    OFFSET 0
