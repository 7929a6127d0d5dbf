-- After walk_fresh_c.sql: the work table {work} (every input sequence with its signature
-- and bucket, as find_dirty.sql makes it; {buckets} is the number of buckets, an integer
-- the caller formats in) from the walk table. Then the walk table's rows for sequences
-- with no image inside the continent go: they have no line and no points (their
-- signatures are stored all the same, so a later run knows them).
CREATE UNLOGGED TABLE {work} AS
SELECT sequence_id, seq_no, signature, (hashtext(sequence_id) & 2147483647) % {buckets} AS bucket
FROM {walk};
DELETE FROM {walk} WHERE image_count IS NULL;
