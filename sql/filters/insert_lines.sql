-- One line per sequence of bucket $2 for result $1, into {lines} (the result's partition),
-- from the walk: its de-duplicated clipped images (both classes) in capture order, with
-- counts. A one-image sequence has no line (NULL). length_m is the sum of the haversine
-- steps (R = 6371 km) along the line.
INSERT INTO {lines} (
    result_name, sequence_id, geom, image_count, urban_count, other_count, kept_count,
    kept_urban_count, kept_other_count, duplicate_count, length_m, first_captured_at, last_captured_at)
SELECT $1, w.sequence_id, ST_GeomFromEWKB(s.line), s.image_count, s.urban_count, s.other_count, s.kept_count,
       s.kept_urban_count, s.kept_other_count, s.duplicate_count, s.length_m, s.first_captured_at, s.last_captured_at
FROM {walk} s
JOIN {work} w ON w.seq_no = s.seq_no AND w.bucket = $2
WHERE s.image_count IS NOT NULL  -- a sequence with no image inside (first computation): no line
