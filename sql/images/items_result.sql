-- The next page of images to download from result $1, class $2 ('urban'|'other'|'all'),
-- for size $3, after image id $4 (keyset paging: stable and cheap on a restart), $5 rows.
-- Failed downloads come back only when $6 (--retry-failed); done ones come back with their
-- path so that the caller can skip them if the file is still there. The values are the
-- result's own copy (filter_points), the same the CSV export writes.
SELECT fp.image_id, fp.sequence_id, fp.captured_at, ST_X(fp.geom) AS lon, ST_Y(fp.geom) AS lat,
       fp.altitude, fp.compass_angle, fp.width, fp.height, fp.class, d.state, d.path
FROM filter_points fp
LEFT JOIN image_downloads d ON d.image_id = fp.image_id AND d.size = $3
WHERE fp.result_name = $1 AND ($2 = 'all' OR fp.class = $2) AND fp.image_id > $4
  AND (d.state IS DISTINCT FROM 'failed' OR $6)
ORDER BY fp.image_id
LIMIT $5
