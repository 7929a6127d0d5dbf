-- Bucket $2 of result $1 is done: store its sequences' new signatures (drop vanished ones).
-- This runs in the bucket's transaction, so a killed run redoes exactly the unfinished buckets.
WITH vanished AS (
    DELETE FROM filter_sequences s USING {work} w
    WHERE s.result_name = $1 AND s.sequence_id = w.sequence_id AND w.bucket = $2 AND w.signature IS NULL
    RETURNING 1
)
INSERT INTO filter_sequences (result_name, sequence_id, signature)
SELECT $1, sequence_id, signature FROM {work} WHERE bucket = $2 AND signature IS NOT NULL
ON CONFLICT (result_name, sequence_id) DO UPDATE SET signature = EXCLUDED.signature;
