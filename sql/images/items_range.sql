-- The images of one batch: result $1, class $2 ('urban'|'other'|'all'), size $3, ids in
-- ($4, $5]; failed downloads only when $6 (--retry-failed). Same columns as items_result.sql.
SELECT fp.image_id, fp.sequence_id, fp.captured_at, ST_X(fp.geom) AS lon, ST_Y(fp.geom) AS lat,
       fp.altitude, fp.compass_angle, fp.width, fp.height, fp.class, d.state, d.path
FROM filter_points fp
LEFT JOIN image_downloads d ON d.image_id = fp.image_id AND d.size = $3
WHERE fp.result_name = $1 AND ($2 = 'all' OR fp.class = $2) AND fp.image_id > $4 AND fp.image_id <= $5
  AND (d.state IS DISTINCT FROM 'failed' OR $6)
ORDER BY fp.image_id
