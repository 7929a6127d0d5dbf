-- The number of sequence lines of a result (one-image sequences have none). $1 result name
SELECT count(*) FROM filter_sequence_lines WHERE result_name = $1 AND geom IS NOT NULL;
