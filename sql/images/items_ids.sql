-- The images of result $1 among ids $2 (one batch of a shard file), for size $3;
-- failed downloads only when $4 (--retry-failed). Same columns as items_range.sql.
SELECT fp.image_id, fp.sequence_id, fp.captured_at, ST_X(fp.geom) AS lon, ST_Y(fp.geom) AS lat,
       fp.altitude, fp.compass_angle, fp.width, fp.height, fp.class, d.state, d.path
FROM filter_points fp
LEFT JOIN image_downloads d ON d.image_id = fp.image_id AND d.size = $3
WHERE fp.result_name = $1 AND fp.image_id = ANY($2::bigint[])
  AND (d.state IS DISTINCT FROM 'failed' OR $4)
ORDER BY fp.image_id
