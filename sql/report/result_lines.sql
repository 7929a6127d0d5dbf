-- A result's sequence lines, simplified and encoded (Google encoded polyline, 5 decimals),
-- the longest first, at most $3 of them. $1 result, $2 tolerance (degrees), $3 limit
SELECT sequence_id, image_count, kept_count, duplicate_count, round(length_m)::bigint AS length_m,
       extract(epoch FROM first_captured_at)::bigint AS first_captured,
       ST_AsEncodedPolyline(ST_Simplify(geom, $2, true), 5) AS line
FROM filter_sequence_lines
WHERE result_name = $1 AND geom IS NOT NULL
ORDER BY length_m DESC NULLS LAST, sequence_id
LIMIT $3;
