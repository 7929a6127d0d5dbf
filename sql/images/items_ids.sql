-- The images of result $1 among ids $2 (one batch of a shard file), for size $3;
-- failed downloads only when $4 (--retry-failed). Same columns as items_result.sql.
SELECT i.id AS image_id, i.sequence_id, i.captured_at,
       ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat,
       CASE WHEN i.geom_is_computed THEN coalesce(i.computed_altitude, i.altitude) ELSE i.altitude END AS altitude,
       CASE WHEN i.geom_is_computed THEN coalesce(i.computed_compass_angle, i.compass_angle)
            ELSE i.compass_angle END AS compass_angle,
       i.width, i.height, fp.class, d.state, d.path
FROM filter_points fp
JOIN images i ON i.id = fp.image_id
LEFT JOIN image_downloads d ON d.image_id = fp.image_id AND d.size = $3
WHERE fp.result_name = $1 AND fp.image_id = ANY($2::bigint[])
  AND (d.state IS DISTINCT FROM 'failed' OR $4)
ORDER BY fp.image_id
