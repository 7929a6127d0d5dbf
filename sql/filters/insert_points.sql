-- The walked images of this bucket into {points} (the result's partition) for result $1.
-- The point is rebuilt from its own lon/lat doubles: exactly the image's position.
INSERT INTO {points} (result_name, image_id, sequence_id, class, kept, duplicate_of, geom)
SELECT $1, f.id, w.sequence_id, CASE WHEN f.urban THEN 'urban' ELSE 'other' END, f.kept, f.duplicate_of,
       ST_SetSRID(ST_MakePoint(f.lon, f.lat), 4326)
FROM filter_walked f
JOIN {work} w ON w.seq_no = f.seq_no;
