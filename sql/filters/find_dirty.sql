-- Work table {work}: the input sequences of result $1 whose signature changed since the
-- result last stored them (new, changed or vanished sequences), with their bucket.
-- Signature: the number of live input images and an XOR of a hash of (id, row version);
-- any insert, update or delete of one of the sequence's images changes it. {row_hash} is
-- hashint8extended(i.id, i.xmin::text::bigint), or the extension's mlyetl_row_hash(i.id,
-- i.xmin): the same value without the text conversions.
-- $2 exclude-result name or NULL (its images are not input), $3 number of buckets.
CREATE UNLOGGED TABLE {work} AS
WITH current_state AS (
    SELECT i.sequence_id,
           count(*)::text || ':' || bit_xor({row_hash})::text AS signature
    FROM images i
    WHERE i.deleted_at IS NULL
      AND ($2::text IS NULL OR NOT EXISTS (
              SELECT 1 FROM filter_points e WHERE e.result_name = $2 AND e.image_id = i.id
                AND e.sequence_id = i.sequence_id))
    GROUP BY i.sequence_id
),
stored AS (
    SELECT sequence_id, signature FROM {signatures} WHERE result_name = $1  -- the result's partition
)
SELECT coalesce(c.sequence_id, s.sequence_id) AS sequence_id,
       row_number() OVER ()::integer AS seq_no,      -- a narrow sort key for the walk
       c.signature,                                   -- NULL: the sequence is gone
       (hashtext(coalesce(c.sequence_id, s.sequence_id)) & 2147483647) % $3 AS bucket
FROM current_state c
FULL JOIN stored s ON s.sequence_id = c.sequence_id
WHERE c.signature IS DISTINCT FROM s.signature;
