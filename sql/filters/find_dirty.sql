-- Work table {work}: the input sequences of result $1 whose signature changed since the
-- result last stored them (new, changed or vanished sequences), with their bucket.
-- current_state: every input sequence with its signature now (etl/filters/signatures.py:
-- signatures_stamps.sql, or signatures_rows.sql, which reads $3). $2 number of buckets.
CREATE UNLOGGED TABLE {work} AS
WITH current_state AS (
    {current}
),
stored AS (
    SELECT sequence_id, signature FROM {signatures} WHERE result_name = $1  -- the result's partition
)
SELECT coalesce(c.sequence_id, s.sequence_id) AS sequence_id,
       row_number() OVER ()::integer AS seq_no,      -- a narrow sort key for the walk
       c.signature,                                   -- NULL: the sequence is gone
       (hashtext(coalesce(c.sequence_id, s.sequence_id)) & 2147483647) % $2 AS bucket
FROM current_state c
FULL JOIN stored s ON s.sequence_id = c.sequence_id
WHERE c.signature IS DISTINCT FROM s.signature;
