-- Every kept image of result $1 in class $2 with its attributes and WKB point, by id
-- (a stable order, so the same data gives the same file). Read through a cursor in chunks.
SELECT fp.image_id,
       fp.sequence_id,
       i.captured_at,
       round(date_part('epoch', i.captured_at) * 1000)::bigint AS captured_at_ms,
       ST_X(i.geom) AS lon,
       ST_Y(i.geom) AS lat,
       fp.class,
       CASE WHEN i.geom_is_computed THEN coalesce(i.computed_compass_angle, i.compass_angle)
            ELSE i.compass_angle END AS compass_angle,
       i.is_pano,
       i.width,
       i.height,
       i.make,
       i.model,
       i.creator_username,
       CASE WHEN i.geom_is_computed THEN coalesce(i.computed_altitude, i.altitude)
            ELSE i.altitude END AS altitude,
       ST_AsBinary(i.geom) AS geometry
FROM filter_points fp
JOIN images i ON i.id = fp.image_id
WHERE fp.result_name = $1 AND fp.class = $2
ORDER BY fp.image_id
