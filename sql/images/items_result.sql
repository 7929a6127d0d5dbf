-- The next page of images to download from result $1, class $2 ('urban'|'other'|'all'),
-- for size $3, after image id $4 (keyset paging: stable and cheap on a restart), $5 rows.
-- Failed downloads come back only when $6 (--retry-failed); done ones come back with their
-- path so that the caller can skip them if the file is still there.
SELECT i.id AS image_id, i.sequence_id, i.captured_at,
       ST_X(i.geom) AS lon, ST_Y(i.geom) AS lat,
       CASE WHEN i.geom_is_computed THEN coalesce(i.computed_altitude, i.altitude) ELSE i.altitude END AS altitude,
       CASE WHEN i.geom_is_computed THEN coalesce(i.computed_compass_angle, i.compass_angle)
            ELSE i.compass_angle END AS compass_angle,
       i.width, i.height, fp.class, d.state, d.path
FROM filter_points fp
JOIN images i ON i.id = fp.image_id
LEFT JOIN image_downloads d ON d.image_id = fp.image_id AND d.size = $3
WHERE fp.result_name = $1 AND ($2 = 'all' OR fp.class = $2) AND fp.image_id > $4
  AND (d.state IS DISTINCT FROM 'failed' OR $6)
ORDER BY fp.image_id
LIMIT $5
