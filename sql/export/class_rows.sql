-- Every kept image of result $1 in class $2 with its attributes and WKB point, by id
-- (a stable order, so the same data gives the same file). Read through a cursor in chunks.
-- A result's rows carry every exported attribute: images is not read.
SELECT image_id,
       sequence_id,
       captured_at,
       round(date_part('epoch', captured_at) * 1000)::bigint AS captured_at_ms,
       ST_X(geom) AS lon,
       ST_Y(geom) AS lat,
       class,
       compass_angle,
       is_pano,
       width,
       height,
       make,
       model,
       creator_username,
       altitude,
       cell_id,
       ST_AsBinary(geom) AS geometry
FROM filter_points
WHERE result_name = $1 AND class = $2
ORDER BY image_id
