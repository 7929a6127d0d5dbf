-- Every sequence with live input images, with its signature: the number of those images
-- and an XOR of a hash of (id, row version); any insert, update or delete of one of them
-- changes it. The hash is hashint8extended(i.id, i.xmin::text::bigint), or the
-- extension's mlyetl_row_hash(i.id, i.xmin): the same value without the text conversions.
-- $3: the --exclude-result name or NULL (its kept images are not input).
SELECT i.sequence_id, count(*)::text || ':' || bit_xor({row_hash})::text AS signature
FROM images i
WHERE i.deleted_at IS NULL
  AND ($3::text IS NULL OR NOT EXISTS (
          SELECT 1 FROM filter_points e WHERE e.result_name = $3 AND e.image_id = i.id
            AND e.sequence_id = i.sequence_id))
GROUP BY i.sequence_id
