-- `mlyetl results diff`: the images kept in both result $1 (OLD) and result $2 (NEW) whose
-- exported values differ (position, capture time, angle, class, sequence, camera, ...),
-- with NEW's values, in image id order. The position is compared as the exported lon/lat
-- doubles. csv_columns.sql / arrow_columns.sql format them.
-- OLD's rows are a materialized CTE for the reason given in diff_only.sql (Citus).
    WITH old AS MATERIALIZED (
        SELECT image_id, sequence_id, captured_at, ST_X(geom) AS lon, ST_Y(geom) AS lat, class, compass_angle,
               is_pano, width, height, make, model, creator_username, altitude, cell_id
        FROM filter_points WHERE result_name = $1
    )
    SELECT n.*
    FROM filter_points n
    JOIN old o ON o.image_id = n.image_id
    WHERE n.result_name = $2
      AND (n.sequence_id, n.captured_at, ST_X(n.geom), ST_Y(n.geom), n.class, n.compass_angle, n.is_pano,
           n.width, n.height, n.make, n.model, n.creator_username, n.altitude, n.cell_id)
          IS DISTINCT FROM
          (o.sequence_id, o.captured_at, o.lon, o.lat, o.class, o.compass_angle, o.is_pano,
           o.width, o.height, o.make, o.model, o.creator_username, o.altitude, o.cell_id)
    ORDER BY n.image_id
    OFFSET 0
