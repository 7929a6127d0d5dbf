-- After walk_fresh_c.sql for bucket $2 of $1: that bucket's rows of the work table {work}
-- (each walked sequence with its signature and bucket, as find_dirty.sql makes them), from
-- the walk table, where the bucket's sequence numbers are those equal to $2 modulo $1.
-- Sequences with no image inside the continent keep their walk row (NULL counts, no line,
-- no kept image): their signatures are stored all the same, so a later run knows them.
INSERT INTO {work} (sequence_id, seq_no, signature, bucket)
SELECT sequence_id, seq_no, signature, $2::integer
FROM {walk}
WHERE seq_no % $1::integer = $2::integer
