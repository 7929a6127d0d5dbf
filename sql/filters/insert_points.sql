-- The kept images of bucket $2's sequences into {points} (the result's partition) for
-- result $1, from the walk's per-sequence arrays. The point is rebuilt from the image's own
-- lon/lat doubles: exactly its position.
INSERT INTO {points} (result_name, image_id, sequence_id, class, geom)
SELECT $1, k.id, w.sequence_id, CASE WHEN k.urban THEN 'urban' ELSE 'other' END,
       ST_SetSRID(ST_MakePoint(k.lon, k.lat), 4326)
FROM {walk} s
JOIN {work} w ON w.seq_no = s.seq_no AND w.bucket = $2
CROSS JOIN LATERAL unnest(s.kept_ids, s.kept_urban, s.kept_lon, s.kept_lat) AS k(id, urban, lon, lat)
