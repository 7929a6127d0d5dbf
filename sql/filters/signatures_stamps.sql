-- Every sequence of the change log with its signature: "s", the number of its change
-- stamps and their XOR. Any committed write of one of its images adds a stamp, so changes
-- the signature, in whatever order writers commit. A sequence whose images are all gone
-- keeps its stamps: it reads as changed once, is recomputed (to nothing) and stored.
-- The WHERE condition narrows it to one bucket ('true': all; etl/filters/signatures.py).
SELECT sequence_id, 's' || count(*)::text || ':' || bit_xor(stamp)::text AS signature
FROM sequence_changes
WHERE {bucket_filter}
GROUP BY sequence_id
