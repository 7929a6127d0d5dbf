-- Did result $1 store signatures of image rows ({signatures}, its partition)? Stamp-based
-- ones start with "s" (signatures_stamps.sql), the others with a digit (signatures_rows.sql).
SELECT EXISTS (SELECT 1 FROM {signatures} WHERE result_name = $1 AND signature NOT LIKE 's%')
